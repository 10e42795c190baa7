import { type Kysely, type Migration, sql } from "kysely";
import type { Dialect } from "../dialect.js";

/**
 * The recipients' and fields' columns an envelope shows (`RECIPIENT_COLUMNS`, `FIELD_COLUMNS`),
 * as they are when this migration ships: a copy, since a migration never changes once shipped.
 * `test/api/envelope-reads.test.ts` checks that the triggers watch the columns shown today.
 */
const SHOWN_COLUMNS = {
  recipients: [
    "position",
    "email",
    "name",
    "role",
    "routing_order",
    "status",
    "auth",
    "phone",
    "locale",
    "invited_at",
    "viewed_at",
    "signed_at",
    "declined_at",
    "decline_reason",
    "channels",
    "reminders_sent",
    "last_reminded_at",
    "next_reminder_at",
    "redirect_url",
  ],
  fields: [
    "recipient_id",
    "document_id",
    "position",
    "type",
    "page",
    "x",
    "y",
    "width",
    "height",
    "required",
    "auto_placed",
    "label",
    "value",
  ],
  envelope_documents: ["position", "document_id"],
} as const;

/**
 * On PostgreSQL, each envelope's `revision`: a number that every committed change of the envelope
 * or of what it shows of its documents, recipients and fields moves forward, kept so by triggers
 * (whatever the statement, whoever runs it). An instance keeps the envelopes it read with their
 * revision, and the GET's statement reads the parts again only when the revision moved
 * (`RevisedEnvelopes`). SQLite instances know when anything was committed (`SqliteCommits`) and
 * need no revision: there the column does not exist, and no write pays for triggers.
 *
 * A change of a part locks the envelope's row (the trigger's update): each transaction that
 * changes parts locks the envelope first (`lockEnvelope`), so that two never wait for each other.
 */
export function envelopeRevisions(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== "postgres") return;
      await sql`alter table envelopes add column revision bigint not null default 0`.execute(db);
      await sql`
        create function certyneo_envelope_revised() returns trigger language plpgsql as $$
        begin
          new.revision := old.revision + 1;
          return new;
        end $$`.execute(db);
      await sql`
        create trigger envelopes_revised before update on envelopes
        for each row execute function certyneo_envelope_revised()`.execute(db);
      // Inserted and deleted parts: once per statement, for the envelopes of its rows; updated
      // parts: per row, and only when a column the envelope shows is set. An envelope whose row
      // this transaction wrote already (created it, changed it, or moved its revision) is left
      // alone: its next committed revision is new whatever else the transaction changes. Its row's
      // xmin is then this transaction's id (not a subtransaction's: those move it again). Read as
      // a 64-bit id, the xmin of an older row never passes for this transaction's once the ids
      // pass 2^32: each change then moves the revision, as if this test were not made.
      await sql`
        create function certyneo_parts_changed() returns trigger language plpgsql as $$
        begin
          update envelopes set revision = revision + 1
          where id in (select distinct envelope_id from changed)
            and xmin::text::xid8 <> pg_current_xact_id();
          return null;
        end $$`.execute(db);
      await sql`
        create function certyneo_part_updated() returns trigger language plpgsql as $$
        begin
          update envelopes set revision = revision + 1
          where id = new.envelope_id and xmin::text::xid8 <> pg_current_xact_id();
          return null;
        end $$`.execute(db);
      for (const [table, columns] of Object.entries(SHOWN_COLUMNS)) {
        await sql`
          create trigger ${sql.id(`${table}_inserted`)} after insert on ${sql.table(table)}
          referencing new table as changed
          for each statement execute function certyneo_parts_changed()`.execute(db);
        await sql`
          create trigger ${sql.id(`${table}_deleted`)} after delete on ${sql.table(table)}
          referencing old table as changed
          for each statement execute function certyneo_parts_changed()`.execute(db);
        await sql`
          create trigger ${sql.id(`${table}_updated`)}
          after update of ${sql.join(columns.map((c) => sql.id(c)))} on ${sql.table(table)}
          for each row execute function certyneo_part_updated()`.execute(db);
      }
      // A document's name, pages and hash do not change today; if they ever do, its envelopes show it.
      await sql`
        create function certyneo_document_updated() returns trigger language plpgsql as $$
        begin
          update envelopes set revision = revision + 1
          where id in (select envelope_id from envelope_documents where document_id = new.id)
            and xmin::text::xid8 <> pg_current_xact_id();
          return null;
        end $$`.execute(db);
      await sql`
        create trigger documents_updated after update of name, pages, sha256 on documents
        for each row execute function certyneo_document_updated()`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      if (dialect !== "postgres") return;
      for (const table of Object.keys(SHOWN_COLUMNS))
        for (const change of ["inserted", "deleted", "updated"])
          await sql`drop trigger ${sql.id(`${table}_${change}`)} on ${sql.table(table)}`.execute(
            db,
          );
      await sql`drop trigger documents_updated on documents`.execute(db);
      await sql`drop trigger envelopes_revised on envelopes`.execute(db);
      for (const name of [
        "certyneo_document_updated",
        "certyneo_part_updated",
        "certyneo_parts_changed",
        "certyneo_envelope_revised",
      ])
        await sql`drop function ${sql.id(name)}()`.execute(db);
      await sql`alter table envelopes drop column revision`.execute(db);
    },
  };
}
