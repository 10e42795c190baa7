import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import {
  currentStage,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../domain/recipients.js";
import { nextReminderAt, parseReminderPolicy } from "../domain/reminders.js";
import type { NewEvent } from "./event-log.js";

/**
 * Invites those of the current stage who have not been invited yet (and schedules their first
 * reminder), and returns the events that record it; an empty stage means everyone has acted.
 * Runs inside the caller's transaction.
 */
export async function inviteCurrentStage(
  trx: Kysely<Tables>,
  envelopeId: string,
  signingOrder: SigningOrder,
  now: string,
): Promise<{ events: NewEvent[]; everyoneActed: boolean }> {
  const rows = await trx
    .selectFrom("recipients")
    .select(["id", "role", "routing_order", "status"])
    .where("envelope_id", "=", envelopeId)
    .orderBy("position")
    .execute();
  const stage = currentStage(
    rows.map((r) => ({
      id: r.id,
      role: r.role as RecipientRole,
      order: r.routing_order,
      status: r.status as RecipientStatus,
    })),
    signingOrder,
  );
  const toInvite = stage.filter((r) => r.status === "PENDING");
  if (toInvite.length > 0) {
    const envelope = await trx
      .selectFrom("envelopes")
      .select("reminders")
      .where("id", "=", envelopeId)
      .executeTakeFirstOrThrow();
    const firstReminder = nextReminderAt(parseReminderPolicy(envelope.reminders), 0, new Date(now));
    await trx
      .updateTable("recipients")
      .set({
        status: "SENT",
        invited_at: now,
        next_reminder_at: firstReminder?.toISOString() ?? null,
      })
      .where(
        "id",
        "in",
        toInvite.map((r) => r.id),
      )
      .execute();
  }
  return {
    events: toInvite.map((r) => ({
      type: "recipient.invited",
      recipientId: r.id,
      data: { channel: "email" },
    })),
    everyoneActed: stage.length === 0,
  };
}
