import type { Kysely, Migration } from "kysely";

/**
 * Lookups that ran as scans: whether any row still references a stored file (checked at every
 * document delete), and the idempotent responses past their 24 hours (purged).
 */
export const referenceIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("sealed_documents_sha256")
      .on("sealed_documents")
      .column("sha256")
      .execute();
    await db.schema
      .createIndex("recipients_signature_image_sha256")
      .on("recipients")
      .column("signature_image_sha256")
      .execute();
    await db.schema
      .createIndex("idempotency_keys_created_at")
      .on("idempotency_keys")
      .column("created_at")
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("idempotency_keys_created_at").execute();
    await db.schema.dropIndex("recipients_signature_image_sha256").execute();
    await db.schema.dropIndex("sealed_documents_sha256").execute();
  },
};
