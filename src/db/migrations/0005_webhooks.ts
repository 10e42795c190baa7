import type { Kysely, Migration } from "kysely";

/** Webhook endpoints, one delivery per (endpoint, event), and every attempt of each. */
export const webhooks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("webhooks")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("events", "text")
      .addColumn("secret_sealed", "text", (c) => c.notNull())
      .addColumn("previous_secret_sealed", "text")
      .addColumn("previous_secret_expires_at", "text")
      .addColumn("failing_since", "text")
      .addColumn("disabled_at", "text")
      .addColumn("disabled_reason", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("webhooks_scope_created")
      .on("webhooks")
      .columns(["account_id", "environment", "created_at", "id"])
      .execute();

    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("webhook_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("event_type", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("delivered_at", "text")
      .addUniqueConstraint("webhook_deliveries_once", ["webhook_id", "event_id"])
      .execute();

    await db.schema
      .createTable("webhook_attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("delivery_id", "text", (c) => c.notNull())
      .addColumn("webhook_id", "text", (c) => c.notNull())
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("next_retry_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("webhook_attempts_webhook")
      .on("webhook_attempts")
      .columns(["webhook_id", "created_at", "id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("webhook_attempts").execute();
    await db.schema.dropTable("webhook_deliveries").execute();
    await db.schema.dropTable("webhooks").execute();
  },
};
