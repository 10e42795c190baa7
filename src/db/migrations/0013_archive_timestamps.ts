import type { Kysely, Migration } from "kysely";

/**
 * When each sealed PDF's last timestamp stops proving anything (its authority's certificate
 * expires): the archives to timestamp again are found by an index, not by reading every file.
 * Unknown (null) for PDFs sealed before; the renewal reads those once.
 */
export const archiveTimestamps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("sealed_documents")
      .addColumn("timestamp_expires_at", "text")
      .execute();
    await db.schema
      .createIndex("sealed_documents_timestamp_expiry")
      .on("sealed_documents")
      .column("timestamp_expires_at")
      .execute();
  },
};
