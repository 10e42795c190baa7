import { type EnvelopeStatus, transition } from "../../domain/envelope-lifecycle.js";
import { CertyneoError } from "../../domain/errors.js";
import type { RecipientRole, RecipientStatus, SigningOrder } from "../../domain/recipients.js";
import { checkPng, PngRejectedError } from "../../pdf/png-limits.js";
import { stageBlob } from "../../storage/staging.js";
import { keepBlob } from "../blob-references.js";
import { loadInputChecks } from "../envelopes/load-input-checks.js";
import type { ActionContext, NewEvent } from "../event-log.js";
import { inviteCurrentStage } from "../invitations.js";
import type { CheckPrintable } from "../printable.js";
import {
  assertCanAct,
  assertLive,
  badRequest,
  describe,
  mutate,
  resolveSession,
} from "./session.js";
import type { AcceptedSignature, Signature, SignInput, SigningDeps, SigningView } from "./types.js";

const MAX_SIGNATURE_IMAGE_BYTES = 1024 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The recipient signs (or approves): their consent, signature and field values recorded, the
 * next stage invited, and the envelope COMPLETED once everyone has acted.
 */
export async function signEnvelope(
  deps: SigningDeps,
  token: string,
  input: SignInput,
  context: ActionContext,
  consentText: (role: RecipientRole) => string,
): Promise<{ status: RecipientStatus; envelopeStatus: EnvelopeStatus }> {
  const session = await resolveSession(deps, token);
  assertLive(deps, session);
  const view = await describe(deps, session);
  assertCanAct(view);
  if (view.otpRequired) {
    throw new CertyneoError(
      "forbidden",
      "otp_required",
      "Confirm your identity with the one-time code first.",
    );
  }
  if (input.consent !== true) {
    throw badRequest(
      "consent_required",
      "Signing needs your explicit consent (consent: true).",
      "consent",
    );
  }
  const role = view.recipient.role;
  if (role !== "SIGNER" && input.signature) {
    throw badRequest(
      "signature_not_allowed",
      "An approver approves without a signature.",
      "signature",
    );
  }
  const signature = role === "SIGNER" ? await acceptSignature(deps, input.signature) : undefined;
  try {
    return await record(deps, token, input, context, consentText, view, signature);
  } finally {
    if (signature && signature.type !== "typed") await signature.staged.discard();
  }
}

async function record(
  deps: SigningDeps,
  token: string,
  input: SignInput,
  context: ActionContext,
  consentText: (role: RecipientRole) => string,
  view: SigningView,
  signature: AcceptedSignature | undefined,
): Promise<{ status: RecipientStatus; envelopeStatus: EnvelopeStatus }> {
  const role = view.recipient.role;
  const values = fieldValues(
    deps,
    view,
    input.fields ?? {},
    (await loadInputChecks()).checkPrintable,
  );
  let envelopeStatus: EnvelopeStatus = "SENT";
  const status: RecipientStatus = role === "SIGNER" ? "SIGNED" : "APPROVED";
  await mutate(deps, token, context, async (trx, locked, now) => {
    // Re-checked under the lock: a concurrent request may have acted first.
    if (locked.recipient.status !== view.recipient.status) {
      throw new CertyneoError(
        "conflict",
        "already_acted",
        "You have already acted on this envelope.",
      );
    }
    // The image's bytes, kept with the row that references them (see blob-references.ts).
    if (signature && signature.type !== "typed")
      await keepBlob(trx, deps.dialect, signature.staged);
    await trx
      .updateTable("recipients")
      .set({
        status,
        signed_at: now,
        signature_type: signature?.type ?? null,
        signature_text: signature?.type === "typed" ? signature.text : null,
        signature_image_sha256: signature && signature.type !== "typed" ? signature.sha256 : null,
      })
      .where("id", "=", locked.recipient.id)
      .execute();
    for (const [fieldId, value] of values) {
      await trx.updateTable("fields").set({ value }).where("id", "=", fieldId).execute();
    }
    const events: NewEvent[] = [
      {
        type: "recipient.consented",
        recipientId: locked.recipient.id,
        data: { consentText: consentText(role) },
      },
      {
        type: role === "SIGNER" ? "recipient.signed" : "recipient.approved",
        recipientId: locked.recipient.id,
        data: {
          ...(signature && { signatureType: signature.type }),
          ...(signature &&
            signature.type !== "typed" && { signatureImageSha256: signature.sha256 }),
          fieldsFilled: values.size,
          // What the signer put in each field, as it is stamped: evidence of what they agreed to.
          fields: [...values].map(([id, value]) => ({ id, value })),
        },
      },
    ];
    const next = await inviteCurrentStage(
      trx,
      locked.envelope.id,
      locked.envelope.signing_order as SigningOrder,
      now,
    );
    events.push(...next.events);
    if (next.everyoneActed) {
      const completion = transition(locked.envelope.status as EnvelopeStatus, "complete");
      if (!completion.allowed)
        throw new CertyneoError("conflict", completion.code, completion.message);
      await trx
        .updateTable("envelopes")
        .set({ status: "COMPLETED", completed_at: now, updated_at: now })
        .where("id", "=", locked.envelope.id)
        .execute();
      envelopeStatus = "COMPLETED";
      events.push({ type: "envelope.completed" });
    }
    return events;
  });
  return { status, envelopeStatus };
}

