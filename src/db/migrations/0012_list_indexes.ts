import type { Kysely, Migration } from "kysely";

/**
 * An envelope's notifications are listed newest first by (created_at, id): the index now holds
 * both, so that the page comes in index order without a sort (test/api/query-plans.test.ts).
 */
export const listIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("notifications_envelope_created")
      .on("notifications")
      .columns(["envelope_id", "created_at", "id"])
      .execute();
    await db.schema.dropIndex("notifications_envelope").execute();
  },
};
