import { type ExpressionBuilder, type Kysely, type RawBuilder, sql } from "kysely";
import { jsonArrayFrom as postgresJsonArray } from "kysely/helpers/postgres";
import { jsonArrayFrom as sqliteJsonArray } from "kysely/helpers/sqlite";
import type { Dialect } from "./dialect.js";
import { precompiled } from "./precompiled.js";
import type { EnvelopesTable, FieldsTable, RecipientsTable, Tables } from "./schema.js";

/** A document of an envelope, as the envelope shows it. */
export interface EnvelopeDocumentRow {
  envelope_id: string;
  position: number;
  id: string;
  name: string;
  pages: number;
  sha256: string;
}

/** What an envelope shows of each of its recipients: no secret, nothing of their signing session. */
export type EnvelopeRecipientRow = Pick<RecipientsTable, (typeof RECIPIENT_COLUMNS)[number]>;

export interface EnvelopeWithParts {
  envelope: EnvelopesTable;
  documents: EnvelopeDocumentRow[];
  recipients: EnvelopeRecipientRow[];
  fields: FieldsTable[];
}

/** What an envelope shows of each of its documents (an `EnvelopeDocumentRow`). */
export const DOCUMENT_COLUMNS = [
  "envelope_documents.envelope_id",
  "envelope_documents.position",
  "documents.id",
  "documents.name",
  "documents.pages",
  "documents.sha256",
] as const;

// Named one by one: SQLite's json_object needs each column's name (and secrets stay out).
export const RECIPIENT_COLUMNS = [
  "id",
  "envelope_id",
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
] as const satisfies readonly (keyof RecipientsTable)[];

export const FIELD_COLUMNS = [
  "id",
  "envelope_id",
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
] as const satisfies readonly (keyof FieldsTable)[];

type JsonArrayFrom = typeof sqliteJsonArray;

/** The envelope and, as JSON arrays, its documents, recipients and fields: one statement. */
function query(jsonArrayFrom: JsonArrayFrom) {
  return (db: Kysely<Tables>, accountId: string, environment: string, id: string) =>
    db
      .selectFrom("envelopes")
      .selectAll("envelopes")
      .select((eb: ExpressionBuilder<Tables, "envelopes">) => [
        jsonArrayFrom(
          eb
            .selectFrom("envelope_documents")
            .innerJoin("documents", "documents.id", "envelope_documents.document_id")
            .select(DOCUMENT_COLUMNS)
            .whereRef("envelope_documents.envelope_id", "=", "envelopes.id"),
        ).as("parts_documents"),
        jsonArrayFrom(
          eb
            .selectFrom("recipients")
            .select(RECIPIENT_COLUMNS)
            .whereRef("recipients.envelope_id", "=", "envelopes.id"),
        ).as("parts_recipients"),
        jsonArrayFrom(
          eb
            .selectFrom("fields")
            .select(FIELD_COLUMNS)
            .whereRef("fields.envelope_id", "=", "envelopes.id"),
        ).as("parts_fields"),
      ])
      .where("envelopes.account_id", "=", accountId)
      .where("envelopes.environment", "=", environment as EnvelopesTable["environment"])
      .where("envelopes.id", "=", id);
}

const sqliteQuery = precompiled(query(sqliteJsonArray));
const postgresQuery = precompiled(query(postgresJsonArray as unknown as JsonArrayFrom));

type Row = EnvelopesTable & {
  parts_documents: unknown;
  parts_recipients: unknown;
  parts_fields: unknown;
};

/** SQLite answers JSON as text, PostgreSQL's driver parses it; sorted here, not trusted to SQL. */
function parts<T extends { position: number }>(value: unknown): T[] {
  const list = (typeof value === "string" ? JSON.parse(value) : value) as T[];
  return list.sort((a, b) => a.position - b.position);
}

/**
 * On PostgreSQL, the envelope `id` of the account and environment as one JSON value: null if
 * there is none; its `revision` alone (a number) if that is `known`; else the envelope with its
 * parts and its revision (see `0018_envelope_revisions`). The account and environment are values
 * or columns (Kysely takes either).
 */
function revisedEnvelope(
  db: Kysely<Tables>,
  accountId: string | RawBuilder<unknown>,
  environment: string | RawBuilder<unknown>,
  id: string,
  known: number,
): RawBuilder<unknown> {
  const envelope = query(postgresJsonArray as unknown as JsonArrayFrom)(
    db,
    accountId as string,
    environment as string,
    id,
  );
  return sql`(select case when r.revision = ${known} then to_json(r.revision)
    else (select row_to_json(e) from (${envelope}) as e) end
    from envelopes r where r.id = ${id} and r.account_id = ${accountId}
    and r.environment = ${environment})`;
}

/**
 * `revisedEnvelope` of the key being authenticated (`k.account_id`, `k.environment`: see
 * `KeyedRead`), read by the statement that looks the key up.
 */
export function envelopeWithPartsOfKey(
  db: Kysely<Tables>,
  id: string,
  known: number,
): RawBuilder<unknown> {
  return revisedEnvelope(db, sql.ref("k.account_id"), sql.ref("k.environment"), id, known);
}

/** `revisedEnvelope` read alone. */
const revisedEnvelopeQuery = precompiled(
  (db: Kysely<Tables>, accountId: string, environment: string, id: string, known: number) => {
    const statement = sql<{
      value: unknown;
    }>`select ${revisedEnvelope(db, accountId, environment, id, known)} as value`;
    return { compile: () => statement.compile(db) };
  },
);

/** On PostgreSQL, what `revisedEnvelope` answers, read alone (`envelopeWithPartsFromJson`). */
export async function revisedEnvelopeWithParts(
  db: Kysely<Tables>,
  accountId: string,
  environment: string,
  id: string,
  known: number,
): Promise<unknown> {
  const [row] = await revisedEnvelopeQuery(db, accountId, environment, id, known);
  return row?.value ?? null;
}

/**
 * What `revisedEnvelope` answered: the envelope as `envelopeWithParts` answers it with its
 * revision, the revision alone, or nothing.
 */
export function envelopeWithPartsFromJson(
  value: unknown,
): { found: EnvelopeWithParts; revision: number } | number | undefined {
  if (typeof value === "number") return value;
  if (!value) return undefined;
  const row = value as Row & { revision: number };
  return { found: withParts(row), revision: row.revision };
}

/**
 * Envelope `id` of the account and environment with its documents (in order), recipients and
 * fields, read by one statement (one round trip to PostgreSQL, where four took four); `undefined`
 * if there is none.
 */
export async function envelopeWithParts(
  db: Kysely<Tables>,
  dialect: Dialect,
  accountId: string,
  environment: string,
  id: string,
): Promise<EnvelopeWithParts | undefined> {
  const read = dialect === "postgres" ? postgresQuery : sqliteQuery;
  const [row] = (await read(db, accountId, environment, id)) as unknown as Row[];
  return row && withParts(row);
}

function withParts(row: Row): EnvelopeWithParts {
  // The row is the envelope: the parts' three columns stay on it, unread (copying the row
  // without them costs a microsecond, a slow path of V8's).
  return {
    envelope: row,
    documents: parts(row.parts_documents),
    recipients: parts(row.parts_recipients),
    fields: parts(row.parts_fields),
  };
}
