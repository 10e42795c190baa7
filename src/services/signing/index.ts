import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import type { Tables } from "../../db/schema.js";
import type { RequestedRange } from "../../domain/byte-range.js";
import type { Clock } from "../../domain/clock.js";
import type { EnvelopeStatus } from "../../domain/envelope-lifecycle.js";
import type { RecipientRole, RecipientStatus } from "../../domain/recipients.js";
import type { Mailer } from "../../notify/mailer.js";
import type { SmsSender } from "../../notify/sms.js";
import type { RateLimiter } from "../../rate-limit/limiter.js";
import type { Locale } from "../../signing/i18n.js";
import type { BlobStore } from "../../storage/blob-store.js";
import type { DocumentService } from "../documents.js";
import type { ActionContext, EventLog } from "../event-log.js";
import { declineEnvelope } from "./decline-envelope.js";
import { sendOtp } from "./send-otp.js";
import { resolveSession, senderBranding, throttle } from "./session.js";
import { signEnvelope } from "./sign-envelope.js";
import {
  DEFAULT_SIGNING_LIMITS,
  type SenderBranding,
  type Session,
  type SignInput,
  type SigningDeps,
  type SigningLimits,
  type SigningView,
} from "./types.js";
import { verifyOtp } from "./verify-otp.js";
import { openSigningDocument, viewSigning } from "./view-signing.js";

export { maskDestination } from "./send-otp.js";
export type {
  CannotActReason,
  ImageSignatureType,
  SenderBranding,
  Signature,
  SignInput,
  SigningField,
  SigningLimits,
  SigningRatePolicy,
  SigningView,
} from "./types.js";
export {
  DEFAULT_SIGNING_LIMITS,
  OTP_MAX_ATTEMPTS,
  OTP_TTL_MS,
  OTP_VERIFIED_TTL_MS,
  TEST_OTP_CODE,
} from "./types.js";

/**
 * Everything a recipient does through their signing link, authenticated by the link alone. Each
 * use case is a file of this folder, named by its verb.
 */
export class SigningService {
  private readonly deps: SigningDeps;

  constructor(
    db: Kysely<Tables>,
    dialect: Dialect,
    clock: Clock,
    events: EventLog,
    documents: DocumentService,
    blobs: BlobStore,
    mailer: Mailer,
    sms: SmsSender,
    limiter: RateLimiter,
    secret: Buffer,
    limits: SigningLimits = DEFAULT_SIGNING_LIMITS,
  ) {
    this.deps = {
      db,
      dialect,
      clock,
      events,
      documents,
      blobs,
      mailer,
      sms,
      limiter,
      secret,
      limits,
    };
  }

  /** Counts a request through a link, per link and per client address, before any work. */
  throttle(token: string, ip: string, kind: "read" | "write" | "range"): Promise<void> {
    return throttle(this.deps, token, ip, kind);
  }

  /** The recipient behind a token, whatever the state of their envelope. */
  resolve(token: string, db: Kysely<Tables> = this.deps.db): Promise<Session> {
    return resolveSession(this.deps, token, db);
  }

  /** Who sent the envelope of a valid link, as its recipients see them. */
  sender(session: Session): Promise<SenderBranding> {
    return senderBranding(this.deps, session);
  }

  view(token: string, context: ActionContext): Promise<SigningView> {
    return viewSigning(this.deps, token, context);
  }

  openDocument(
    token: string,
    documentId: string,
    rangeHeader?: string,
  ): Promise<{ name: string; size: number; stream: Readable; range: RequestedRange }> {
    return openSigningDocument(this.deps, token, documentId, rangeHeader);
  }

  sendOtp(
    token: string,
    context: ActionContext,
    locale: Locale,
  ): Promise<{ destination: string; expiresAt: string }> {
    return sendOtp(this.deps, token, context, locale);
  }

  verifyOtp(token: string, code: string, context: ActionContext): Promise<{ verified: true }> {
    return verifyOtp(this.deps, token, code, context);
  }

  sign(
    token: string,
    input: SignInput,
    context: ActionContext,
    consentText: (role: RecipientRole) => string,
  ): Promise<{ status: RecipientStatus; envelopeStatus: EnvelopeStatus }> {
    return signEnvelope(this.deps, token, input, context, consentText);
  }

  decline(token: string, reason: string, context: ActionContext): Promise<{ status: "DECLINED" }> {
    return declineEnvelope(this.deps, token, reason, context);
  }
}
