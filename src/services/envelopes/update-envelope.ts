import type { Scope } from "../../domain/environment.js";
import type { ActionContext } from "../event-log.js";
import { allow, lockWithParts } from "./helpers.js";
import { envelopeOf } from "./read-envelopes.js";
import type {
  Envelope,
  EnvelopeDeps,
  EnvelopeInput,
  EnvelopePatch,
  Recipient,
  RecipientInput,
} from "./types.js";
import { validateEnvelope } from "./validate-envelope.js";
import { specColumns, writeContents } from "./write-contents.js";

/** Replaces the given top-level fields of a draft; what is absent keeps its value. */
export async function updateEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  patch: EnvelopePatch,
  context: ActionContext,
): Promise<Envelope> {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await lockWithParts(deps, trx, scope, id);
    const current = envelopeOf(deps, rows);
    allow(current.status, "update");
    const merged: EnvelopeInput = {
      subject: patch.subject ?? current.subject,
      message: patch.message !== undefined ? patch.message : current.message,
      documentIds: patch.documentIds ?? current.documents.map((d) => d.id),
      // A new signing order re-derives the kept recipients' default order from their position.
      recipients:
        patch.recipients ??
        current.recipients.map((r) => ({
          ...toRecipientInput(r),
          order: patch.signingOrder ? undefined : r.order,
        })),
      signingOrder: patch.signingOrder ?? current.signingOrder,
      expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : current.expiresAt,
      reminders: patch.reminders !== undefined ? patch.reminders : current.reminders,
      metadata: patch.metadata ?? current.metadata,
      redirectUrl: patch.redirectUrl !== undefined ? patch.redirectUrl : current.redirectUrl,
    };
    const spec = await validateEnvelope(deps, scope, merged, trx);
    const changes = { ...specColumns(spec), updated_at: deps.clock.now().toISOString() };
    await trx.updateTable("envelopes").set(changes).where("id", "=", id).execute();
    await trx.deleteFrom("fields").where("envelope_id", "=", id).execute();
    await trx.deleteFrom("recipients").where("envelope_id", "=", id).execute();
    await trx.deleteFrom("envelope_documents").where("envelope_id", "=", id).execute();
    // Recipients keep their ids unless the patch replaces them.
    const keptIds = patch.recipients ? [] : current.recipients.map((r) => r.id);
    const contents = await writeContents(trx, id, spec, keptIds);
    const updated = envelopeOf(deps, { envelope: { ...rows.envelope, ...changes }, ...contents });
    await deps.events.append(trx, { id, scope, snapshot: async () => updated }, context, [
      { type: "envelope.updated", data: { fields: Object.keys(patch).sort() } },
    ]);
    return updated;
  });
}

/** A stored recipient as input again; automatic fields are left out, to be placed anew. */
function toRecipientInput(recipient: Recipient): RecipientInput {
  return {
    email: recipient.email,
    name: recipient.name,
    role: recipient.role,
    order: recipient.order,
    phone: recipient.phone ?? undefined,
    auth: recipient.auth,
    locale: recipient.locale ?? undefined,
    channels: recipient.channels,
    redirectUrl: recipient.redirectUrl ?? undefined,
    fields: recipient.fields
      .filter((f) => !f.autoPlaced)
      .map((f) => ({
        type: f.type,
        documentId: f.documentId,
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        required: f.required,
        label: f.label ?? undefined,
      })),
  };
}
