import { type EnvelopeStatus, transition } from "../../domain/envelope-lifecycle.js";
import { CertyneoError } from "../../domain/errors.js";
import { hasActed, type RecipientStatus } from "../../domain/recipients.js";
import type { ActionContext } from "../event-log.js";
import {
  assertCanAct,
  assertLive,
  badRequest,
  describe,
  mutate,
  resolveSession,
} from "./session.js";
import type { SigningDeps } from "./types.js";

/** The recipient declines, with their reason: the envelope is DECLINED for everyone. */
export async function declineEnvelope(
  deps: SigningDeps,
  token: string,
  reason: string,
  context: ActionContext,
): Promise<{ status: "DECLINED" }> {
  const trimmed = reason.trim();
  if (!trimmed)
    throw badRequest("reason_required", "Say why you decline: the sender will read it.", "reason");
  const session = await resolveSession(deps, token);
  assertLive(deps, session);
  assertCanAct(await describe(deps, session));
  await mutate(deps, token, context, async (trx, locked, now) => {
    if (
      hasActed(locked.recipient.status as RecipientStatus) ||
      locked.recipient.status === "DECLINED"
    ) {
      throw new CertyneoError(
        "conflict",
        "already_acted",
        "You have already acted on this envelope.",
      );
    }
    const declined = transition(locked.envelope.status as EnvelopeStatus, "decline");
    if (!declined.allowed) throw new CertyneoError("conflict", declined.code, declined.message);
    await trx
      .updateTable("recipients")
      .set({ status: "DECLINED", declined_at: now, decline_reason: trimmed })
      .where("id", "=", locked.recipient.id)
      .execute();
    await trx
      .updateTable("envelopes")
      .set({ status: "DECLINED", declined_at: now, updated_at: now })
      .where("id", "=", locked.envelope.id)
      .execute();
    return [
      { type: "recipient.declined", recipientId: locked.recipient.id, data: { reason: trimmed } },
      { type: "envelope.declined", recipientId: locked.recipient.id, data: { reason: trimmed } },
    ];
  });
  return { status: "DECLINED" };
}
