import { type Kysely, type Migration, sql } from "kysely";

/** A recipient's columns that stay null until later, each looked up by an index of its own. */
const SET_ONLY_LATER = [
  ["recipients", "recipients_next_reminder", "next_reminder_at"],
  ["recipients", "recipients_signature_image_sha256", "signature_image_sha256"],
] as const;

/**
 * Indexes that hold only the rows their queries look for. Each index a row enters costs a page
 * of SQLite's log (or of PostgreSQL's WAL) at commit, whether the row is ever looked up there or
 * not: a new recipient has no reminder due and no signature image, a notification's job no lane,
 * a job being planned is neither finished nor failed. Their queries name what the index holds
 * (`lane = ?` holds only where a lane is; the finished and the failed jobs are looked up by
 * constant states), so each is still served by its index (test/api/query-plans.test.ts).
 */
export const partialIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [table, name, column] of SET_ONLY_LATER) {
      await db.schema.dropIndex(name).execute();
      await db.schema
        .createIndex(name)
        .on(table)
        .column(column)
        .where(sql.ref(column), "is not", null)
        .execute();
    }
    await db.schema.dropIndex("jobs_lane").execute();
    await db.schema
      .createIndex("jobs_lane")
      .on("jobs")
      .columns(["lane", "state", "seq"])
      .where(sql.ref("lane"), "is not", null)
      .execute();
    await db.schema.dropIndex("jobs_updated_at").execute();
    for (const state of ["done", "failed"]) {
      await db.schema
        .createIndex(`jobs_${state}_updated_at`)
        .on("jobs")
        // The state too, constant as it is: with it, the planner sees an equality and a range
        // served here, where the index of due jobs would serve the equality alone.
        .columns(["state", "updated_at"])
        .where(sql.ref("state"), "=", sql.lit(state))
        .execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const state of ["done", "failed"])
      await db.schema.dropIndex(`jobs_${state}_updated_at`).execute();
    await db.schema
      .createIndex("jobs_updated_at")
      .on("jobs")
      .columns(["state", "updated_at"])
      .execute();
    await db.schema.dropIndex("jobs_lane").execute();
    await db.schema.createIndex("jobs_lane").on("jobs").columns(["lane", "state", "seq"]).execute();
    for (const [table, name, column] of SET_ONLY_LATER) {
      await db.schema.dropIndex(name).execute();
      await db.schema.createIndex(name).on(table).column(column).execute();
    }
  },
};
