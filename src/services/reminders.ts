import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { fixedLimit } from "../db/fixed-limit.js";
import { lockEnvelope } from "../db/locks.js";
import type { EnvelopesTable, RecipientsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { type EnvelopeStatus, effectiveStatus, transition } from "../domain/envelope-lifecycle.js";
import type { Scope } from "../domain/environment.js";
import { CertyneoError, notFound } from "../domain/errors.js";
import { AWAITING_ACTION, awaitsAction, type RecipientStatus } from "../domain/recipients.js";
import {
  MANUAL_REMINDER_INTERVAL_MS,
  nextReminderAt,
  parseReminderPolicy,
} from "../domain/reminders.js";
import { runEach } from "./batch.js";
import { type ActionContext, type EventLog, SYSTEM_CONTEXT } from "./event-log.js";

/** How many due reminders one pass of the scheduler sends at most; the next pass takes the rest. */
const BATCH = 100;

/** Recipients whose reminder is due at `now`, soonest first, by the index of scheduled ones. */
export const dueRemindersQuery = (db: Kysely<Tables>, now: string) =>
  db
    .selectFrom("recipients")
    .select(["id", "envelope_id"])
    .where("next_reminder_at", "<=", now)
    .orderBy("next_reminder_at")
    .limit(fixedLimit(BATCH));

/**
 * Reminds recipients whose turn it is and who have not acted: automatically on the envelope's
 * policy, or at once when the sender asks. Each reminder is a `recipient.reminded` event, whose
 * message the notification worker sends.
 */
export class ReminderService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly events: EventLog,
  ) {}

  /**
   * Sends the automatic reminders due now; returns how many. Safe on several instances: each is
   * decided again under the envelope's lock, so two schedulers never remind twice.
   */
  async remindDue(): Promise<number> {
    const now = this.clock.now().toISOString();
    // By the index on next_reminder_at alone: a join would let the planner walk every SENT
    // envelope. What is no longer due is found below, and its schedule cleared.
    const due = await dueRemindersQuery(this.db, now).execute();
    return runEach(due, ({ id, envelope_id }) =>
      this.db.transaction().execute(async (trx) => {
        const envelope = await lockEnvelope(trx, this.dialect, envelope_id);
        const recipient = await trx
          .selectFrom("recipients")
          .selectAll()
          .where("id", "=", id)
          .executeTakeFirst();
        if (!envelope || !recipient?.next_reminder_at || recipient.next_reminder_at > now) {
          return false;
        }
        if (!this.waiting(envelope, recipient)) {
          await trx
            .updateTable("recipients")
            .set({ next_reminder_at: null })
            .where("id", "=", id)
            .execute();
          return false;
        }
        await this.remind(trx, envelope, recipient, SYSTEM_CONTEXT, true);
        return true;
      }),
    );
  }

  /**
   * Reminds now everyone whose turn it is, except those invited or reminded within the last
   * hour; 409 `reminder_too_soon` when that leaves nobody. Returns who was reminded.
   */
  async remindNow(scope: Scope, envelopeId: string, context: ActionContext): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const envelope = await lockEnvelope(trx, this.dialect, envelopeId);
      if (
        !envelope ||
        envelope.account_id !== scope.accountId ||
        envelope.environment !== scope.environment
      ) {
        throw notFound("envelope", envelopeId);
      }
      const allowed = transition(this.status(envelope), "remind");
      if (!allowed.allowed) throw new CertyneoError("conflict", allowed.code, allowed.message);
      const recipients = await trx
        .selectFrom("recipients")
        .selectAll()
        .where("envelope_id", "=", envelopeId)
        .where("status", "in", AWAITING_ACTION)
        .orderBy("position")
        .execute();
      const threshold = this.clock.now().getTime() - MANUAL_REMINDER_INTERVAL_MS;
      const due = recipients.filter((r) => {
        const last = [r.invited_at, r.last_reminded_at].filter(Boolean).sort().at(-1);
        return !last || Date.parse(last) <= threshold;
      });
      if (due.length === 0) {
        throw new CertyneoError(
          "conflict",
          "reminder_too_soon",
          "Everyone whose turn it is was invited or reminded less than an hour ago.",
        );
      }
      for (const recipient of due) await this.remind(trx, envelope, recipient, context, false);
      return due.map((r) => r.id);
    });
  }

  private async remind(
    trx: Kysely<Tables>,
    envelope: EnvelopesTable,
    recipient: RecipientsTable,
    context: ActionContext,
    automatic: boolean,
  ): Promise<void> {
    const now = this.clock.now();
    // A manual reminder does not use up an automatic one, but restarts the wait for the next.
    const sent = recipient.reminders_sent + (automatic ? 1 : 0);
    const next = nextReminderAt(parseReminderPolicy(envelope.reminders), sent, now);
    await trx
      .updateTable("recipients")
      .set({
        reminders_sent: sent,
        last_reminded_at: now.toISOString(),
        next_reminder_at: next?.toISOString() ?? null,
      })
      .where("id", "=", recipient.id)
      .execute();
    await this.events.append(
      trx,
      {
        id: envelope.id,
        scope: { accountId: envelope.account_id, environment: envelope.environment },
      },
      context,
      [{ type: "recipient.reminded", recipientId: recipient.id, data: { automatic, count: sent } }],
    );
  }

  private waiting(envelope: EnvelopesTable, recipient: RecipientsTable): boolean {
    return this.status(envelope) === "SENT" && awaitsAction(recipient.status as RecipientStatus);
  }

  private status(envelope: EnvelopesTable): EnvelopeStatus {
    return effectiveStatus(
      envelope.status as EnvelopeStatus,
      envelope.expires_at,
      this.clock.now().toISOString(),
    );
  }
}
