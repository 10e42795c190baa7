import { type Kysely, type Migration, sql } from "kysely";
import type { Dialect } from "../dialect.js";

export const foundation = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("accounts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
      .addColumn("environment", "text", (c) => c.notNull().check(sqlEnvironmentCheck()))
      .addColumn("name", "text")
      .addColumn("secret_hash", "text", (c) => c.notNull().unique())
      .addColumn("last4", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("last_used_at", "text")
      .addColumn("revoked_at", "text")
      .addColumn("rate_limit_per_minute", "integer")
      .addColumn("rate_limit_burst", "integer")
      .execute();
    await db.schema
      .createIndex("api_keys_scope_created")
      .on("api_keys")
      .columns(["account_id", "environment", "created_at", "id"])
      .execute();

    await db.schema
      .createTable("rate_limit_buckets")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("tokens", "double precision", (c) => c.notNull())
      .addColumn("updated_at_ms", "double precision", (c) => c.notNull())
      .addColumn("last_take_allowed", "integer", (c) => c.notNull())
      .execute();
    if (dialect === "postgres") {
      // Buckets are rewritten on every request and worthless after a crash: skip the WAL.
      await sql`alter table rate_limit_buckets set unlogged`.execute(db);
    }
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("rate_limit_buckets").execute();
    await db.schema.dropTable("api_keys").execute();
    await db.schema.dropTable("accounts").execute();
  },
});

function sqlEnvironmentCheck() {
  return sql`environment in ('test', 'live')`;
}
