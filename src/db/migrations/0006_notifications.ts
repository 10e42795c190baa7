import type { Kysely, Migration } from "kysely";

/**
 * Messages to send (one row per message and address, written with the event that calls for it),
 * each account's notification settings, and what reminders and expiry need.
 */
export const notifications: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("notifications")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("envelope_id", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("recipient_id", "text")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("locale", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("last_error", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("sent_at", "text")
      .addUniqueConstraint("notifications_once", ["event_id", "channel", "address"])
      .execute();
    await db.schema
      .createIndex("notifications_envelope")
      .on("notifications")
      .columns(["envelope_id", "created_at"])
      .execute();

    await db.schema
      .createIndex("notifications_recipient")
      .on("notifications")
      .columns(["recipient_id", "kind"])
      .execute();

    await db.schema
      .createTable("account_settings")
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("sender_emails", "text", (c) => c.notNull())
      .addColumn("sender_locale", "text", (c) => c.notNull())
      .addColumn("reminders", "text")
      .addColumn("expires_after_days", "integer")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("account_settings_pk", ["account_id", "environment"])
      .execute();

    await db.schema.alterTable("envelopes").addColumn("reminders", "text").execute();
    await db.schema.alterTable("envelopes").addColumn("expired_at", "text").execute();
    await db.schema
      .createIndex("envelopes_expiry")
      .on("envelopes")
      .columns(["status", "expires_at"])
      .execute();
    await db.schema
      .alterTable("recipients")
      .addColumn("reminders_sent", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable("recipients").addColumn("channels", "text").execute();
    await db.schema.alterTable("recipients").addColumn("last_reminded_at", "text").execute();
    await db.schema.alterTable("recipients").addColumn("next_reminder_at", "text").execute();
    await db.schema
      .createIndex("recipients_next_reminder")
      .on("recipients")
      .column("next_reminder_at")
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("recipients_next_reminder").execute();
    await db.schema.alterTable("recipients").dropColumn("next_reminder_at").execute();
    await db.schema.alterTable("recipients").dropColumn("last_reminded_at").execute();
    await db.schema.alterTable("recipients").dropColumn("channels").execute();
    await db.schema.alterTable("recipients").dropColumn("reminders_sent").execute();
    await db.schema.dropIndex("envelopes_expiry").execute();
    await db.schema.alterTable("envelopes").dropColumn("expired_at").execute();
    await db.schema.alterTable("envelopes").dropColumn("reminders").execute();
    await db.schema.dropTable("account_settings").execute();
    await db.schema.dropTable("notifications").execute();
  },
};
