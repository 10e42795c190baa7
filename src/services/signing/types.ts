import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import type { EnvelopesTable, RecipientsTable, Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { EnvelopeStatus } from "../../domain/envelope-lifecycle.js";
import type { Environment, Scope } from "../../domain/environment.js";
import type { FieldType, PageSize } from "../../domain/fields.js";
import type { RecipientAuth, RecipientRole, RecipientStatus } from "../../domain/recipients.js";
import type { Mailer } from "../../notify/mailer.js";
import type { SmsSender } from "../../notify/sms.js";
import { DEFAULT_PNG_LIMITS, type PngLimits } from "../../pdf/png-limits.js";
import type { RateLimiter } from "../../rate-limit/limiter.js";
import type { BlobStore, StagedBlob } from "../../storage/blob-store.js";
import type { Sender } from "../branding.js";
import type { DocumentService } from "../documents.js";
import type { EventLog } from "../event-log.js";

export const OTP_TTL_MS = 10 * 60 * 1000;
export const OTP_MAX_ATTEMPTS = 5;
/** How long a confirmed code lets the recipient act. */
export const OTP_VERIFIED_TTL_MS = 60 * 60 * 1000;
/** Accepted in the test environment, so that integrations can be tested end to end. */
export const TEST_OTP_CODE = "123456";

/** A token bucket: a burst of `burst` requests, refilled at `perMinute`. */
export interface SigningRatePolicy {
  perMinute: number;
  burst: number;
}

/** What one signing link, and one client address, may cost the server. */
export interface SigningLimits {
  /** A drawn or uploaded signature is checked against these before it is decoded. */
  png: PngLimits;
  /** Write actions (sign, decline, otp, otp/verify) from one client IP, all links together. */
  writesPerIp: SigningRatePolicy;
  /** Reads (the view, the documents, the signed PDF, the signing page) from one client IP. */
  readsPerIp: SigningRatePolicy;
  /** Write actions through one signing link, whatever the address. */
  writesPerLink: SigningRatePolicy;
  /** Reads through one signing link. */
  readsPerLink: SigningRatePolicy;
}

export const DEFAULT_SIGNING_LIMITS: SigningLimits = {
  png: DEFAULT_PNG_LIMITS,
  writesPerIp: { perMinute: 60, burst: 120 },
  readsPerIp: { perMinute: 300, burst: 600 },
  writesPerLink: { perMinute: 10, burst: 20 },
  readsPerLink: { perMinute: 60, burst: 120 },
};

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

export type CannotActReason = "not_your_turn" | "already_acted" | "declined" | "no_action";

/** Who sent an envelope, as its recipients see them. */
export type SenderBranding = Sender;

export interface SigningView {
  envelope: {
    id: string;
    subject: string;
    message: string | null;
    status: EnvelopeStatus;
    environment: Environment;
    /** The sender's display name (its branding), else the account's name. */
    accountName: string;
    branding: { accentColor: string | null; logo: string | null };
    documents: { id: string; name: string; pages: number; pageSizes: PageSize[] }[];
  };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: RecipientRole;
    status: RecipientStatus;
    auth: RecipientAuth;
    locale: string | null;
    verified: boolean;
  };
  fields: SigningField[];
  canAct: boolean;
  reason: CannotActReason | null;
  waitingFor: string[];
  otpRequired: boolean;
  /**
   * Where the page sends the recipient after they sign or decline: their own redirectUrl, else
   * the envelope's; `null`: none.
   */
  redirectUrl: string | null;
}

/** A signature given as a PNG image: drawn on the page, or an image the recipient uploaded. */
export type ImageSignatureType = "drawn" | "uploaded";

export type Signature =
  | { type: "typed"; text: string }
  | { type: ImageSignatureType; image: string };

export type AcceptedSignature =
  | { type: "typed"; text: string }
  | { type: ImageSignatureType; sha256: string; staged: StagedBlob };

export interface SignInput {
  consent: boolean;
  signature?: Signature | undefined;
  fields?: Record<string, string> | undefined;
}

/** A valid link's recipient, their envelope and its account's scope. */
export interface Session {
  envelope: EnvelopesTable;
  recipient: RecipientsTable;
  scope: Scope;
}

/** What the signing use cases work with. */
export interface SigningDeps {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly events: EventLog;
  readonly documents: DocumentService;
  readonly blobs: BlobStore;
  readonly mailer: Mailer;
  readonly sms: SmsSender;
  readonly limiter: RateLimiter;
  readonly secret: Buffer;
  readonly limits: SigningLimits;
}