/**
 * An image signature (drawn or uploaded) is checked, then staged here and kept by the
 * transaction that records it.
 */
async function acceptSignature(
  deps: SigningDeps,
  signature: Signature | undefined,
): Promise<AcceptedSignature> {
  if (!signature)
    throw badRequest(
      "signature_required",
      "A signer must give a signature, drawn, uploaded or typed.",
      "signature",
    );
  if (signature.type === "typed") {
    const text = signature.text.trim();
    if (!text)
      throw badRequest("signature_invalid", "A typed signature needs your name.", "signature.text");
    const { checkPrintable } = await loadInputChecks();
    checkPrintable(text, "signature.text", "The typed signature", "Draw your signature instead.");
    return { type: "typed", text };
  }
  // "drawn" or "uploaded": the same checks, only the words differ.
  const { type } = signature;
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(signature.image);
  const bytes = match ? Buffer.from(match[1]!, "base64") : undefined;
  if (!bytes || bytes.length < PNG_MAGIC.length || !bytes.subarray(0, 8).equals(PNG_MAGIC)) {
    throw badRequest(
      "signature_invalid",
      `A${type === "uploaded" ? "n" : ""} ${type} signature is a PNG image as a data: URL.`,
      "signature.image",
    );
  }
  if (bytes.length > MAX_SIGNATURE_IMAGE_BYTES) {
    throw badRequest(
      "signature_image_too_large",
      `The ${type} signature image is larger than 1 MB.`,
      "signature.image",
    );
  }
  try {
    // Its structure and declared size first, bounded; only then is it decoded.
    checkPng(bytes, deps.limits.png);
  } catch (error) {
    if (!(error instanceof PngRejectedError)) throw error;
    throw badRequest(
      error.reason === "too_large" ? "signature_image_too_large" : "signature_invalid",
      `The ${type} signature is refused: ${error.message}`,
      "signature.image",
    );
  }
  // The PDF library, loaded at the first drawn signature: the CLI never needs it.
  const { PDF } = await import("@libpdf/core");
  try {
    // Decoded now, by the same code that will draw it on the sealed PDF.
    PDF.create().embedPng(new Uint8Array(bytes));
  } catch {
    throw badRequest(
      "signature_invalid",
      `The ${type} signature is not a readable PNG image.`,
      "signature.image",
    );
  }
  const staged = await stageBlob(deps.blobs, bytes, MAX_SIGNATURE_IMAGE_BYTES);
  return { type, sha256: staged.sha256, staged };
}

/** The values to store: given ones checked, dates filled in, required ones present. */
function fieldValues(
  deps: SigningDeps,
  view: SigningView,
  given: Record<string, string>,
  checkPrintable: CheckPrintable,
): Map<string, string> {
  const fields = new Map(view.fields.map((f) => [f.id, f]));
  for (const id of Object.keys(given)) {
    if (!fields.has(id))
      throw badRequest("field_unknown", `Field ${id} is not one of yours.`, `fields.${id}`);
  }
  const values = new Map<string, string>();
  const today = deps.clock.now().toISOString().slice(0, 10);
  for (const field of view.fields) {
    if (field.type === "signature") continue;
    let value = given[field.id]?.trim();
    if (field.type === "date" && !value) value = today;
    if (field.type === "initials" && !value) value = initialsOf(view.recipient.name);
    if (field.type === "checkbox" && value !== undefined && value !== "true" && value !== "false") {
      throw badRequest("field_invalid", 'A checkbox is "true" or "false".', `fields.${field.id}`);
    }
    if (value !== undefined && value.length > 500) {
      throw badRequest(
        "field_invalid",
        "A field value is at most 500 characters.",
        `fields.${field.id}`,
      );
    }
    if (value) checkPrintable(value, `fields.${field.id}`, "The field's value");
    const missing = !value || (field.type === "checkbox" && value !== "true");
    if (field.required && missing) {
      throw badRequest(
        "field_required",
        `The field ${field.label ?? field.type} is required.`,
        `fields.${field.id}`,
      );
    }
    if (value) values.set(field.id, value);
  }
  return values;
}

function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase())
    .join("")
    .slice(0, 4);
}
