import type { Kysely, Migration } from "kysely";

/**
 * An envelope's notifications are listed newest first by (created_at, id): the index now holds
 * both, so that the page comes in index order without a sort (test/api/query-plans.test.ts).
 * An envelope's documents, recipients and fields are read in their order, on every read of the
 * envelope: indexed in that order too.
 */
export const listIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("notifications_envelope_created")
      .on("notifications")
      .columns(["envelope_id", "created_at", "id"])
      .execute();
    await db.schema.dropIndex("notifications_envelope").execute();
    for (const table of ["envelope_documents", "recipients", "fields"]) {
      await db.schema
        .createIndex(`${table}_envelope_position`)
        .on(table)
        .columns(["envelope_id", "position"])
        .execute();
    }
    // What the new indexes begin with: no longer needed.
    await db.schema.dropIndex("recipients_envelope").execute();
    await db.schema.dropIndex("fields_envelope").execute();
  },
};
