import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/**
 * Stored files kept in the database itself (the PostgreSQL blob store), so that several hosts
 * share them: one row per file, its bytes in chunks of a fixed size. Created on SQLite too, where
 * nothing uses them, so that both databases have the same tables.
 */
export function storedBlobs(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("stored_blobs")
        .addColumn("sha256", "text", (c) => c.primaryKey())
        .addColumn("size", "integer", (c) => c.notNull())
        .addColumn("chunk_bytes", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("stored_blob_chunks")
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("data", dialect === "postgres" ? "bytea" : "blob", (c) => c.notNull())
        .addPrimaryKeyConstraint("stored_blob_chunks_pk", ["sha256", "seq"])
        .execute();
    },
  };
}
