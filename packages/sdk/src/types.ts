// Generated from openapi.json by scripts/sdk-types.ts: do not edit. `npm run openapi` regenerates it.

/** An API key, without its secret */
export interface ApiKey {
  id: string;
  object: "api_key";
  name: string | null;
  environment: Environment;
  /** Last four characters of the secret */
  last4: string;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  lastUsedAt: string | null;
  /** ISO 8601, UTC */
  revokedAt: string | null;
  /** What the key is held to (429 beyond it) */
  rateLimit: {
    /** Requests per minute, on average */
    perMinute: number;
    /** Requests allowed at once, above the average */
    burst: number;
  };
}

/** A page of ApiKey objects, newest first */
export interface ApiKeyList {
  object: "list";
  data: ApiKey[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** A new API key with its secret */
export interface ApiKeyWithSecret {
  id: string;
  object: "api_key";
  name: string | null;
  environment: Environment;
  /** Last four characters of the secret */
  last4: string;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  lastUsedAt: string | null;
  /** ISO 8601, UTC */
  revokedAt: string | null;
  /** What the key is held to (429 beyond it) */
  rateLimit: {
    /** Requests per minute, on average */
    perMinute: number;
    /** Requests allowed at once, above the average */
    burst: number;
  };
  /** The key itself. Shown only in this response: store it now. */
  secret: string;
}

/** A PDF sent in JSON, base64-encoded */
export interface Base64DocumentUpload {
  /** Defaults to the file name */
  name?: string;
  /** The PDF, base64-encoded (a data: URL prefix is accepted) */
  content: string;
}

/** What recipients see of the account, on the signing pages and in the emails (both environments) */
export interface Branding {
  object: "branding";
  /** The name recipients see; null: the account's name */
  displayName: string | null;
  /** The colour of buttons and links, #rrggbb; it must keep a 4.5:1 contrast with white (422 accent_color_low_contrast otherwise) */
  accentColor: string | null;
  /** A PNG or JPEG as a data: URL (data:image/png;base64,…), at most 200 KB and 2000 pixels a side */
  logo: string | null;
  /** ISO 8601, UTC */
  updatedAt: string | null;
}

/** How a message reaches a recipient */
export type Channel = "email" | "sms";

export interface CreateApiKeyRequest {
  /** Helps you tell keys apart, e.g. the system that uses it */
  name?: string;
}

/** A DRAFT envelope: its documents, its recipients and how they sign */
export interface CreateEnvelopeRequest {
  subject: string;
  message?: string | null;
  documentIds: string[];
  recipients: RecipientInput[];
  /** Default parallel */
  signingOrder?: SigningOrder;
  /** When the envelope expires if not finished; unset, the account's expiresAfterDays (30 by default) after sending */
  expiresAt?: string | null;
  /** Absent: the account's default reminders; null: no automatic reminders */
  reminders?: ReminderPolicy | null;
  /** Your own keys (up to 40 characters) and string values, returned as they are */
  metadata?: Record<string, string>;
  /** Where the signing page sends recipients after they sign or decline (with ?event=signed|declined&envelopeId=…&recipientId=… added), unless they have their own: an absolute https: URL (http: too in the test environment), without a user name or password, at most 2000 characters; otherwise 422 redirect_url_invalid. null: none */
  redirectUrl?: string | null;
}

export interface CreateWebhookRequest {
  /** https:// (or http://) URL that receives the events */
  url: string;
  /** Default: every event */
  events?: WebhookEventType[];
  description?: string;
}

/** The signed-in user's session: the dashboard's way into the API */
export interface DashboardSession {
  object: "session";
  user: {
    id: string;
    email: string;
    /** owner and admin manage the account; member sends envelopes */
    role: "owner" | "admin" | "member";
  };
  accountId: string;
  environment: Environment;
  /** Send it as X-CSRF-Token with every change (POST, PATCH, DELETE) */
  csrfToken: string;
  /** ISO 8601, UTC */
  expiresAt: string;
}

/** Declined: the envelope is DECLINED */
export interface Declined {
  status: "DECLINED";
}

/** The document, deleted */
export interface DeletedDocument {
  id: string;
  object: "document";
  deleted: true;
}

/** A DRAFT envelope, deleted */
export interface DeletedEnvelope {
  id: string;
  object: "envelope";
  deleted: true;
}

/** The webhook, unregistered */
export interface DeletedWebhook {
  id: string;
  object: "webhook";
  deleted: true;
}

export interface DeleteEnvelopeRequest {
  /** Why a sent envelope is voided */
  reason?: string;
}

/** The event delivered: one of the webhook events, or ping */
export type DeliveryEventType = "envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "envelope.sealing_failed" | "envelope.evidence_renewed" | "recipient.viewed" | "recipient.signed" | "recipient.declined" | "ping";

/** An uploaded PDF */
export interface Document {
  id: string;
  object: "document";
  name: string;
  contentType: "application/pdf";
  /** Bytes */
  size: number;
  pages: number;
  /** Each page's displayed size in PDF points (rotation applied): where fields may go */
  pageSizes: PageSize[];
  /** SHA-256 of the original bytes, hex */
  sha256: string;
  environment: Environment;
  /** ISO 8601, UTC */
  createdAt: string;
}

/** A page of Document objects, newest first */
export interface DocumentList {
  object: "list";
  data: Document[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** A signature drawn, as a PNG image */
export interface DrawnSignature {
  type: "drawn";
  /** data:image/png;base64,… */
  image: string;
}

/** An envelope: documents sent to recipients for signature */
export interface Envelope {
  id: string;
  object: "envelope";
  status: EnvelopeStatus;
  subject: string;
  message: string | null;
  environment: Environment;
  signingOrder: SigningOrder;
  documents: EnvelopeDocument[];
  recipients: Recipient[];
  metadata: Record<string, string>;
  /** Where the signing page sends recipients after they act, unless they have their own */
  redirectUrl: string | null;
  /** ISO 8601, UTC */
  expiresAt: string | null;
  reminders: ReminderPolicy | null;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  updatedAt: string;
  /** ISO 8601, UTC */
  sentAt: string | null;
  /** ISO 8601, UTC */
  completedAt: string | null;
  /** ISO 8601, UTC */
  declinedAt: string | null;
  /** ISO 8601, UTC */
  voidedAt: string | null;
  voidReason: string | null;
  /** ISO 8601, UTC */
  expiredAt: string | null;
  /** When the signed PDFs were made; a completed envelope is sealed within seconds */
  sealedAt: string | null;
  /** Why sealing was given up (the operator is told and can retry it); otherwise null */
  sealingError: string | null;
}

/** Every signer and approver has acted. The signed PDFs follow within seconds: sealedAt is set when they are ready (GET /envelopes/{id}/signed-document). */
export interface EnvelopeCompletedEvent {
  id: string;
  object: "event";
  type: "envelope.completed";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** A DRAFT envelope was created. */
export interface EnvelopeCreatedEvent {
  id: string;
  object: "event";
  type: "envelope.created";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** A recipient declined (recipientId): the envelope is DECLINED. */
export interface EnvelopeDeclinedEvent {
  id: string;
  object: "event";
  type: "envelope.declined";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
    recipientId: string;
  };
}

/** A document of an envelope */
export interface EnvelopeDocument {
  id: string;
  name: string;
  pages: number;
  /** SHA-256 of the original bytes, hex */
  sha256: string;
}

/** One entry of an envelope's append-only, hash-chained history */
export interface EnvelopeEvent {
  id: string;
  object: "event";
  /** 1, 2, 3… within the envelope */
  sequence: number;
  /** What happened, e.g. envelope.sent, recipient.signed */
  type: string;
  /** The recipient it is about, if any */
  recipientId: string | null;
  actor: {
    /** Who caused it */
    type: "api_key" | "user" | "recipient" | "system";
    /** The key, user or recipient; null for system */
    id: string | null;
  };
  ip: string | null;
  userAgent: string | null;
  /** What the event records, as it was hashed */
  data: Record<string, unknown>;
  /** ISO 8601, UTC */
  createdAt: string;
  /** The hash of the event before; 64 zeros for the first */
  previousHash: string;
  /** SHA-256 over previousHash and this event's content: the chain's link */
  hash: string;
}

/** A page of EnvelopeEvent objects, newest first */
export interface EnvelopeEventList {
  object: "list";
  data: EnvelopeEvent[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** The signed PDFs were timestamped again before their last timestamp expired (an incremental update: every signature stays valid). If you keep a copy, download it again (GET /envelopes/{id}/signed-document). */
export interface EnvelopeEvidenceRenewedEvent {
  id: string;
  object: "event";
  type: "envelope.evidence_renewed";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** The envelope reached expiresAt before everyone acted. */
export interface EnvelopeExpiredEvent {
  id: string;
  object: "event";
  type: "envelope.expired";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** A page of Envelope objects, newest first */
export interface EnvelopeList {
  object: "list";
  data: Envelope[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** The signed PDFs could not be made and Certyneo stopped trying (sealingError says why); the operator can retry. */
export interface EnvelopeSealingFailedEvent {
  id: string;
  object: "event";
  type: "envelope.sealing_failed";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** The envelope was sent: the recipients whose turn it is are invited. */
export interface EnvelopeSentEvent {
  id: string;
  object: "event";
  type: "envelope.sent";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** Where the envelope is in its life */
export type EnvelopeStatus = "DRAFT" | "SENT" | "COMPLETED" | "DECLINED" | "VOIDED" | "EXPIRED";

/** The sender voided the sent envelope (voidReason). */
export interface EnvelopeVoidedEvent {
  id: string;
  object: "event";
  type: "envelope.voided";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
  };
}

/** test: for trying things out, documents marked as tests and without legal effect; live: real signatures */
export type Environment = "test" | "live";

/** Error */
export interface Error {
  error: {
    type: ErrorType;
    /** Stable snake_case identifier of the error */
    code: string;
    /** Human-readable explanation */
    message: string;
    /** The request parameter at fault */
    param?: string;
    /** Same as the X-Request-Id response header */
    requestId: string;
  };
}

/** The family of the error: what the client should do about it */
export type ErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "rate_limit_error" | "idempotency_error" | "api_error";

/** A place on a page where a recipient signs or fills in a value */
export interface Field {
  id: string;
  type: FieldType;
  documentId: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: boolean;
  label: string | null;
  value: string | null;
  /** Placed by Certyneo for a signer who had no signature field */
  autoPlaced: boolean;
}

/** A field a recipient fills in or signs */
export interface FieldInput {
  type: FieldType;
  /** One of the envelope's documentIds */
  documentId: string;
  /** 1-based page number */
  page: number;
  /** Points from the page's left edge */
  x: number;
  /** Points from the page's top edge */
  y: number;
  width: number;
  height: number;
  required?: boolean;
  label?: string;
}

/** What the field holds */
export type FieldType = "signature" | "initials" | "date" | "text" | "checkbox";

/** The check passed */
export interface HealthStatus {
  status: "ok";
}

export interface InviteUserRequest {
  email: string;
  /** owner and admin manage the account; member sends envelopes */
  role?: "owner" | "admin" | "member";
  name?: string;
  /** The invitation's language; default: the caller's browser's */
  locale?: "en" | "fr" | "tr";
}

/** A language of the emails and the signing page */
export type Locale = "en" | "fr" | "tr";

/** A PDF sent as a file: the multipart/form-data of an HTML form or curl -F */
export interface MultipartDocumentUpload {
  /** The PDF */
  file: Blob;
  /** Defaults to the file name */
  name?: string;
}

/** One email or text message about an envelope */
export interface Notification {
  id: string;
  object: "notification";
  kind: NotificationKind;
  channel: Channel;
  /** The email address or phone number */
  to: string;
  /** null for the account's own addresses (senderEmails) */
  recipientId: string | null;
  eventId: string;
  /** skipped: no longer relevant when its turn came (the recipient had acted, the envelope had ended); failed: every retry spent */
  state: "pending" | "sent" | "skipped" | "failed";
  attempts: number;
  lastError: string | null;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  sentAt: string | null;
}

/** What the message is about */
export type NotificationKind = "invitation" | "reminder" | "completed" | "declined" | "voided" | "expired";

/** A page of Notification objects, newest first */
export interface NotificationList {
  object: "list";
  data: Notification[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** A page's displayed size in PDF points (1/72 inch) */
export interface PageSize {
  width: number;
  height: number;
}

/** Sent only by POST /webhooks/{id}/test, to check the endpoint. */
export interface PingEvent {
  id: string;
  object: "event";
  type: "ping";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    webhook: {
      id: string;
    };
  };
}

/** Someone the envelope is sent to, and how far they are */
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
  /** The recipient's signing page; for signers and approvers once sent */
  signUrl: string | null;
  /** The token in signUrl, for the signer API (/api/v1/signing/{token}) if you build your own signing page; null when signUrl is */
  signingToken: string | null;
  /** ISO 8601, UTC */
  invitedAt: string | null;
  /** ISO 8601, UTC */
  viewedAt: string | null;
  /** ISO 8601, UTC */
  signedAt: string | null;
  /** ISO 8601, UTC */
  declinedAt: string | null;
  declineReason: string | null;
  /** Automatic reminders sent so far */
  remindersSent: number;
  /** ISO 8601, UTC */
  lastRemindedAt: string | null;
  /** While it is their turn */
  nextReminderAt: string | null;
  /** Where the signing page sends them after they act, as given; null: the envelope's redirectUrl applies */
  redirectUrl: string | null;
  fields: Field[];
}

/** How the recipient proves who they are before signing */
export type RecipientAuth = "none" | "email_otp" | "sms_otp";

/** A recipient (recipientId) declined. */
export interface RecipientDeclinedEvent {
  id: string;
  object: "event";
  type: "recipient.declined";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
    recipientId: string;
  };
}

/** Someone the envelope is sent to */
export interface RecipientInput {
  email: string;
  name: string;
  role: RecipientRole;
  /** Sequential signing: recipients act by increasing order; equal orders act in parallel */
  order?: number;
  /** E.164, e.g. +33612345678 */
  phone?: string;
  /** Default none */
  auth?: RecipientAuth;
  /** e.g. fr, en, tr */
  locale?: string;
  /** How the invitation and reminders reach them; default ["email"]. sms needs a phone. */
  channels?: Channel[];
  fields?: FieldInput[];
  /** Where the signing page sends this recipient after they sign or decline, instead of the envelope's redirectUrl: an absolute https: URL (http: too in the test environment), without a user name or password, at most 2000 characters; otherwise 422 redirect_url_invalid */
  redirectUrl?: string;
}

/** SIGNER signs; APPROVER approves without a signature; CC receives the signed documents */
export type RecipientRole = "SIGNER" | "APPROVER" | "CC";

/** A signer (recipientId) signed. */
export interface RecipientSignedEvent {
  id: string;
  object: "event";
  type: "recipient.signed";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
    recipientId: string;
  };
}

/** Where the recipient is in the signing */
export type RecipientStatus = "PENDING" | "SENT" | "VIEWED" | "SIGNED" | "APPROVED" | "DECLINED";

/** A recipient (recipientId) opened their signing page for the first time. */
export interface RecipientViewedEvent {
  id: string;
  object: "event";
  type: "recipient.viewed";
  /** ISO 8601, UTC */
  createdAt: string;
  environment: Environment;
  data: {
    /** The envelope as it was when it happened */
    envelope: Envelope;
    recipientId: string;
  };
}

/** When recipients who have not acted yet are reminded by email */
export interface ReminderPolicy {
  /** Days after the invitation */
  firstAfterDays: number;
  /** Days between reminders after the first */
  everyDays: number;
  /** Automatic reminders per recipient at most */
  max: number;
}

/** What the reset of the account's test environment deleted */
export interface SandboxReset {
  object: "sandbox_reset";
  deleted: {
    /** Envelopes (with their recipients, fields and sealed PDFs) deleted */
    envelopes: number;
    /** Documents deleted */
    documents: number;
    /** Webhooks (with their deliveries) deleted */
    webhooks: number;
    /** Events deleted */
    events: number;
  };
}

/** The account's notification settings for the calling key's environment (test and live are set apart) */
export interface Settings {
  object: "settings";
  environment: Environment;
  /** Told when an envelope completes (with the signed PDF), is declined or expires; empty: nobody */
  senderEmails: string[];
  senderLocale: Locale;
  reminders: ReminderPolicy | null;
  /** Days after sending when an envelope without expiresAt expires */
  expiresAfterDays: number;
  /** ISO 8601, UTC */
  updatedAt: string | null;
}

/** A one-time code is on its way */
export interface SigningCodeSent {
  sent: true;
  /** Where the code went, partly hidden: j•••@example.com */
  destination: string;
  /** ISO 8601, UTC */
  expiresAt: string;
}

/** The code is right: the recipient can sign */
export interface SigningCodeVerified {
  verified: true;
}

/** A field of this recipient, with its value so far */
export interface SigningField {
  id: string;
  type: FieldType;
  documentId: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: boolean;
  label: string | null;
  value: string | null;
}

/** parallel: every recipient at once; sequential: by increasing order */
export type SigningOrder = "parallel" | "sequential";

/** What a recipient sees through their signing link */
export interface SigningSession {
  envelope: {
    id: string;
    subject: string;
    message: string | null;
    status: EnvelopeStatus;
    environment: Environment;
    /** Who sent it */
    accountName: string;
    documents: ({
      id: string;
      name: string;
      pages: number;
      pageSizes: PageSize[];
    })[];
  };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: RecipientRole;
    status: RecipientStatus;
    auth: RecipientAuth;
    locale: string | null;
    /** Whether the one-time code has been confirmed */
    verified: boolean;
  };
  fields: SigningField[];
  /** Whether the recipient can sign, approve or decline now */
  canAct: boolean;
  /** Why the recipient cannot act: not_your_turn (a sequential envelope waits for others), already_acted, declined, no_action (a CC) */
  reason: "not_your_turn" | "already_acted" | "declined" | "no_action" | null;
  /** Whom a sequential envelope waits for */
  waitingFor: string[];
  /** A one-time code must be confirmed before signing */
  otpRequired: boolean;
  /** Where to send the recipient after they sign or decline, with ?event=signed|declined&envelopeId=…&recipientId=… added to its query: the recipient's own redirectUrl, else the envelope's; null: none */
  redirectUrl: string | null;
  locale: string;
  /** The consent the recipient gives by signing, recorded verbatim */
  consentText: string;
}

export interface SignInLinkRequest {
  email: string;
}

/** The same answer whether the email belongs to someone or not */
export interface SignInLinkSent {
  object: "sign_in_link";
  message: string;
}

/** An email and a password, or the token of an emailed sign-in link */
export type SignInRequest = {
  email: string;
  password: string;
} | {
  /** The token of an emailed sign-in link (after #token= in its address) */
  token: string;
};

/** A signer sends consent, a signature and field values; an approver only consent */
export interface SignRequest {
  /** Must be true */
  consent: boolean;
  signature?: TypedSignature | DrawnSignature | UploadedSignature;
  /** Values by field id */
  fields?: Record<string, string>;
}

/** The recipient's status now, and the envelope's */
export interface SignResult {
  status: RecipientStatus;
  envelopeStatus: EnvelopeStatus;
}

/** A signature typed as text */
export interface TypedSignature {
  type: "typed";
  /** The name as signed */
  text: string;
}

/** The check failed, and why */
export interface Unavailable {
  status: "unavailable";
  reason: string;
}

export interface UpdateBrandingRequest {
  /** The name recipients see; null: the account's name */
  displayName?: string | null;
  /** The colour of buttons and links, #rrggbb; it must keep a 4.5:1 contrast with white (422 accent_color_low_contrast otherwise) */
  accentColor?: string | null;
  /** A PNG or JPEG as a data: URL (data:image/png;base64,…), at most 200 KB and 2000 pixels a side */
  logo?: string | null;
}

/** Any create field; each given one replaces the stored one */
export interface UpdateEnvelopeRequest {
  subject?: string;
  message?: string | null;
  documentIds?: string[];
  recipients?: RecipientInput[];
  /** Default parallel */
  signingOrder?: SigningOrder;
  /** When the envelope expires if not finished; unset, the account's expiresAfterDays (30 by default) after sending */
  expiresAt?: string | null;
  /** Absent: the account's default reminders; null: no automatic reminders */
  reminders?: ReminderPolicy | null;
  /** Your own keys (up to 40 characters) and string values, returned as they are */
  metadata?: Record<string, string>;
  /** Where the signing page sends recipients after they sign or decline (with ?event=signed|declined&envelopeId=…&recipientId=… added), unless they have their own: an absolute https: URL (http: too in the test environment), without a user name or password, at most 2000 characters; otherwise 422 redirect_url_invalid. null: none */
  redirectUrl?: string | null;
}

export interface UpdateSessionRequest {
  environment: Environment;
}

/** Each given field replaces the stored one */
export interface UpdateSettingsRequest {
  /** Told when an envelope completes (with the signed PDF), is declined or expires; empty: nobody */
  senderEmails?: string[];
  senderLocale?: Locale;
  /** Given to new envelopes that set none; null: no automatic reminders */
  reminders?: ReminderPolicy | null;
  /** null: back to the server's default (CERTYNEO_EXPIRY_DAYS) */
  expiresAfterDays?: number | null;
}

export interface UpdateUserRequest {
  name?: string | null;
  email?: string;
  /** 12 to 256 characters */
  password?: string;
  /** owner and admin manage the account; member sends envelopes */
  role?: "owner" | "admin" | "member";
}

/** An image of their signature the recipient uploaded, as a PNG image; checked, stored and stamped as a drawn one */
export interface UploadedSignature {
  type: "uploaded";
  /** data:image/png;base64,… (converted to PNG before it is sent) */
  image: string;
}

/** A person who signs in to the account's dashboard */
export interface User {
  id: string;
  object: "user";
  email: string;
  name: string | null;
  /** owner and admin manage the account; member sends envelopes */
  role: "owner" | "admin" | "member";
  /** Whether they can sign in with a password */
  hasPassword: boolean;
  /** ISO 8601, UTC */
  createdAt: string;
}

/** A page of User objects, newest first */
export interface UserList {
  object: "list";
  data: User[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

export interface Verification {
  object: "verification";
  /** sealed_unchanged: sealed by this platform, and nothing but validation data and timestamps added since. sealed_changed: sealed here, changed since. altered: a signature no longer matches the bytes it covers. signed_elsewhere: intact signatures, none of this platform. unsigned: no signature. */
  result: "sealed_unchanged" | "sealed_changed" | "altered" | "signed_elsewhere" | "unsigned";
  file: {
    sha256: string;
    size: number;
  };
  sealedByPlatform: boolean;
  unchangedSinceSealing: boolean | null;
  /** ISO 8601, UTC */
  sealedAt: string | null;
  /** PAdES baseline level of the seal */
  level: "B-B" | "B-T" | "B-LT" | "B-LTA" | null;
  archiveTimestamp: {
    /** ISO 8601, UTC */
    time: string;
    /** ISO 8601, UTC */
    validUntil: string | null;
  } | null;
  /** What the sealed file says of itself, covered by the seal */
  envelope: {
    envelopeId: string;
    environment: "test" | "live";
    contents: "documents" | "audit_trail";
    signers: ({
      name: string;
      role: string;
      /** ISO 8601, UTC */
      signedAt: string;
    })[];
  } | null;
  /** An audit trail's attached events, their hash chain recomputed */
  eventChain: {
    events: number;
    intact: boolean;
    head: string | null;
  } | null;
  signatures: ({
    field: string;
    kind: "signature" | "document_timestamp";
    subFilter: string | null;
    coveredBytes: number;
    coversWholeFile: boolean;
    /** The bytes it covers are those it signed, and its signature verifies */
    intact: boolean;
    /** ISO 8601, UTC */
    claimedTime: string | null;
    reason: string | null;
    location: string | null;
    /** DocMDP permissions */
    certification: "no_changes" | "form_filling" | "form_filling_and_annotations" | null;
    signer: {
      name: string | null;
      organization: string | null;
      trusted: boolean;
      byPlatform: boolean;
    } | null;
    timestamp: {
      /** ISO 8601, UTC */
      time: string;
      authority: string | null;
      /** SHA-256 of its certificate */
      authorityCertificate: string | null;
      intact: boolean;
      /** Its certificate chains to this platform's root */
      trusted: boolean;
      byPlatform: boolean;
      /** ISO 8601, UTC */
      validUntil: string | null;
    } | null;
    /** Revocation data in the file for every certificate of the signer and its timestamp */
    longTermValidation: boolean;
    certificates: ({
      subject: string;
      issuer: string;
      /** Hexadecimal */
      serialNumber: string;
      /** ISO 8601, UTC */
      notBefore: string;
      /** ISO 8601, UTC */
      notAfter: string;
      /** The SHA-256 of the certificate's DER, hexadecimal */
      sha256: string;
      /** From the revocation data the file carries (its DSS): nothing is fetched. not_applicable: a root. */
      revocation: "good" | "revoked" | "missing" | "not_applicable";
    })[];
    problems: ("byte_range_invalid" | "cms_malformed" | "digest_mismatch" | "signature_invalid" | "signer_certificate_missing" | "signing_time_attribute" | "signing_certificate_mismatch" | "untrusted" | "certificate_not_valid_at_signing_time" | "revoked" | "revocation_data_missing" | "timestamp_invalid" | "no_timestamp")[];
  })[];
  uncoveredBytes: number;
  truncated: boolean;
}

/** The PDF to verify, as the multipart/form-data of an HTML form or curl -F */
export interface VerifyUpload {
  /** The PDF */
  file: Blob;
}

/** A URL that receives this account's events, signed with its secret */
export interface Webhook {
  id: string;
  object: "webhook";
  url: string;
  description: string | null;
  /** null: every event */
  events: WebhookEventType[] | null;
  environment: Environment;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  disabledAt: string | null;
  /** Why deliveries stopped: failing for 3 days */
  disabledReason: string | null;
  health: WebhookHealth;
}

/** How a delivery attempt made now went */
export interface WebhookAttemptResult {
  object: "webhook_attempt_result";
  deliveryId: string;
  /** Whether the endpoint answered 2xx */
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One attempt to deliver an event to a webhook, and how it went */
export interface WebhookDelivery {
  /** The attempt's id (att_…) */
  id: string;
  object: "webhook_attempt";
  deliveryId: string;
  eventId: string;
  eventType: DeliveryEventType;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** ISO 8601, UTC */
  nextRetryAt: string | null;
  /** ISO 8601, UTC */
  createdAt: string;
}

/** A page of WebhookDelivery objects, newest first */
export interface WebhookDeliveryList {
  object: "list";
  data: WebhookDelivery[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** What happened, for a webhook to subscribe to */
export type WebhookEventType = "envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "envelope.sealing_failed" | "envelope.evidence_renewed" | "recipient.viewed" | "recipient.signed" | "recipient.declined";

/** How the endpoint is doing */
export interface WebhookHealth {
  /** backing_off: the last attempt failed; the endpoint's deliveries wait together, in event order, for the first one's retry at retryAt. The first success closes the circuit. */
  state: "healthy" | "backing_off" | "disabled";
  /** ISO 8601, UTC */
  failingSince: string | null;
  /** ISO 8601, UTC */
  retryAt: string | null;
  pendingDeliveries: number;
}

/** A page of Webhook objects, newest first */
export interface WebhookList {
  object: "list";
  data: Webhook[];
  /** Whether a next page exists */
  hasMore: boolean;
  /** Pass it as `after` to get the next page; null on the last */
  nextCursor: string | null;
}

/** A webhook with its signing secret, shown once */
export interface WebhookWithSecret {
  id: string;
  object: "webhook";
  url: string;
  description: string | null;
  /** null: every event */
  events: WebhookEventType[] | null;
  environment: Environment;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  disabledAt: string | null;
  /** Why deliveries stopped: failing for 3 days */
  disabledReason: string | null;
  health: WebhookHealth;
  /** whsec_…: verifies the Certyneo-Signature header. Shown only here. */
  secret: string;
}

/** The query of listApiKeys. */
export interface ListApiKeysParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
}

/** The query of listDocuments. */
export interface ListDocumentsParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
}

/** The query of listEnvelopes. */
export interface ListEnvelopesParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
  /** Only envelopes in this status */
  status?: EnvelopeStatus;
  /** Only envelopes whose subject, or a recipient's name or email, contains this text (any case) */
  q?: string;
}

/** The query of listEnvelopeNotifications. */
export interface ListEnvelopeNotificationsParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
}

/** The query of listWebhooks. */
export interface ListWebhooksParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
}

/** The query of listWebhookDeliveries. */
export interface ListWebhookDeliveriesParams {
  limit?: number;
  /** Id of the last object of the previous page */
  after?: string;
}

/** The query of getEnvelopeSignedDocument. */
export interface GetEnvelopeSignedDocumentParams {
  /** Only this document */
  documentId?: string;
}

/** Every `error.code` the API documents. */
export type ErrorCode =
  | "accent_color_low_contrast"
  | "already_acted"
  | "api_key_invalid"
  | "api_key_malformed"
  | "api_key_missing"
  | "api_key_not_found"
  | "authorization_header_malformed"
  | "bad_request"
  | "body_too_large"
  | "consent_required"
  | "csrf_token_invalid"
  | "delivery_already_delivered"
  | "delivery_not_found"
  | "document_content_missing"
  | "document_corrupt"
  | "document_empty"
  | "document_encrypted"
  | "document_in_use"
  | "document_not_found"
  | "document_not_pdf"
  | "document_page_size_invalid"
  | "document_too_complex"
  | "document_too_large"
  | "document_too_many_pages"
  | "envelope_completed"
  | "envelope_declined"
  | "envelope_expired"
  | "envelope_finished"
  | "envelope_has_no_documents"
  | "envelope_has_no_signer"
  | "envelope_not_completed"
  | "envelope_not_draft"
  | "envelope_not_found"
  | "envelope_not_sent"
  | "envelope_sealing_failed"
  | "envelope_too_many_pages"
  | "envelope_voided"
  | "expires_at_in_past"
  | "field_document_not_in_envelope"
  | "field_invalid"
  | "field_outside_page"
  | "field_page_out_of_range"
  | "field_required"
  | "field_unknown"
  | "fields_not_allowed"
  | "headers_too_large"
  | "idempotency_key_in_use"
  | "idempotency_key_invalid"
  | "idempotency_key_reused"
  | "invalid_content_length"
  | "invalid_cursor"
  | "invalid_json"
  | "invalid_multipart"
  | "invalid_url"
  | "last_owner"
  | "logo_invalid"
  | "multipart_required"
  | "no_action_required"
  | "not_your_turn"
  | "otp_delivery_failed"
  | "otp_expired"
  | "otp_invalid"
  | "otp_locked"
  | "otp_not_required"
  | "otp_not_sent"
  | "otp_required"
  | "parameter_invalid"
  | "parameter_missing"
  | "parameter_unknown"
  | "range_not_satisfiable"
  | "rate_limit_exceeded"
  | "reason_required"
  | "recipient_phone_invalid"
  | "recipient_phone_required"
  | "redirect_url_invalid"
  | "reminder_too_soon"
  | "role_insufficient"
  | "session_invalid"
  | "sign_in_failed"
  | "signature_image_too_large"
  | "signature_invalid"
  | "signature_not_allowed"
  | "signature_required"
  | "signing_link_invalid"
  | "too_many_files"
  | "too_many_parts"
  | "unprintable_characters"
  | "unsupported_media_type"
  | "user_email_taken"
  | "user_not_found"
  | "verification_busy"
  | "webhook_disabled"
  | "webhook_not_found"
  | "webhook_url_refused";

/** What a webhook receives, told apart by `type`. */
export type WebhookEvent =
  | EnvelopeCreatedEvent
  | EnvelopeSentEvent
  | EnvelopeCompletedEvent
  | EnvelopeDeclinedEvent
  | EnvelopeVoidedEvent
  | EnvelopeExpiredEvent
  | EnvelopeSealingFailedEvent
  | EnvelopeEvidenceRenewedEvent
  | RecipientViewedEvent
  | RecipientSignedEvent
  | RecipientDeclinedEvent
  | PingEvent;
