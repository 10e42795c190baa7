import type { Kysely } from "kysely";
import type { RecipientsTable, Tables } from "../db/schema.js";
import {
  currentStage,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../domain/recipients.js";
import { nextReminderAt, parseReminderPolicy, type ReminderPolicy } from "../domain/reminders.js";
import type { NewEvent } from "./event-log.js";

type InvitedColumns = Pick<RecipientsTable, "status" | "invited_at" | "next_reminder_at">;

/** What the caller may already know of the envelope, to spare reading it again. */
interface KnownRecipients {
  readonly recipients: readonly {
    id: string;
    role: RecipientRole;
    order: number;
    status: RecipientStatus;
  }[];
  readonly reminders: ReminderPolicy | null;
}

/**
 * Invites those of the current stage who have not been invited yet (and schedules their first
 * reminder), and returns the events that record it; an empty stage means everyone has acted.
 * Runs inside the caller's transaction; `known`, when given, is the envelope as it stands in it.
 */
export async function inviteCurrentStage(
  trx: Kysely<Tables>,
  envelopeId: string,
  signingOrder: SigningOrder,
  now: string,
  known?: KnownRecipients,
): Promise<{
  events: NewEvent[];
  everyoneActed: boolean;
  /** The recipients invited, and what changed in their rows. */
  invited: { ids: string[]; changes: InvitedColumns };
}> {
  const recipients =
    known?.recipients ??
    (
      await trx
        .selectFrom("recipients")
        .select(["id", "role", "routing_order", "status"])
        .where("envelope_id", "=", envelopeId)
        .orderBy("position")
        .execute()
    ).map((r) => ({
      id: r.id,
      role: r.role as RecipientRole,
      order: r.routing_order,
      status: r.status as RecipientStatus,
    }));
  const stage = currentStage(recipients, signingOrder);
  const toInvite = stage.filter((r) => r.status === "PENDING");
  const ids = toInvite.map((r) => r.id);
  let changes: InvitedColumns = { status: "SENT", invited_at: now, next_reminder_at: null };
  if (toInvite.length > 0) {
    const reminders =
      known?.reminders !== undefined
        ? known.reminders
        : parseReminderPolicy(
            (
              await trx
                .selectFrom("envelopes")
                .select("reminders")
                .where("id", "=", envelopeId)
                .executeTakeFirstOrThrow()
            ).reminders,
          );
    const firstReminder = nextReminderAt(reminders, 0, new Date(now));
    changes = { ...changes, next_reminder_at: firstReminder?.toISOString() ?? null };
    await trx.updateTable("recipients").set(changes).where("id", "in", ids).execute();
  }
  return {
    events: toInvite.map((r) => ({
      type: "recipient.invited",
      recipientId: r.id,
      data: { channel: "email" },
    })),
    everyoneActed: stage.length === 0,
    invited: { ids, changes },
  };
}
