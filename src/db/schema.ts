import type { Environment } from "../domain/environment.js";

/** Timestamps are stored as ISO 8601 UTC strings in both dialects; they sort as text. */
type Timestamp = string;

export interface AccountsTable {
  id: string;
  name: string;
  created_at: Timestamp;
  /** Branding: what recipients see instead of `name`, the accent colour, a data: URL logo. */
  display_name: string | null;
  accent_color: string | null;
  logo: string | null;
  branding_updated_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  environment: Environment;
  name: string | null;
  /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
  secret_hash: string;
  last4: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** Per-key overrides set by an operator; `null` means the configured default. */
  rate_limit_per_minute: number | null;
  rate_limit_burst: number | null;
}

export interface RateLimitBucketsTable {
  key: string;
  tokens: number;
  updated_at_ms: number;
  /** 1 when the latest take found a token, 0 when it was refused. */
  last_take_allowed: number;
}

export interface DocumentsTable {
  id: string;
  account_id: string;
  environment: Environment;
  name: string;
  size: number;
  pages: number;
  /** JSON: `[{width, height}]` in points, one per page, rotation applied. */
  page_sizes: string;
  sha256: string;
  created_at: Timestamp;
}

export interface EnvelopesTable {
  id: string;
  account_id: string;
  environment: Environment;
  status: string;
  subject: string;
  message: string | null;
  signing_order: string;
  /** JSON object of strings. */
  metadata: string;
  expires_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Timestamp | null;
  completed_at: Timestamp | null;
  declined_at: Timestamp | null;
  voided_at: Timestamp | null;
  void_reason: string | null;
  /** JSON `{firstAfterDays, everyDays, max}`; `null`: no reminders. */
  reminders: string | null;
  expired_at: Timestamp | null;
  /** When the signed PDFs were made (a COMPLETED envelope is sealed shortly after). */
  sealed_at: Timestamp | null;
  /** Why sealing was given up, when it was: shown to the sender, cleared by a later success. */
  sealing_error: string | null;
  /** Where the signing page sends a recipient after they act, unless they have their own. */
  redirect_url: string | null;
}

export interface EnvelopeDocumentsTable {
  envelope_id: string;
  document_id: string;
  position: number;
}

export interface RecipientsTable {
  id: string;
  envelope_id: string;
  position: number;
  email: string;
  name: string;
  role: string;
  routing_order: number;
  status: string;
  auth: string;
  phone: string | null;
  locale: string | null;
  /** SHA-256 of the signing token; the token itself is derived, never stored. */
  token_hash: string | null;
  invited_at: Timestamp | null;
  viewed_at: Timestamp | null;
  signed_at: Timestamp | null;
  declined_at: Timestamp | null;
  decline_reason: string | null;
  /** HMAC of the current one-time code; `null` when none is pending. */
  otp_hash: string | null;
  otp_expires_at: Timestamp | null;
  otp_attempts: number | null;
  otp_verified_at: Timestamp | null;
  signature_type: string | null;
  signature_text: string | null;
  signature_image_sha256: string | null;
  /** JSON array of how invitations and reminders reach them (`email`, `sms`); `null`: email. */
  channels: string | null;
  /** Automatic reminders sent so far (manual ones are not counted against the maximum). */
  reminders_sent: number;
  last_reminded_at: Timestamp | null;
  /** When the scheduler reminds this recipient next; `null`: never. */
  next_reminder_at: Timestamp | null;
  /** Where the signing page sends this recipient after they act; `null`: the envelope's. */
  redirect_url: string | null;
}

export interface FieldsTable {
  id: string;
  envelope_id: string;
  recipient_id: string;
  document_id: string;
  position: number;
  type: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: number;
  /** 1 when Certyneo placed this signature field for a signer who had none. */
  auto_placed: number;
  label: string | null;
  value: string | null;
}

