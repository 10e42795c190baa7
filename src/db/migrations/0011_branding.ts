import type { Kysely, Migration } from "kysely";

/**
 * An account's branding, shown to its recipients on the signing pages and in the emails: the
 * name to show, the colour of buttons and links, and a small logo (a data: URL, at most 200 KB).
 */
export const branding: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("accounts").addColumn("display_name", "text").execute();
    await db.schema.alterTable("accounts").addColumn("accent_color", "text").execute();
    await db.schema.alterTable("accounts").addColumn("logo", "text").execute();
    await db.schema.alterTable("accounts").addColumn("branding_updated_at", "text").execute();
  },
};
