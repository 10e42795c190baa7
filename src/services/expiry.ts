import { type Kysely, sql } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { fixedLimit } from "../db/fixed-limit.js";
import { lockEnvelope } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { type EnvelopeStatus, transition } from "../domain/envelope-lifecycle.js";
import { runEach } from "./batch.js";
import { type EventLog, SYSTEM_CONTEXT } from "./event-log.js";

const BATCH = 100;

/**
 * Envelopes SENT whose time ran out, oldest first. The status is a constant of the SQL, as in the
 * WHERE of the index holding only SENT envelopes (`envelopes_expiry`).
 */
export const overdueQuery = (db: Kysely<Tables>, now: string) =>
  db
    .selectFrom("envelopes")
    .select("id")
    .where("status", "=", sql.lit("SENT"))
    .where("expires_at", "<=", now)
    .orderBy("expires_at")
    .limit(fixedLimit(BATCH));

/** Moves envelopes still waiting past their `expiresAt` to EXPIRED (`envelope.expired`). */
export class ExpiryService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly events: EventLog,
  ) {}

  /**
   * Expires what is overdue now; returns how many. Safe on several instances: each envelope is
   * checked again under its lock, so it expires once.
   */
  async expireDue(): Promise<number> {
    const now = this.clock.now().toISOString();
    const overdue = await overdueQuery(this.db, now).execute();
    return runEach(overdue, ({ id }) =>
      this.db.transaction().execute(async (trx) => {
        const envelope = await lockEnvelope(trx, this.dialect, id);
        if (!envelope?.expires_at || envelope.expires_at > now) return false;
        if (!transition(envelope.status as EnvelopeStatus, "expire").allowed) return false;
        await trx
          .updateTable("envelopes")
          .set({ status: "EXPIRED", expired_at: now, updated_at: now })
          .where("id", "=", id)
          .execute();
        await trx
          .updateTable("recipients")
          .set({ next_reminder_at: null })
          .where("envelope_id", "=", id)
          .execute();
        await this.events.append(
          trx,
          { id, scope: { accountId: envelope.account_id, environment: envelope.environment } },
          SYSTEM_CONTEXT,
          [{ type: "envelope.expired", data: { expiresAt: envelope.expires_at } }],
        );
        return true;
      }),
    );
  }
}