export interface EventsTable {
  id: string;
  envelope_id: string;
  account_id: string;
  environment: Environment;
  /** 1, 2, 3… within the envelope; unique, so the chain cannot fork. */
  sequence: number;
  type: string;
  recipient_id: string | null;
  actor_type: string;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object. */
  data: string;
  created_at: Timestamp;
  previous_hash: string;
  hash: string;
}

export interface IdempotencyKeysTable {
  account_id: string;
  environment: Environment;
  key: string;
  fingerprint: string;
  state: "running" | "done";
  response_status: number | null;
  response_body: string | null;
  created_at: Timestamp;
}

export interface JobsTable {
  id: string;
  kind: string;
  /** What the job is about, at most one job of a kind each: an envelope, an event. */
  subject_id: string;
  envelope_id: string;
  account_id: string;
  environment: Environment;
  /** `waiting`: behind an unfinished job of its lane, not claimable until that one ends. */
  state: "pending" | "waiting" | "running" | "done" | "failed";
  attempts: number;
  run_after: Timestamp;
  /** Enqueue order, so that jobs due at the same time run in the order their events happened. */
  seq: number;
  /**
   * Jobs sharing a lane (a webhook endpoint's deliveries) run one at a time, in `seq` order: only
   * a lane's first unfinished job is pending; the others wait (`waiting`), also while it waits for
   * its retry.
   */
  lane: string | null;
  /** While running: when another worker may take the job over (its worker died). */
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SealedDocumentsTable {
  envelope_id: string;
  /** A document id, or `all` for the single PDF of every document. */
  part: string;
  sha256: string;
  size: number;
  created_at: Timestamp;
  /** When its last timestamp's certificate expires; null until known (sealed before). */
  timestamp_expires_at: Timestamp | null;
}

export interface WebhooksTable {
  id: string;
  account_id: string;
  environment: Environment;
  url: string;
  description: string | null;
  /** JSON array of event types; `null` for all. */
  events: string | null;
  /** The signing secret, AES-256-GCM-sealed with the server secret, base64. */
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Timestamp | null;
  /** Since when every attempt has failed; `null` after a success. */
  failing_since: Timestamp | null;
  /** While failing: when its first pending delivery is tried again (the others wait for it). */
  retry_at: Timestamp | null;
  disabled_at: Timestamp | null;
  disabled_reason: string | null;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  state: "pending" | "delivered" | "failed";
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  next_retry_at: Timestamp | null;
  created_at: Timestamp;
}

export interface NotificationsTable {
  id: string;
  envelope_id: string;
  account_id: string;
  environment: Environment;
  /** The event that called for this message. */
  event_id: string;
  /** `null` for the account's own addresses (sender-side notices). */
  recipient_id: string | null;
  kind: string;
  channel: "email" | "sms";
  address: string;
  locale: string;
  state: "pending" | "sent" | "skipped" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface AccountSettingsTable {
  account_id: string;
  environment: Environment;
  /** JSON array of addresses told when an envelope completes, is declined or expires. */
  sender_emails: string;
  sender_locale: string;
  /** JSON reminder policy given to new envelopes; `null`: none. */
  reminders: string | null;
  /** `null`: the configured default. */
  expires_after_days: number | null;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  name: string | null;
  role: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  environment: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** A file kept by the database blob store: its chunks are `stored_blob_chunks`. */
export interface StoredBlobsTable {
  sha256: string;
  size: number;
  chunk_bytes: number;
  created_at: string;
}

export interface StoredBlobChunksTable {
  sha256: string;
  seq: number;
  data: Uint8Array;
}

export interface SignInLinksTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface Tables {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  rate_limit_buckets: RateLimitBucketsTable;
  documents: DocumentsTable;
  envelopes: EnvelopesTable;
  envelope_documents: EnvelopeDocumentsTable;
  recipients: RecipientsTable;
  fields: FieldsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  sealed_documents: SealedDocumentsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  notifications: NotificationsTable;
  account_settings: AccountSettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_links: SignInLinksTable;
  stored_blobs: StoredBlobsTable;
  stored_blob_chunks: StoredBlobChunksTable;
}
