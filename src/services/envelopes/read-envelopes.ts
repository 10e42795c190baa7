import { type Kysely, sql } from "kysely";
import {
  DOCUMENT_COLUMNS,
  type EnvelopeDocumentRow,
  type EnvelopeRecipientRow,
  type EnvelopeWithParts,
  envelopeWithParts,
  envelopeWithPartsFromJson,
  envelopeWithPartsOfKey,
  FIELD_COLUMNS,
  RECIPIENT_COLUMNS,
  revisedEnvelopeWithParts,
} from "../../db/envelope-with-parts.js";
import { type ListFilters, listNewestFirst } from "../../db/pagination.js";
import type { EnvelopesTable, FieldsTable, Tables } from "../../db/schema.js";
import type { EnvelopeStatus } from "../../domain/envelope-lifecycle.js";
import type { Scope } from "../../domain/environment.js";
import { notFound } from "../../domain/errors.js";
import type { FieldType } from "../../domain/fields.js";
import type { Page } from "../../domain/pagination.js";
import {
  acts,
  awaitsAction,
  type RecipientAuth,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../../domain/recipients.js";
import { parseReminderPolicy } from "../../domain/reminders.js";
import type { KeyedRead } from "../api-keys.js";
import { recipientChannels } from "../notifications/index.js";
import type { Envelope, EnvelopeDeps, EnvelopeListRequest, Field } from "./types.js";

/** What turning rows into an envelope needs: its recipients' links. */
type Links = Pick<EnvelopeDeps, "tokens" | "publicUrl">;

/** A LIKE pattern matching `text` anywhere, its own `%`, `_` and `!` taken literally (`escape '!'`). */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** What `GET /envelopes` filters on: the status, and the search. */
export function envelopeListFilters(request: EnvelopeListRequest): ListFilters {
  return {
    filters: { status: request.status },
    condition: request.q?.trim() ? matching(request.q) : undefined,
  };
}

/** Envelopes whose subject, or a recipient's name or email, contains `q`. */
function matching(q: string) {
  const pattern = containing(q.trim());
  return sql<boolean>`(lower(subject) like ${pattern} escape '!' or exists (select 1 from recipients r where r.envelope_id = envelopes.id and (lower(r.email) like ${pattern} escape '!' or lower(r.name) like ${pattern} escape '!')))`;
}

const documentsOf = (db: Kysely<Tables>, ids: string[]) =>
  db
    .selectFrom("envelope_documents")
    .innerJoin("documents", "documents.id", "envelope_documents.document_id")
    .select(DOCUMENT_COLUMNS)
    .where("envelope_documents.envelope_id", "in", ids)
    .orderBy("envelope_documents.position");
const recipientsOf = (db: Kysely<Tables>, ids: string[]) =>
  db
    .selectFrom("recipients")
    .select(RECIPIENT_COLUMNS)
    .where("envelope_id", "in", ids)
    .orderBy("position");
const fieldsOf = (db: Kysely<Tables>, ids: string[]) =>
  db.selectFrom("fields").select(FIELD_COLUMNS).where("envelope_id", "in", ids).orderBy("position");

/** The envelope of the request's `id`, read by the statement that looks its key up (PostgreSQL). */
export const ENVELOPE_OF_KEY: KeyedRead = { build: envelopeWithPartsOfKey };

export async function listEnvelopes(
  deps: EnvelopeDeps,
  scope: Scope,
  request: EnvelopeListRequest,
): Promise<Page<Envelope>> {
  const page = await listNewestFirst(
    deps.db,
    "envelopes",
    scope,
    request,
    "an envelope",
    envelopeListFilters(request),
  );
  return { ...page, data: await assemble(deps, deps.db, page.data) };
}

/** The revision of envelope `id` this instance keeps, for a revised read (-1: none). */
export function keptRevision(deps: EnvelopeDeps, id: string): number {
  return deps.revised?.revisionOf(id) ?? -1;
}

/** The envelope `id` of `scope` that `ENVELOPE_OF_KEY` answered with the caller's key. */
export async function envelopeFromKeyedRead(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  value: unknown,
): Promise<Envelope> {
  const found = await fromRevised(deps, scope, id, value);
  if (!found) throw notFound("envelope", id);
  return envelopeOf(deps, found);
}

/**
 * The rows a revised read answered (`revisedEnvelope`), kept with their revision; the kept rows if
 * it answered their revision, unless another read made room for others meanwhile (then read in
 * full).
 */
async function fromRevised(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  value: unknown,
): Promise<EnvelopeWithParts | undefined> {
  const answer = envelopeWithPartsFromJson(value);
  if (answer === undefined) return undefined;
  if (typeof answer === "number") {
    return (
      deps.revised?.get(id, answer) ??
      envelopeWithParts(deps.db, deps.dialect, scope.accountId, scope.environment, id)
    );
  }
  deps.revised?.set(id, answer.found, answer.revision);
  return answer.found;
}

/** The envelope `id` of `scope`; within a transaction, pass it as `db`. */
export async function getEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  db: Kysely<Tables> = deps.db,
): Promise<Envelope> {
  return envelopeOf(deps, await getEnvelopeRows(deps, scope, id, db));
}

