import { type Kysely, sql } from "kysely";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { Dialect } from "../db/dialect.js";
import {
  DOCUMENT_COLUMNS,
  type EnvelopeDocumentRow,
  type EnvelopeRecipientRow,
  envelopeWithParts,
  envelopeWithPartsFromJson,
  envelopeWithPartsOfKey,
  FIELD_COLUMNS,
  RECIPIENT_COLUMNS,
} from "../db/envelope-with-parts.js";
import { insertRows } from "../db/insert-rows.js";
import { lockEnvelope } from "../db/locks.js";
import { type ListFilters, listNewestFirst } from "../db/pagination.js";
import type { EnvelopesTable, FieldsTable, RecipientsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import {
  type EnvelopeAction,
  type EnvelopeStatus,
  transition,
} from "../domain/envelope-lifecycle.js";
import type { Environment, Scope } from "../domain/environment.js";
import { CertyneoError, notFound } from "../domain/errors.js";
import {
  autoSignaturePlacement,
  checkFieldPlacement,
  type DocumentPages,
  type FieldPlacement,
  type FieldType,
} from "../domain/fields.js";
import type { Page, PageRequest } from "../domain/pagination.js";
import {
  acts,
  awaitsAction,
  defaultOrder,
  type RecipientAuth,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../domain/recipients.js";
import {
  DAY_MS,
  parseReminderPolicy,
  type ReminderPolicy,
  serializeReminderPolicy,
} from "../domain/reminders.js";
import { newId, newIdIn } from "../security/random.js";
import { SigningTokens } from "../security/signing-tokens.js";
import { type AccountSettingsService, checkReminderPolicy } from "./account-settings.js";
import type { KeyedRead } from "./api-keys.js";
import type { DocumentService } from "./documents.js";
import type { ActionContext, EventLog } from "./event-log.js";
import { inviteCurrentStage } from "./invitations.js";
import { type Channel, recipientChannels } from "./notifications.js";
import { checkPrintable } from "./printable.js";

export interface FieldInput extends FieldPlacement {
  readonly required?: boolean | undefined;
  readonly label?: string | undefined;
}

export interface RecipientInput {
  readonly email: string;
  readonly name: string;
  readonly role: RecipientRole;
  readonly order?: number | undefined;
  readonly phone?: string | undefined;
  readonly auth?: RecipientAuth | undefined;
  readonly locale?: string | undefined;
  /** How invitations and reminders reach them; default email only. */
  readonly channels?: readonly Channel[] | undefined;
  readonly fields?: readonly FieldInput[] | undefined;
  /** Where the signing page sends them after they sign or decline; wins over the envelope's. */
  readonly redirectUrl?: string | undefined;
}

export interface EnvelopeInput {
  readonly subject: string;
  readonly message?: string | null | undefined;
  readonly documentIds: readonly string[];
  readonly recipients: readonly RecipientInput[];
  readonly signingOrder?: SigningOrder | undefined;
  readonly expiresAt?: string | null | undefined;
  /** Absent: the account's default; `null`: none. */
  readonly reminders?: ReminderPolicy | null | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** Where the signing page sends recipients after they sign or decline, unless they have their own. */
  readonly redirectUrl?: string | null | undefined;
}

export type EnvelopePatch = Partial<EnvelopeInput>;

export interface Field extends FieldPlacement {
  id: string;
  required: boolean;
  label: string | null;
  value: string | null;
  autoPlaced: boolean;
}

export interface Recipient {
  id: string;
  email: string;
  name: string;
  role: RecipientRole;
  order: number;
  status: RecipientStatus;
  auth: RecipientAuth;
  phone: string | null;
  locale: string | null;
  channels: Channel[];
  signUrl: string | null;
  /** The token of `signUrl`, for the signer API (`/api/v1/signing/{token}`). */
  signingToken: string | null;
  invitedAt: string | null;
  viewedAt: string | null;
  signedAt: string | null;
  declinedAt: string | null;
  declineReason: string | null;
  remindersSent: number;
  lastRemindedAt: string | null;
  nextReminderAt: string | null;
  fields: Field[];
  /** Their own, as given; the envelope's applies when it is null. */
  redirectUrl: string | null;
}

export interface Envelope {
  id: string;
  status: EnvelopeStatus;
  subject: string;
  message: string | null;
  environment: Environment;
  signingOrder: SigningOrder;
  documents: { id: string; name: string; pages: number; sha256: string }[];
  recipients: Recipient[];
  metadata: Record<string, string>;
  expiresAt: string | null;
  reminders: ReminderPolicy | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  completedAt: string | null;
  declinedAt: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  expiredAt: string | null;
  sealedAt: string | null;
  sealingError: string | null;
  redirectUrl: string | null;
}

export interface EnvelopeListRequest extends PageRequest {
  readonly status?: EnvelopeStatus | undefined;
  /** Words in the subject, or a recipient's name or email, whatever their case. */
  readonly q?: string | undefined;
}

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

/** A validated envelope definition, ready to be written. */
interface EnvelopeSpec {
  subject: string;
  message: string | null;
  documentIds: string[];
  recipients: (Omit<RecipientInput, "fields" | "order" | "channels"> & {
    order: number;
    channels: Channel[];
    fields: (FieldInput & { autoPlaced: boolean })[];
  })[];
  signingOrder: SigningOrder;
  expiresAt: string | null;
  reminders: ReminderPolicy | null;
  metadata: Record<string, string>;
  redirectUrl: string | null;
}

/** The longest `redirectUrl` accepted. */
const MAX_REDIRECT_URL_LENGTH = 2000;

function unprocessable(code: string, message: string, param?: string): CertyneoError {
  return new CertyneoError("unprocessable", code, message, param);
}

/** A number SMS can reach, in E.164 form; a number that cannot exist is a 422 now, not a lost SMS later. */
function e164(phone: string, param: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed?.isValid()) {
    throw unprocessable(
      "recipient_phone_invalid",
      `"${phone}" is not a valid phone number in E.164 form (e.g. +33612345678).`,
      param,
    );
  }
  return parsed.number;
}

/**
 * A `redirectUrl` the signing page can send a recipient to: absolute, `https:` (also `http:` in
 * the test environment, for integrations running locally), no user name or password, at most
 * 2000 characters. Kept as given.
 */
function checkRedirectUrl(value: string, environment: Environment, param: string): string {
  const schemes = environment === "test" ? "an https: or http: URL" : "an https: URL";
  const refuse = (problem: string) =>
    unprocessable(
      "redirect_url_invalid",
      `${problem} A redirectUrl is ${schemes}, absolute (https://example.com/done), without a user name or password, at most ${MAX_REDIRECT_URL_LENGTH} characters.`,
      param,
    );
  if (value.length > MAX_REDIRECT_URL_LENGTH)
    throw refuse(`This URL is ${value.length} characters long.`);
  // The URL parser drops tabs and line breaks and trims spaces: what is stored is what is meant.
  if ([...value].some((c) => c <= " " || c === "\u007f" || /\s/.test(c)))
    throw refuse("This URL contains spaces or control characters.");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse("This is not an absolute URL.");
  }
  const allowed = environment === "test" ? ["https:", "http:"] : ["https:"];
  if (!allowed.includes(url.protocol)) {
    const live = url.protocol === "http:" ? " in the live environment" : "";
    throw refuse(`The scheme ${url.protocol} is not accepted${live}.`);
  }
  if (url.username || url.password) throw refuse("This URL carries a user name or password.");
  return value;
}

