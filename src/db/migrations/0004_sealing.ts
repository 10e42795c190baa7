import type { Kysely, Migration } from "kysely";

/** Background jobs started by events (sealing, notifications), and the sealed PDFs. */
export const sealing: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("jobs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("subject_id", "text", (c) => c.notNull())
      .addColumn("envelope_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("run_after", "text", (c) => c.notNull())
      .addColumn("seq", "double precision", (c) => c.notNull())
      .addColumn("locked_until", "text")
      .addColumn("last_error", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("jobs_kind_subject", ["kind", "subject_id"])
      .execute();
    await db.schema.createIndex("jobs_due").on("jobs").columns(["state", "run_after"]).execute();

    await db.schema
      .createTable("sealed_documents")
      .addColumn("envelope_id", "text", (c) => c.notNull())
      .addColumn("part", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("sealed_documents_pk", ["envelope_id", "part"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("sealed_documents").execute();
    await db.schema.dropTable("jobs").execute();
  },
};