/** The rows of the envelope `id` of `scope` and of its parts (`getEnvelope` before mapping). */
export async function getEnvelopeRows(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  db: Kysely<Tables> = deps.db,
): Promise<EnvelopeWithParts> {
  const load = () => envelopeWithParts(db, deps.dialect, scope.accountId, scope.environment, id);
  let found: EnvelopeWithParts | undefined;
  // What a transaction reads may not be committed yet: never kept.
  if (db !== deps.db) found = await load();
  else if (deps.kept) found = await deps.kept.read(scope, id, load);
  else if (deps.revised) {
    const known = deps.revised.revisionOf(id);
    const value = await revisedEnvelopeWithParts(db, scope.accountId, scope.environment, id, known);
    found = await fromRevised(deps, scope, id, value);
  } else found = await load();
  if (!found) throw notFound("envelope", id);
  return found;
}

/** The envelope its rows make (a write that has them at hand need not read them again). */
export function envelopeOf(links: Links, rows: EnvelopeWithParts): Envelope {
  return toEnvelope(links, rows.envelope, rows.documents, rows.recipients, rows.fields);
}

/** Envelopes with their documents, recipients and fields, in three queries for any count. */
async function assemble(
  links: Links,
  db: Kysely<Tables>,
  rows: EnvelopesTable[],
): Promise<Envelope[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [documentRows, recipientRows, fieldRows] = await Promise.all([
    documentsOf(db, ids).execute(),
    recipientsOf(db, ids).execute(),
    fieldsOf(db, ids).execute(),
  ]);
  return rows.map((row) => toEnvelope(links, row, documentRows, recipientRows, fieldRows));
}

/** An envelope from its row and its parts (those of other envelopes among them are left out). */
function toEnvelope(
  links: Links,
  row: EnvelopesTable,
  documentRows: readonly EnvelopeDocumentRow[],
  recipientRows: readonly EnvelopeRecipientRow[],
  fieldRows: readonly FieldsTable[],
): Envelope {
  const sent = row.status !== "DRAFT";
  return {
    id: row.id,
    status: row.status as EnvelopeStatus,
    subject: row.subject,
    message: row.message,
    environment: row.environment,
    signingOrder: row.signing_order as SigningOrder,
    documents: documentRows
      .filter((d) => d.envelope_id === row.id)
      .map((d) => ({ id: d.id, name: d.name, pages: d.pages, sha256: d.sha256 })),
    recipients: recipientRows
      .filter((r) => r.envelope_id === row.id)
      .map((r) => ({
        id: r.id,
        email: r.email,
        name: r.name,
        role: r.role as RecipientRole,
        order: r.routing_order,
        status: r.status as RecipientStatus,
        auth: r.auth as RecipientAuth,
        phone: r.phone,
        locale: r.locale,
        channels: recipientChannels(r),
        ...signingLink(links, sent && acts(r.role as RecipientRole) ? r.id : null),
        invitedAt: r.invited_at,
        viewedAt: r.viewed_at,
        signedAt: r.signed_at,
        declinedAt: r.declined_at,
        declineReason: r.decline_reason,
        remindersSent: r.reminders_sent,
        lastRemindedAt: r.last_reminded_at,
        nextReminderAt:
          row.status === "SENT" && awaitsAction(r.status as RecipientStatus)
            ? r.next_reminder_at
            : null,
        fields: fieldRows.filter((f) => f.recipient_id === r.id).map(toField),
        redirectUrl: r.redirect_url,
      })),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    expiresAt: row.expires_at,
    reminders: parseReminderPolicy(row.reminders),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    completedAt: row.completed_at,
    declinedAt: row.declined_at,
    voidedAt: row.voided_at,
    voidReason: row.void_reason,
    expiredAt: row.expired_at,
    sealedAt: row.sealed_at,
    sealingError: row.sealing_error,
    redirectUrl: row.redirect_url,
  };
}

/** A recipient's link and its token, for one who signs or approves once sent; else nulls. */
function signingLink(
  links: Links,
  recipientId: string | null,
): { signUrl: string | null; signingToken: string | null } {
  if (!recipientId) return { signUrl: null, signingToken: null };
  const token = links.tokens.tokenFor(recipientId);
  return { signUrl: `${links.publicUrl}/sign/${token}`, signingToken: token };
}

function toField(row: FieldsTable): Field {
  return {
    id: row.id,
    type: row.type as FieldType,
    documentId: row.document_id,
    page: row.page,
    x: row.x,
    y: row.y,
    width: row.width,
    height: row.height,
    required: row.required === 1,
    label: row.label,
    value: row.value,
    autoPlaced: row.auto_placed === 1,
  };
}
