import type { Kysely, Migration } from "kysely";

export const documentsAndEnvelopes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("documents")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("pages", "integer", (c) => c.notNull())
      .addColumn("page_sizes", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("documents_scope_created")
      .on("documents")
      .columns(["account_id", "environment", "created_at", "id"])
      .execute();
    await db.schema.createIndex("documents_sha256").on("documents").column("sha256").execute();

    await db.schema
      .createTable("envelopes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("message", "text")
      .addColumn("signing_order", "text", (c) => c.notNull())
      .addColumn("metadata", "text", (c) => c.notNull())
      .addColumn("expires_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("sent_at", "text")
      .addColumn("completed_at", "text")
      .addColumn("declined_at", "text")
      .addColumn("voided_at", "text")
      .addColumn("void_reason", "text")
      .execute();
    await db.schema
      .createIndex("envelopes_scope_created")
      .on("envelopes")
      .columns(["account_id", "environment", "created_at", "id"])
      .execute();
    await db.schema
      .createIndex("envelopes_scope_status")
      .on("envelopes")
      .columns(["account_id", "environment", "status", "created_at", "id"])
      .execute();

    await db.schema
      .createTable("envelope_documents")
      .addColumn("envelope_id", "text", (c) =>
        c.notNull().references("envelopes.id").onDelete("cascade"),
      )
      .addColumn("document_id", "text", (c) => c.notNull().references("documents.id"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("envelope_documents_pk", ["envelope_id", "document_id"])
      .execute();
    await db.schema
      .createIndex("envelope_documents_document")
      .on("envelope_documents")
      .column("document_id")
      .execute();

    await db.schema
      .createTable("recipients")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("envelope_id", "text", (c) =>
        c.notNull().references("envelopes.id").onDelete("cascade"),
      )
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("routing_order", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("auth", "text", (c) => c.notNull())
      .addColumn("phone", "text")
      .addColumn("locale", "text")
      .addColumn("token_hash", "text", (c) => c.unique())
      .addColumn("invited_at", "text")
      .addColumn("viewed_at", "text")
      .addColumn("signed_at", "text")
      .addColumn("declined_at", "text")
      .addColumn("decline_reason", "text")
      .execute();
    await db.schema
      .createIndex("recipients_envelope")
      .on("recipients")
      .column("envelope_id")
      .execute();

    await db.schema
      .createTable("fields")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("envelope_id", "text", (c) =>
        c.notNull().references("envelopes.id").onDelete("cascade"),
      )
      .addColumn("recipient_id", "text", (c) =>
        c.notNull().references("recipients.id").onDelete("cascade"),
      )
      .addColumn("document_id", "text", (c) => c.notNull().references("documents.id"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("page", "integer", (c) => c.notNull())
      .addColumn("x", "double precision", (c) => c.notNull())
      .addColumn("y", "double precision", (c) => c.notNull())
      .addColumn("width", "double precision", (c) => c.notNull())
      .addColumn("height", "double precision", (c) => c.notNull())
      .addColumn("required", "integer", (c) => c.notNull())
      .addColumn("auto_placed", "integer", (c) => c.notNull())
      .addColumn("label", "text")
      .addColumn("value", "text")
      .execute();
    await db.schema.createIndex("fields_envelope").on("fields").column("envelope_id").execute();

    await db.schema
      .createTable("events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("envelope_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("sequence", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("recipient_id", "text")
      .addColumn("actor_type", "text", (c) => c.notNull())
      .addColumn("actor_id", "text")
      .addColumn("ip", "text")
      .addColumn("user_agent", "text")
      .addColumn("data", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("previous_hash", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .addUniqueConstraint("events_envelope_sequence", ["envelope_id", "sequence"])
      .execute();
    await db.schema
      .createIndex("events_scope_created")
      .on("events")
      .columns(["account_id", "environment", "created_at", "id"])
      .execute();

    await db.schema
      .createTable("idempotency_keys")
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("response_status", "integer")
      .addColumn("response_body", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["account_id", "environment", "key"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      "idempotency_keys",
      "events",
      "fields",
      "recipients",
      "envelope_documents",
      "envelopes",
      "documents",
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
