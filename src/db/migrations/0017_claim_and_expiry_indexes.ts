import { type Kysely, type Migration, sql } from "kysely";

/**
 * Two indexes fewer for a write to enter (each costs a page of the log at commit):
 * - `jobs_due` (state, run_after) goes. Claims seek each kind's first job in `jobs_kind_due`
 *   (`firstClaimableQuery`), which holds the same order per kind; with both, SQLite served a
 *   claim of several kinds from `jobs_due` and read every due job of every kind.
 * - `envelopes_expiry` holds only the envelopes that can expire: those SENT. A draft enters it
 *   when it is sent, not when it is created; the expiry query names the status as a constant.
 */
export const claimAndExpiryIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex("jobs_due").execute();
    await db.schema.dropIndex("envelopes_expiry").execute();
    await db.schema
      .createIndex("envelopes_expiry")
      .on("envelopes")
      .columns(["status", "expires_at"])
      .where(sql.ref("status"), "=", sql.lit("SENT"))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("envelopes_expiry").execute();
    await db.schema
      .createIndex("envelopes_expiry")
      .on("envelopes")
      .columns(["status", "expires_at"])
      .execute();
    await db.schema.createIndex("jobs_due").on("jobs").columns(["state", "run_after"]).execute();
  },
};
