import { createHash, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { lockEnvelope } from "../../db/locks.js";
import type { EnvelopesTable, RecipientsTable, Tables } from "../../db/schema.js";
import { type EnvelopeStatus, effectiveStatus } from "../../domain/envelope-lifecycle.js";
import { CertyneoError, RateLimitedError } from "../../domain/errors.js";
import type { FieldType } from "../../domain/fields.js";
import {
  acts,
  currentStage,
  hasActed,
  type RecipientAuth,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../../domain/recipients.js";
import { SigningTokens } from "../../security/signing-tokens.js";
import { senderOf } from "../branding.js";
import type { ActionContext, NewEvent } from "../event-log.js";
import {
  type CannotActReason,
  OTP_VERIFIED_TTL_MS,
  type SenderBranding,
  type Session,
  type SigningDeps,
  type SigningView,
} from "./types.js";

const TOKEN_PATTERN = /^[0-9A-Za-z]{43}$/;

const GONE: Partial<Record<EnvelopeStatus, string>> = {
  COMPLETED: "envelope_completed",
  DECLINED: "envelope_declined",
  VOIDED: "envelope_voided",
  EXPIRED: "envelope_expired",
};

export function badRequest(code: string, message: string, param?: string): CertyneoError {
  return new CertyneoError("invalid_request", code, message, param);
}

/**
 * Counts a request through a link, per link and per client address, before any work: writes
 * (which may decode an image or send a message) are limited more tightly than reads. `range`, a
 * byte range of a document a viewer reads, counts per address only (as a read). The link is keyed
 * by a hash: a bearer token is never stored in the rate-limit store.
 */
export async function throttle(
  deps: SigningDeps,
  token: string,
  ip: string,
  kind: "read" | "write" | "range",
): Promise<void> {
  const link = createHash("sha256").update(token).digest("base64url").slice(0, 32);
  const bucket = kind === "write" ? "write" : "read";
  const [perLink, perIp] =
    kind === "write"
      ? [deps.limits.writesPerLink, deps.limits.writesPerIp]
      : [deps.limits.readsPerLink, deps.limits.readsPerIp];
  const what = kind === "write" ? "actions" : "requests";
  if (kind !== "range")
    await limit(deps, `signing-${bucket}-link:${link}`, perLink, `${what} with this signing link`);
  await limit(deps, `signing-${bucket}-ip:${ip}`, perIp, `${what} from your address`);
}

/** The recipient behind a token, whatever the state of their envelope. */
export async function resolveSession(
  deps: SigningDeps,
  token: string,
  db: Kysely<Tables> = deps.db,
): Promise<Session> {
  const hash = TOKEN_PATTERN.test(token) ? SigningTokens.hash(token) : undefined;
  const recipient = hash
    ? await db
        .selectFrom("recipients")
        .selectAll()
        .where("token_hash", "=", hash)
        .executeTakeFirst()
    : undefined;
  if (
    !hash ||
    !recipient?.token_hash ||
    !timingSafeEqual(Buffer.from(recipient.token_hash), Buffer.from(hash))
  ) {
    throw new CertyneoError("not_found", "signing_link_invalid", "This signing link is not valid.");
  }
  const envelope = await db
    .selectFrom("envelopes")
    .selectAll()
    .where("id", "=", recipient.envelope_id)
    .executeTakeFirstOrThrow();
  return {
    envelope,
    recipient,
    scope: { accountId: envelope.account_id, environment: envelope.environment },
  };
}

/** Who sent the envelope of a valid link, as its recipients see them: for its ended pages too. */
export function senderBranding(deps: SigningDeps, session: Session): Promise<SenderBranding> {
  return senderOf(deps.db, session.envelope.account_id);
}

/** A link whose envelope has ended answers 410 with the reason. */
export function assertLive(deps: SigningDeps, session: Session): void {
  const status = statusNow(deps, session.envelope);
  const code = GONE[status];
  if (code) {
    throw new CertyneoError(
      "gone",
      code,
      `This envelope is ${status}; its signing links no longer work.`,
    );
  }
}

/** The envelope's status now: SENT past its expiry is EXPIRED. */
function statusNow(deps: SigningDeps, envelope: EnvelopesTable): EnvelopeStatus {
  return effectiveStatus(
    envelope.status as EnvelopeStatus,
    envelope.expires_at,
    deps.clock.now().toISOString(),
  );
}

/** What the recipient of `session` is shown, and whether they may act now. */
export async function describe(deps: SigningDeps, session: Session): Promise<SigningView> {
  const { envelope, recipient } = session;
  const [sender, documentRows, fieldRows, recipients] = await Promise.all([
    senderOf(deps.db, envelope.account_id),
    deps.db
      .selectFrom("envelope_documents")
      .select(["document_id"])
      .where("envelope_id", "=", envelope.id)
      .orderBy("position")
      .execute(),
    deps.db
      .selectFrom("fields")
      .selectAll()
      .where("recipient_id", "=", recipient.id)
      .orderBy("position")
      .execute(),
    deps.db
      .selectFrom("recipients")
      .selectAll()
      .where("envelope_id", "=", envelope.id)
      .orderBy("position")
      .execute(),
  ]);
  const documents = await deps.documents.getMany(
    session.scope,
    documentRows.map((d) => d.document_id),
  );
  const { canAct, reason, waitingFor } = turn(session.envelope, recipient, recipients);
  return {
    envelope: {
      id: envelope.id,
      subject: envelope.subject,
      message: envelope.message,
      status: statusNow(deps, envelope),
      environment: envelope.environment,
      accountName: sender.name,
      branding: { accentColor: sender.accentColor, logo: sender.logo },
      documents: documentRows.map((d) => {
        const document = documents.get(d.document_id)!;
        return {
          id: document.id,
          name: document.name,
          pages: document.pages,
          pageSizes: document.pageSizes,
        };
      }),
    },
    recipient: {
      id: recipient.id,
      name: recipient.name,
      email: recipient.email,
      role: recipient.role as RecipientRole,
      status: recipient.status as RecipientStatus,
      auth: recipient.auth as RecipientAuth,
      locale: recipient.locale,
      verified: isVerified(deps, recipient),
    },
    fields: fieldRows.map((f) => ({
      id: f.id,
      type: f.type as FieldType,
      documentId: f.document_id,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      required: f.required === 1,
      label: f.label,
      value: f.value,
    })),
    canAct,
    reason,
    waitingFor,
    otpRequired: canAct && recipient.auth !== "none" && !isVerified(deps, recipient),
    redirectUrl: recipient.redirect_url ?? envelope.redirect_url ?? null,
  };
}

function turn(
  envelope: EnvelopesTable,
  recipient: RecipientsTable,
  recipients: RecipientsTable[],
): { canAct: boolean; reason: CannotActReason | null; waitingFor: string[] } {
  const role = recipient.role as RecipientRole;
  const status = recipient.status as RecipientStatus;
  if (!acts(role)) return { canAct: false, reason: "no_action", waitingFor: [] };
  if (hasActed(status)) return { canAct: false, reason: "already_acted", waitingFor: [] };
  if (status === "DECLINED") return { canAct: false, reason: "declined", waitingFor: [] };
  const stage = currentStage(
    recipients.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as RecipientRole,
      order: r.routing_order,
      status: r.status as RecipientStatus,
    })),
    envelope.signing_order as SigningOrder,
  );
  if (stage.some((r) => r.id === recipient.id))
    return { canAct: true, reason: null, waitingFor: [] };
  return { canAct: false, reason: "not_your_turn", waitingFor: stage.map((r) => r.name) };
}

