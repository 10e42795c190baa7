import type { Kysely, Migration } from "kysely";

/**
 * Where the signing page sends a recipient after they sign or decline: the envelope's, and a
 * recipient's own (which wins over it). Null: the page stays where it is.
 */
export const redirectUrls: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("envelopes").addColumn("redirect_url", "text").execute();
    await db.schema.alterTable("recipients").addColumn("redirect_url", "text").execute();
  },
};
