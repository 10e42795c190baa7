import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import type { Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { EnvelopeStatus } from "../../domain/envelope-lifecycle.js";
import type { Environment } from "../../domain/environment.js";
import type { FieldPlacement } from "../../domain/fields.js";
import type { PageRequest } from "../../domain/pagination.js";
import type {
  RecipientAuth,
  RecipientRole,
  RecipientStatus,
  SigningOrder,
} from "../../domain/recipients.js";
import type { ReminderPolicy } from "../../domain/reminders.js";
import type { SigningTokens } from "../../security/signing-tokens.js";
import type { AccountSettingsService } from "../account-settings.js";
import type { Document, DocumentService } from "../documents.js";
import type { EventLog } from "../event-log.js";
import type { Channel } from "../notifications/index.js";
import type { InputChecks } from "./input-checks.js";
import type { KeptEnvelopes, RevisedEnvelopes } from "./kept-envelopes.js";

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

/** A validated envelope definition, ready to be written. */
export interface EnvelopeSpec {
  subject: string;
  message: string | null;
  /** The envelope's documents, in their order, as validated. */
  documents: Pick<Document, "id" | "name" | "pages" | "sha256">[];
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

/** What the envelope use cases work with. */
export interface EnvelopeDeps {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly documents: DocumentService;
  readonly events: EventLog;
  readonly tokens: SigningTokens;
  readonly settings: AccountSettingsService;
  readonly publicUrl: string;
  /** What checking an envelope's text and phone numbers needs, loaded at the first call. */
  readonly inputChecks: () => Promise<InputChecks>;
  /** On SQLite, the envelopes read outside a transaction, kept while nothing is committed. */
  readonly kept?: KeptEnvelopes | undefined;
  /** On PostgreSQL, the envelopes read outside a transaction, kept with their revision. */
  readonly revised?: RevisedEnvelopes | undefined;
}