function isVerified(deps: SigningDeps, recipient: RecipientsTable): boolean {
  if (!recipient.otp_verified_at) return false;
  return Date.parse(recipient.otp_verified_at) + OTP_VERIFIED_TTL_MS > deps.clock.now().getTime();
}

/** A 409 saying why, unless the recipient of `view` may act now. */
export function assertCanAct(view: SigningView): void {
  if (view.canAct) return;
  const messages: Record<CannotActReason, [string, string]> = {
    not_your_turn: [
      "not_your_turn",
      `It is not your turn yet: waiting for ${view.waitingFor.join(", ")}.`,
    ],
    already_acted: ["already_acted", "You have already acted on this envelope."],
    declined: ["already_acted", "You have declined this envelope."],
    no_action: [
      "no_action_required",
      "You receive a copy of this envelope; there is nothing for you to do.",
    ],
  };
  const [code, message] = messages[view.reason ?? "no_action"];
  throw new CertyneoError("conflict", code, message);
}

/** A 429 once `key` has spent its `policy`. */
export async function limit(
  deps: SigningDeps,
  key: string,
  policy: { perMinute: number; burst: number },
  what: string,
): Promise<void> {
  const decision = await deps.limiter.consume(key, policy);
  if (!decision.allowed) {
    throw new RateLimitedError(
      `Too many ${what} in a short time. Retry in ${decision.retryAfterSeconds} s.`,
      decision.retryAfterSeconds,
    );
  }
}

/** One transaction under the envelope's lock: re-read, change, append the events. */
export async function mutate(
  deps: SigningDeps,
  token: string,
  context: ActionContext,
  change: (trx: Kysely<Tables>, locked: Session, now: string) => Promise<NewEvent[]>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { envelope } = await resolveSession(deps, token, trx);
    await lockEnvelope(trx, deps.dialect, envelope.id);
    const locked = await resolveSession(deps, token, trx);
    assertLive(deps, locked);
    const events = await change(trx, locked, deps.clock.now().toISOString());
    if (events.length > 0)
      await deps.events.append(
        trx,
        { id: locked.envelope.id, scope: locked.scope },
        context,
        events,
      );
  });
}
