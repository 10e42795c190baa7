import { type Kysely, type Migration, sql } from "kysely";

/** When an envelope's documents were sealed, or why sealing was given up. */
export const sealingState: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("envelopes").addColumn("sealed_at", "text").execute();
    await db.schema.alterTable("envelopes").addColumn("sealing_error", "text").execute();
    await sql`
      update envelopes set sealed_at = (
        select min(created_at) from sealed_documents where sealed_documents.envelope_id = envelopes.id
      )
      where exists (select 1 from sealed_documents where sealed_documents.envelope_id = envelopes.id)
    `.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("envelopes").dropColumn("sealing_error").execute();
    await db.schema.alterTable("envelopes").dropColumn("sealed_at").execute();
  },
};