// What an envelope is made of, by envelope ids: documents in order, recipients, fields.
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

export class EnvelopeService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly documents: DocumentService,
    private readonly events: EventLog,
    private readonly tokens: SigningTokens,
    private readonly settings: AccountSettingsService,
    private readonly publicUrl: string,
  ) {}

  async create(scope: Scope, input: EnvelopeInput, context: ActionContext): Promise<Envelope> {
    const reminders =
      input.reminders === undefined ? (await this.settings.get(scope)).reminders : input.reminders;
    const spec = await this.validate(scope, { ...input, reminders });
    const now = this.clock.now().toISOString();
    const row: EnvelopesTable = {
      id: newId("env"),
      account_id: scope.accountId,
      environment: scope.environment,
      status: "DRAFT",
      subject: spec.subject,
      message: spec.message,
      signing_order: spec.signingOrder,
      metadata: JSON.stringify(spec.metadata),
      expires_at: spec.expiresAt,
      reminders: serializeReminderPolicy(spec.reminders),
      redirect_url: spec.redirectUrl,
      created_at: now,
      updated_at: now,
      sent_at: null,
      completed_at: null,
      declined_at: null,
      voided_at: null,
      void_reason: null,
      expired_at: null,
      sealed_at: null,
      sealing_error: null,
    };
    return this.db.transaction().execute(async (trx) => {
      await insertRows(trx, "envelopes", [row]);
      await this.writeContents(trx, row.id, spec, []);
      const snapshot = this.snapshotOf(scope, row.id, trx);
      await this.events.append(trx, { id: row.id, scope, snapshot, justCreated: true }, context, [
        { type: "envelope.created" },
      ]);
      return snapshot();
    });
  }

  /** The envelope as it stands within `trx`, read once however often asked (see `EventSubject`). */
  private snapshotOf(scope: Scope, id: string, trx: Kysely<Tables>): () => Promise<Envelope> {
    let read: Promise<Envelope> | undefined;
    return () => (read ??= this.get(scope, id, trx));
  }

  async list(scope: Scope, request: EnvelopeListRequest): Promise<Page<Envelope>> {
    const page = await listNewestFirst(
      this.db,
      "envelopes",
      scope,
      request,
      "an envelope",
      envelopeListFilters(request),
    );
    return { ...page, data: await this.assemble(this.db, page.data) };
  }

  /** The envelope `id` that `ENVELOPE_OF_KEY` answered with the caller's key. */
  fromKeyedRead(id: string, value: unknown): Envelope {
    const found = envelopeWithPartsFromJson(value);
    if (!found) throw notFound("envelope", id);
    return this.toEnvelope(found.envelope, found.documents, found.recipients, found.fields);
  }

  /** The envelope `id` of `scope`; within a transaction, pass it as `db`. */
  async get(scope: Scope, id: string, db: Kysely<Tables> = this.db): Promise<Envelope> {
    const found = await envelopeWithParts(db, this.dialect, scope.accountId, scope.environment, id);
    if (!found) throw notFound("envelope", id);
    return this.toEnvelope(found.envelope, found.documents, found.recipients, found.fields);
  }

  /** Replaces the given top-level fields of a draft; what is absent keeps its value. */
  async update(
    scope: Scope,
    id: string,
    patch: EnvelopePatch,
    context: ActionContext,
  ): Promise<Envelope> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockWithParts(trx, scope, id);
      this.allow(current.status, "update");
      const merged: EnvelopeInput = {
        subject: patch.subject ?? current.subject,
        message: patch.message !== undefined ? patch.message : current.message,
        documentIds: patch.documentIds ?? current.documents.map((d) => d.id),
        // A new signing order re-derives the kept recipients' default order from their position.
        recipients:
          patch.recipients ??
          current.recipients.map((r) => ({
            ...toRecipientInput(r),
            order: patch.signingOrder ? undefined : r.order,
          })),
        signingOrder: patch.signingOrder ?? current.signingOrder,
        expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : current.expiresAt,
        reminders: patch.reminders !== undefined ? patch.reminders : current.reminders,
        metadata: patch.metadata ?? current.metadata,
        redirectUrl: patch.redirectUrl !== undefined ? patch.redirectUrl : current.redirectUrl,
      };
      const spec = await this.validate(scope, merged, trx);
      await trx
        .updateTable("envelopes")
        .set({
          subject: spec.subject,
          message: spec.message,
          signing_order: spec.signingOrder,
          metadata: JSON.stringify(spec.metadata),
          expires_at: spec.expiresAt,
          reminders: serializeReminderPolicy(spec.reminders),
          redirect_url: spec.redirectUrl,
          updated_at: this.clock.now().toISOString(),
        })
        .where("id", "=", id)
        .execute();
      await trx.deleteFrom("fields").where("envelope_id", "=", id).execute();
      await trx.deleteFrom("recipients").where("envelope_id", "=", id).execute();
      await trx.deleteFrom("envelope_documents").where("envelope_id", "=", id).execute();
      // Recipients keep their ids unless the patch replaces them.
      const keptIds = patch.recipients ? [] : current.recipients.map((r) => r.id);
      await this.writeContents(trx, id, spec, keptIds);
      const snapshot = this.snapshotOf(scope, id, trx);
      await this.events.append(trx, { id, scope, snapshot }, context, [
        { type: "envelope.updated", data: { fields: Object.keys(patch).sort() } },
      ]);
      return snapshot();
    });
  }

  /**
   * A draft is deleted; a sent envelope is voided (its links stop working); a finished one is
   * left alone.
   */
  async delete(
    scope: Scope,
    id: string,
    reason: string | undefined,
    context: ActionContext,
  ): Promise<{ deleted: true } | { deleted: false; envelope: Envelope }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lock(trx, scope, id);
      if (row.status === "DRAFT") {
        this.allow(row.status, "delete");
        await this.events.append(trx, { id, scope }, context, [{ type: "envelope.deleted" }]);
        await trx.deleteFrom("fields").where("envelope_id", "=", id).execute();
        await trx.deleteFrom("recipients").where("envelope_id", "=", id).execute();
        await trx.deleteFrom("envelope_documents").where("envelope_id", "=", id).execute();
        await trx.deleteFrom("envelopes").where("id", "=", id).execute();
        return { deleted: true as const };
      }
      this.allow(row.status, "void");
      const now = this.clock.now().toISOString();
      await trx
        .updateTable("envelopes")
        .set({ status: "VOIDED", voided_at: now, void_reason: reason ?? null, updated_at: now })
        .where("id", "=", id)
        .execute();
      const snapshot = this.snapshotOf(scope, id, trx);
      await this.events.append(trx, { id, scope, snapshot }, context, [
        { type: "envelope.voided", data: { reason: reason ?? null } },
      ]);
      return { deleted: false as const, envelope: await snapshot() };
    });
  }

  async send(scope: Scope, id: string, context: ActionContext): Promise<Envelope> {
    return this.db.transaction().execute(async (trx) => {
      const envelope = await this.lockWithParts(trx, scope, id);
      this.allow(envelope.status, "send");
      this.checkSendable(envelope);
      const now = this.clock.now().toISOString();
      // CC recipients get a link too: it downloads the signed copy once the envelope completes.
      await setTokenHashes(
        trx,
        envelope.recipients.map((r) => ({
          id: r.id,
          hash: SigningTokens.hash(this.tokens.tokenFor(r.id)),
        })),
      );
      const expiresAt =
        envelope.expiresAt ??
        new Date(
          this.clock.now().getTime() +
            (await this.settings.get(scope, trx)).expiresAfterDays * DAY_MS,
        ).toISOString();
      const invited = await inviteCurrentStage(trx, id, envelope.signingOrder, now, {
        recipients: envelope.recipients,
        reminders: envelope.reminders,
      });
      await trx
        .updateTable("envelopes")
        .set({ status: "SENT", sent_at: now, updated_at: now, expires_at: expiresAt })
        .where("id", "=", id)
        .execute();
      const snapshot = this.snapshotOf(scope, id, trx);
      await this.events.append(trx, { id, scope, snapshot }, context, [
        { type: "envelope.sent" },
        ...invited.events,
      ]);
      return snapshot();
    });
  }

  /** The documents of one envelope are merged into one PDF when it is sealed: bounded. */
  private checkTotalPages(pages: readonly number[]): void {
    const total = pages.reduce((sum, n) => sum + n, 0);
    const max = this.documents.limits.maxEnvelopePages;
    if (total > max) {
      throw unprocessable(
        "envelope_too_many_pages",
        `The envelope's documents have ${total} pages together; an envelope may have at most ${max}.`,
        "documentIds",
      );
    }
  }

  private checkSendable(envelope: Envelope): void {
    if (envelope.documents.length === 0) {
      throw unprocessable(
        "envelope_has_no_documents",
        "Add at least one document before sending.",
        "documentIds",
      );
    }
    this.checkTotalPages(envelope.documents.map((d) => d.pages));
    if (!envelope.recipients.some((r) => r.role === "SIGNER")) {
      throw unprocessable(
        "envelope_has_no_signer",
        "Add at least one recipient with the role SIGNER before sending.",
        "recipients",
      );
    }
    for (const [index, recipient] of envelope.recipients.entries()) {
      if (recipient.auth === "sms_otp" && !recipient.phone) {
        throw unprocessable(
          "recipient_phone_required",
          `Recipient ${recipient.email} authenticates by SMS and needs a phone number.`,
          `recipients[${index}].phone`,
        );
      }
    }
    if (envelope.expiresAt && envelope.expiresAt <= this.clock.now().toISOString()) {
      throw unprocessable(
        "expires_at_in_past",
        "The envelope's expiresAt has passed; set a later date before sending.",
        "expiresAt",
      );
    }
  }

  private allow(status: string, action: EnvelopeAction): void {
    const result = transition(status as EnvelopeStatus, action);
    if (!result.allowed) throw new CertyneoError("conflict", result.code, result.message);
  }

  /**
   * The envelope `id` of `scope` with its parts, locked as by `lock`. On SQLite, whose
   * transactions hold the write lock from their start, that is one read.
   */
  private async lockWithParts(trx: Kysely<Tables>, scope: Scope, id: string): Promise<Envelope> {
    if (this.dialect === "postgres") await this.lock(trx, scope, id);
    return this.get(scope, id, trx);
  }

  private async lock(trx: Kysely<Tables>, scope: Scope, id: string): Promise<EnvelopesTable> {
    const row = await lockEnvelope(trx, this.dialect, id);
    if (!row || row.account_id !== scope.accountId || row.environment !== scope.environment) {
      throw notFound("envelope", id);
    }
    return row;
  }

  private async validate(
    scope: Scope,
    input: EnvelopeInput,
    db?: Kysely<Tables>,
  ): Promise<EnvelopeSpec> {
    const documentIds = [...input.documentIds];
    documentIds.forEach((docId, index) => {
      if (documentIds.indexOf(docId) !== index) {
        throw new CertyneoError(
          "invalid_request",
          "parameter_invalid",
          `Document ${docId} is listed twice.`,
          `documentIds[${index}]`,
        );
      }
    });
    const documents = await this.documents.getMany(scope, documentIds, db);
    documentIds.forEach((docId, index) => {
      if (!documents.has(docId)) {
        throw new CertyneoError(
          "invalid_request",
          "document_not_found",
          `No document with id "${docId}".`,
          `documentIds[${index}]`,
        );
      }
    });
    this.checkTotalPages(documentIds.map((docId) => documents.get(docId)!.pages));
    const pages: DocumentPages = new Map(
      documentIds.map((docId) => [docId, documents.get(docId)!.pageSizes]),
    );
    const signingOrder = input.signingOrder ?? "parallel";
    checkPrintable(input.subject, "subject", "The subject");
    let autoSlot = 0;
    const recipients = input.recipients.map((recipient, index) => {
      const param = `recipients[${index}]`;
      checkPrintable(recipient.name, `${param}.name`, "The recipient's name");
      const auth = recipient.auth ?? "none";
      if (auth === "sms_otp" && !recipient.phone) {
        throw unprocessable(
          "recipient_phone_required",
          "A recipient who authenticates by SMS needs a phone number.",
          `${param}.phone`,
        );
      }
      const phone =
        recipient.phone === undefined ? undefined : e164(recipient.phone, `${param}.phone`);
      const channels = [...new Set<Channel>(recipient.channels ?? ["email"])];
      if (channels.includes("sms") && !phone) {
        throw unprocessable(
          "recipient_phone_required",
          "A recipient invited by SMS needs a phone number.",
          `${param}.phone`,
        );
      }
      const fields = (recipient.fields ?? []).map((field, fieldIndex) => {
        checkFieldPlacement(field, pages, `${param}.fields[${fieldIndex}]`);
        return { ...field, autoPlaced: false };
      });
      if (recipient.role !== "SIGNER" && fields.length > 0) {
        throw unprocessable(
          "fields_not_allowed",
          `Only signers fill in fields; this recipient is ${recipient.role}.`,
          `${param}.fields`,
        );
      }
      const first = documentIds[0];
      if (recipient.role === "SIGNER" && first && !fields.some((f) => f.type === "signature")) {
        fields.push({
          ...autoSignaturePlacement(first, pages.get(first)!, autoSlot++),
          autoPlaced: true,
        });
      }
      return {
        email: recipient.email,
        name: recipient.name,
        role: recipient.role,
        order: recipient.order ?? defaultOrder(index, signingOrder),
        phone,
        auth,
        locale: recipient.locale,
        channels,
        fields,
        redirectUrl:
          recipient.redirectUrl === undefined
            ? undefined
            : checkRedirectUrl(recipient.redirectUrl, scope.environment, `${param}.redirectUrl`),
      };
    });
    for (const key of Object.keys(input.metadata ?? {})) {
      if (key.length === 0 || key.length > 40) {
        throw new CertyneoError(
          "invalid_request",
          "parameter_invalid",
          "Metadata keys are 1 to 40 characters long.",
          `metadata.${key}`,
        );
      }
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
    if (expiresAt && expiresAt <= this.clock.now().toISOString()) {
      throw unprocessable("expires_at_in_past", "expiresAt must be in the future.", "expiresAt");
    }
    return {
      subject: input.subject,
      message: input.message ?? null,
      documentIds,
      recipients,
      signingOrder,
      expiresAt,
      reminders: input.reminders ? checkReminderPolicy(input.reminders, "reminders") : null,
      metadata: { ...input.metadata },
      redirectUrl:
        input.redirectUrl == null
          ? null
          : checkRedirectUrl(input.redirectUrl, scope.environment, "redirectUrl"),
    };
  }

  private async writeContents(
    trx: Kysely<Tables>,
    envelopeId: string,
    spec: EnvelopeSpec,
    keptIds: readonly string[],
  ) {
    await insertRows(
      trx,
      "envelope_documents",
      spec.documentIds.map((document_id, position) => ({
        envelope_id: envelopeId,
        document_id,
        position,
      })),
    );
    const recipientRows: RecipientsTable[] = [];
    const fieldRows: FieldsTable[] = [];
    for (const [position, recipient] of spec.recipients.entries()) {
      const row: RecipientsTable = {
        id: keptIds[position] ?? newIdIn(trx, "rcp"),
        envelope_id: envelopeId,
        position,
        email: recipient.email,
        name: recipient.name,
        role: recipient.role,
        routing_order: recipient.order,
        status: "PENDING",
        auth: recipient.auth ?? "none",
        phone: recipient.phone ?? null,
        locale: recipient.locale ?? null,
        channels: recipient.channels.join() === "email" ? null : JSON.stringify(recipient.channels),
        token_hash: null,
        invited_at: null,
        viewed_at: null,
        signed_at: null,
        declined_at: null,
        decline_reason: null,
        otp_hash: null,
        otp_expires_at: null,
        otp_attempts: null,
        otp_verified_at: null,
        signature_type: null,
        signature_text: null,
        signature_image_sha256: null,
        reminders_sent: 0,
        last_reminded_at: null,
        next_reminder_at: null,
        redirect_url: recipient.redirectUrl ?? null,
      };
      recipientRows.push(row);
      fieldRows.push(
        ...recipient.fields.map(
          (field, fieldPosition): FieldsTable => ({
            id: newIdIn(trx, "fld"),
            envelope_id: envelopeId,
            recipient_id: row.id,
            document_id: field.documentId,
            position: fieldPosition,
            type: field.type,
            page: field.page,
            x: field.x,
            y: field.y,
            width: field.width,
            height: field.height,
            required: field.required === false ? 0 : 1,
            auto_placed: field.autoPlaced ? 1 : 0,
            label: field.label ?? null,
            value: null,
          }),
        ),
      );
    }
    await insertRows(trx, "recipients", recipientRows);
    await insertRows(trx, "fields", fieldRows);
  }

  /** Envelopes with their documents, recipients and fields, in three queries for any count. */
  private async assemble(db: Kysely<Tables>, rows: EnvelopesTable[]): Promise<Envelope[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [documentRows, recipientRows, fieldRows] = await Promise.all([
      documentsOf(db, ids).execute(),
      recipientsOf(db, ids).execute(),
      fieldsOf(db, ids).execute(),
    ]);
    return rows.map((row) => this.toEnvelope(row, documentRows, recipientRows, fieldRows));
  }

  /** An envelope from its row and its parts (those of other envelopes among them are left out). */
  private toEnvelope(
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
          ...this.signingLink(sent && acts(r.role as RecipientRole) ? r.id : null),
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
  private signingLink(recipientId: string | null): {
    signUrl: string | null;
    signingToken: string | null;
  } {
    if (!recipientId) return { signUrl: null, signingToken: null };
    const token = this.tokens.tokenFor(recipientId);
    return { signUrl: `${this.publicUrl}/sign/${token}`, signingToken: token };
  }
}

/** Each recipient's token hash, in one statement. */
async function setTokenHashes(
  trx: Kysely<Tables>,
  recipients: readonly { id: string; hash: string }[],
): Promise<void> {
  if (recipients.length === 0) return;
  const cases = sql.join(
    recipients.map((r) => sql`when ${r.id} then ${r.hash}`),
    sql` `,
  );
  await trx
    .updateTable("recipients")
    .set({ token_hash: sql<string>`case id ${cases} end` })
    .where(
      "id",
      "in",
      recipients.map((r) => r.id),
    )
    .execute();
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

/** A stored recipient as input again; automatic fields are left out, to be placed anew. */
function toRecipientInput(recipient: Recipient): RecipientInput {
  return {
    email: recipient.email,
    name: recipient.name,
    role: recipient.role,
    order: recipient.order,
    phone: recipient.phone ?? undefined,
    auth: recipient.auth,
    locale: recipient.locale ?? undefined,
    channels: recipient.channels,
    redirectUrl: recipient.redirectUrl ?? undefined,
    fields: recipient.fields
      .filter((f) => !f.autoPlaced)
      .map((f) => ({
        type: f.type,
        documentId: f.documentId,
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        required: f.required,
        label: f.label ?? undefined,
      })),
  };
}
