import { createHash, createHmac, randomInt, timingSafeEqual } from "node:crypto";
import type { Readable } from "node:stream";
import { PDF } from "@libpdf/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { lockEnvelope } from "../db/locks.js";
import type { EnvelopesTable, RecipientsTable, Tables } from "../db/schema.js";
import type { RequestedRange } from "../domain/byte-range.js";
import type { Clock } from "../domain/clock.js";
import { type EnvelopeStatus, effectiveStatus, transition } from "../domain/envelope-lifecycle.js";
import type { Environment, Scope } from "../domain/environment.js";
import { CertyneoError, RateLimitedError } from "../domain/errors.js";
import type { FieldType, PageSize } from "../domain/fields.js";
import {
  acts,
  currentStage,
  hasActed,
  type RecipientAuth,
  type RecipientRole,
  type RecipientStatus,
  type SigningOrder,
} from "../domain/recipients.js";
import { otpEmail, otpSms } from "../notify/emails.js";
import type { Mailer } from "../notify/mailer.js";
import { SmsDeliveryError, type SmsSender } from "../notify/sms.js";
import {
  checkPng,
  DEFAULT_PNG_LIMITS,
  type PngLimits,
  PngRejectedError,
} from "../pdf/png-limits.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import { SigningTokens } from "../security/signing-tokens.js";
import type { Locale } from "../signing/i18n.js";
import type { BlobStore, StagedBlob } from "../storage/blob-store.js";
import { stageBlob } from "../storage/staging.js";
import { keepBlob } from "./blob-references.js";
import { senderOf } from "./branding.js";
import type { DocumentService } from "./documents.js";
import type { ActionContext, EventLog, NewEvent } from "./event-log.js";
import { inviteCurrentStage } from "./invitations.js";
import { checkPrintable } from "./printable.js";

export const OTP_TTL_MS = 10 * 60 * 1000;
export const OTP_MAX_ATTEMPTS = 5;
/** How long a confirmed code lets the recipient act. */
export const OTP_VERIFIED_TTL_MS = 60 * 60 * 1000;
/** Accepted in the test environment, so that integrations can be tested end to end. */
export const TEST_OTP_CODE = "123456";
const MAX_SIGNATURE_IMAGE_BYTES = 1024 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TOKEN_PATTERN = /^[0-9A-Za-z]{43}$/;

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

export interface SenderBranding {
  name: string;
  accentColor: string | null;
  logo: string | null;
}

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

type AcceptedSignature =
  | { type: "typed"; text: string }
  | { type: ImageSignatureType; sha256: string; staged: StagedBlob };

export interface SignInput {
  consent: boolean;
  signature?: Signature | undefined;
  fields?: Record<string, string> | undefined;
}

interface Session {
  envelope: EnvelopesTable;
  recipient: RecipientsTable;
  scope: Scope;
}

const GONE: Partial<Record<EnvelopeStatus, string>> = {
  COMPLETED: "envelope_completed",
  DECLINED: "envelope_declined",
  VOIDED: "envelope_voided",
  EXPIRED: "envelope_expired",
};

function badRequest(code: string, message: string, param?: string): CertyneoError {
  return new CertyneoError("invalid_request", code, message, param);
}

/** Masks an address or number so that the page can say where a code went without leaking it. */
export function maskDestination(value: string): string {
  if (value.includes("@")) {
    const [local = "", domain = ""] = value.split("@");
    return `${local.slice(0, 1)}${"•".repeat(Math.max(1, local.length - 1))}@${domain}`;
  }
  return `${value.slice(0, 3)}${"•".repeat(Math.max(1, value.length - 5))}${value.slice(-2)}`;
}

/** Everything a recipient does through their signing link, authenticated by the link alone. */
export class SigningService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly documents: DocumentService,
    private readonly blobs: BlobStore,
    private readonly mailer: Mailer,
    private readonly sms: SmsSender,
    private readonly limiter: RateLimiter,
    private readonly secret: Buffer,
    private readonly limits: SigningLimits = DEFAULT_SIGNING_LIMITS,
  ) {}

  /**
   * Counts one request through a signing link, per link and per client address, before any
   * work: writes (which may decode an image or send a message) are limited more tightly than
   * reads. The link is keyed by a hash: a bearer token is never stored in the rate-limit store.
   */
  /**
   * Counts a request through a link, per link and per client address; `range`, a byte range of a
   * document a viewer reads, per address only (as a read).
   */
  async throttle(token: string, ip: string, kind: "read" | "write" | "range"): Promise<void> {
    const link = createHash("sha256").update(token).digest("base64url").slice(0, 32);
    const bucket = kind === "write" ? "write" : "read";
    const [perLink, perIp] =
      kind === "write"
        ? [this.limits.writesPerLink, this.limits.writesPerIp]
        : [this.limits.readsPerLink, this.limits.readsPerIp];
    const what = kind === "write" ? "actions" : "requests";
    if (kind !== "range")
      await this.limit(`signing-${bucket}-link:${link}`, perLink, `${what} with this signing link`);
    await this.limit(`signing-${bucket}-ip:${ip}`, perIp, `${what} from your address`);
  }

  /** The recipient behind a token, whatever the state of their envelope. */
  async resolve(token: string, db: Kysely<Tables> = this.db): Promise<Session> {
    const hash = TOKEN_PATTERN.test(token) ? SigningTokens.hash(token) : undefined;
    const recipient = hash
      ? await db
          .selectFrom("recipients")
          .selectAll()
          .where("token_hash", "=", hash)
          .executeTakeFirst()
      : undefined;
    if (
      !hash ||
      !recipient?.token_hash ||
      !timingSafeEqual(Buffer.from(recipient.token_hash), Buffer.from(hash))
    ) {
      throw new CertyneoError(
        "not_found",
        "signing_link_invalid",
        "This signing link is not valid.",
      );
    }
    const envelope = await db
      .selectFrom("envelopes")
      .selectAll()
      .where("id", "=", recipient.envelope_id)
      .executeTakeFirstOrThrow();
    return {
      envelope,
      recipient,
      scope: { accountId: envelope.account_id, environment: envelope.environment },
    };
  }

  /** Who sent the envelope of a valid link, as its recipients see them: for its ended pages too. */
  async sender(session: Session): Promise<SenderBranding> {
    const account = await this.db
      .selectFrom("accounts")
      .select(["name", "display_name", "accent_color", "logo"])
      .where("id", "=", session.envelope.account_id)
      .executeTakeFirstOrThrow();
    return {
      name: account.display_name ?? account.name,
      accentColor: account.accent_color,
      logo: account.logo,
    };
  }

  /** A link whose envelope has ended answers 410 with the reason. */
  private assertLive(session: Session): void {
    const status = this.effectiveStatus(session.envelope);
    const code = GONE[status];
    if (code) {
      throw new CertyneoError(
        "gone",
        code,
        `This envelope is ${status}; its signing links no longer work.`,
      );
    }
  }

  private effectiveStatus(envelope: EnvelopesTable): EnvelopeStatus {
    return effectiveStatus(
      envelope.status as EnvelopeStatus,
      envelope.expires_at,
      this.clock.now().toISOString(),
    );
  }

  async view(token: string, context: ActionContext): Promise<SigningView> {
    let session = await this.resolve(token);
    this.assertLive(session);
    if (session.recipient.status === "SENT") {
      await this.mutate(token, context, async (trx, locked, now) => {
        if (locked.recipient.status !== "SENT") return [];
        await trx
          .updateTable("recipients")
          .set({ status: "VIEWED", viewed_at: now })
          .where("id", "=", locked.recipient.id)
          .execute();
        // The very files the recipient is shown, by their hashes: what they were asked to sign.
        const shown = await trx
          .selectFrom("envelope_documents")
          .innerJoin("documents", "documents.id", "envelope_documents.document_id")
          .select(["documents.id", "documents.sha256"])
          .where("envelope_documents.envelope_id", "=", locked.envelope.id)
          .orderBy("envelope_documents.position")
          .execute();
        return [
          {
            type: "recipient.viewed",
            recipientId: locked.recipient.id,
            data: { documents: shown.map((d) => ({ documentId: d.id, sha256: d.sha256 })) },
          },
        ];
      });
      session = await this.resolve(token);
    }
    return this.describe(session);
  }

  private async describe(session: Session): Promise<SigningView> {
    const { envelope, recipient } = session;
    const [account, documentRows, fieldRows, recipients] = await Promise.all([
      this.db
        .selectFrom("accounts")
        .select(["name", "display_name", "accent_color", "logo"])
        .where("id", "=", envelope.account_id)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom("envelope_documents")
        .select(["document_id"])
        .where("envelope_id", "=", envelope.id)
        .orderBy("position")
        .execute(),
      this.db
        .selectFrom("fields")
        .selectAll()
        .where("recipient_id", "=", recipient.id)
        .orderBy("position")
        .execute(),
      this.db
        .selectFrom("recipients")
        .selectAll()
        .where("envelope_id", "=", envelope.id)
        .orderBy("position")
        .execute(),
    ]);
    const documents = await this.documents.getMany(
      session.scope,
      documentRows.map((d) => d.document_id),
    );
    const { canAct, reason, waitingFor } = this.turn(session.envelope, recipient, recipients);
    return {
      envelope: {
        id: envelope.id,
        subject: envelope.subject,
        message: envelope.message,
        status: this.effectiveStatus(envelope),
        environment: envelope.environment,
        accountName: account.display_name ?? account.name,
        branding: { accentColor: account.accent_color, logo: account.logo },
        documents: documentRows.map((d) => {
          const document = documents.get(d.document_id)!;
          return {
            id: document.id,
            name: document.name,
            pages: document.pages,
            pageSizes: document.pageSizes,
          };
        }),
      },
      recipient: {
        id: recipient.id,
        name: recipient.name,
        email: recipient.email,
        role: recipient.role as RecipientRole,
        status: recipient.status as RecipientStatus,
        auth: recipient.auth as RecipientAuth,
        locale: recipient.locale,
        verified: this.isVerified(recipient),
      },
      fields: fieldRows.map((f) => ({
        id: f.id,
        type: f.type as FieldType,
        documentId: f.document_id,
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        required: f.required === 1,
        label: f.label,
        value: f.value,
      })),
      canAct,
      reason,
      waitingFor,
      otpRequired: canAct && recipient.auth !== "none" && !this.isVerified(recipient),
      redirectUrl: recipient.redirect_url ?? envelope.redirect_url ?? null,
    };
  }

  private turn(
    envelope: EnvelopesTable,
    recipient: RecipientsTable,
    recipients: RecipientsTable[],
  ): { canAct: boolean; reason: CannotActReason | null; waitingFor: string[] } {
    const role = recipient.role as RecipientRole;
    const status = recipient.status as RecipientStatus;
    if (!acts(role)) return { canAct: false, reason: "no_action", waitingFor: [] };
    if (hasActed(status)) return { canAct: false, reason: "already_acted", waitingFor: [] };
    if (status === "DECLINED") return { canAct: false, reason: "declined", waitingFor: [] };
    const stage = currentStage(
      recipients.map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role as RecipientRole,
        order: r.routing_order,
        status: r.status as RecipientStatus,
      })),
      envelope.signing_order as SigningOrder,
    );
    if (stage.some((r) => r.id === recipient.id))
      return { canAct: true, reason: null, waitingFor: [] };
    return { canAct: false, reason: "not_your_turn", waitingFor: stage.map((r) => r.name) };
  }

  private isVerified(recipient: RecipientsTable): boolean {
    if (!recipient.otp_verified_at) return false;
    return Date.parse(recipient.otp_verified_at) + OTP_VERIFIED_TTL_MS > this.clock.now().getTime();
  }

  /**
   * A document of the envelope, to display; `range` (HTTP's `Range` header, as sent) lets a
   * viewer read only the parts of a large PDF it shows.
   */
  async openDocument(
    token: string,
    documentId: string,
    rangeHeader?: string,
  ): Promise<{ name: string; size: number; stream: Readable; range: RequestedRange }> {
    const session = await this.resolve(token);
    this.assertLive(session);
    const link = await this.db
      .selectFrom("envelope_documents")
      .select("document_id")
      .where("envelope_id", "=", session.envelope.id)
      .where("document_id", "=", documentId)
      .executeTakeFirst();
    if (!link) {
      throw new CertyneoError(
        "not_found",
        "document_not_found",
        `No document with id "${documentId}" in this envelope.`,
      );
    }
    const { document, stream, range } = await this.documents.openContent(
      session.scope,
      documentId,
      rangeHeader,
    );
    return { name: document.name, size: document.size, stream, range };
  }

  /** Sends a new 6-digit code by the recipient's channel; the previous one stops working. */
  async sendOtp(
    token: string,
    context: ActionContext,
    locale: Locale,
  ): Promise<{ destination: string; expiresAt: string }> {
    const session = await this.resolve(token);
    this.assertLive(session);
    this.assertCanAct(await this.describe(session));
    const { recipient } = session;
    if (recipient.auth === "none") {
      throw new CertyneoError(
        "conflict",
        "otp_not_required",
        "This recipient signs without a one-time code.",
      );
    }
    await this.limit(`otp-send:${recipient.id}`, { perMinute: 2, burst: 3 }, "codes");
    const channel = recipient.auth === "sms_otp" ? "sms" : "email";
    const destination = channel === "sms" ? recipient.phone! : recipient.email;
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const expiresAt = new Date(this.clock.now().getTime() + OTP_TTL_MS).toISOString();
    await this.mutate(token, context, async (trx, locked) => {
      await trx
        .updateTable("recipients")
        .set({
          otp_hash: this.otpHash(recipient.id, code),
          otp_expires_at: expiresAt,
          otp_attempts: 0,
        })
        .where("id", "=", locked.recipient.id)
        .execute();
      return [
        {
          type: "recipient.otp_sent",
          recipientId: recipient.id,
          data: { channel, destination: maskDestination(destination) },
        },
      ];
    });
    try {
      if (channel === "sms") {
        await this.sms.send(destination, otpSms(locale, code));
      } else {
        const sender = await senderOf(this.db, session.scope.accountId);
        const facts = {
          locale,
          accountName: sender.name,
          accentColor: sender.accentColor,
          logo: sender.logo,
          subject: session.envelope.subject,
          test: session.scope.environment === "test",
        };
        await this.mailer.send({
          ...otpEmail(facts, destination, recipient.name, code),
          onBehalfOf: sender.name,
        });
      }
    } catch (error) {
      // Never what the provider answered: it may quote the text, and so the code.
      const reason =
        error instanceof SmsDeliveryError
          ? error.summary
          : (error instanceof Error ? error.message : String(error)).slice(0, 500);
      await this.mutate(token, context, async () => [
        {
          type: "notification.failed",
          recipientId: recipient.id,
          data: { kind: "otp", channel, to: maskDestination(destination), error: reason },
        },
      ]);
      throw new CertyneoError(
        "unavailable",
        "otp_delivery_failed",
        `The code could not be sent by ${channel === "sms" ? "SMS" : "email"}. Try again in a moment.`,
      );
    }
    return { destination: maskDestination(destination), expiresAt };
  }

  async verifyOtp(
    token: string,
    code: string,
    context: ActionContext,
  ): Promise<{ verified: true }> {
    if (!/^\d{6}$/.test(code))
      throw badRequest("parameter_invalid", "The code is 6 digits.", "code");
    const session = await this.resolve(token);
    this.assertLive(session);
    this.assertCanAct(await this.describe(session));
    await this.limit(
      `otp-verify:${session.recipient.id}`,
      { perMinute: 10, burst: 10 },
      "attempts",
    );
    let failure: CertyneoError | undefined;
    await this.mutate(token, context, async (trx, { recipient, envelope }, now) => {
      const testCode = envelope.environment === "test" && code === TEST_OTP_CODE;
      if (!testCode) {
        failure = this.checkCode(recipient, code);
        if (failure) {
          const attempts = (recipient.otp_attempts ?? 0) + 1;
          const locked = attempts >= OTP_MAX_ATTEMPTS;
          if (recipient.otp_hash && failure.code === "otp_invalid") {
            await trx
              .updateTable("recipients")
              .set(locked ? { otp_attempts: attempts, otp_hash: null } : { otp_attempts: attempts })
              .where("id", "=", recipient.id)
              .execute();
            if (locked)
              failure = otpError(
                "otp_locked",
                "Too many wrong codes: this code no longer works. Ask for a new one.",
              );
            else
              failure = otpError(
                "otp_invalid",
                `This code is not right. ${OTP_MAX_ATTEMPTS - attempts} attempt(s) left.`,
              );
          }
          return [
            {
              type: "recipient.otp_failed",
              recipientId: recipient.id,
              data: { reason: failure.code },
            },
          ];
        }
      }
      await trx
        .updateTable("recipients")
        .set({ otp_verified_at: now, otp_hash: null, otp_attempts: 0 })
        .where("id", "=", recipient.id)
        .execute();
      return [
        {
          type: "recipient.otp_verified",
          recipientId: recipient.id,
          data: { method: recipient.auth },
        },
      ];
    });
    if (failure) throw failure;
    return { verified: true };
  }

  private checkCode(recipient: RecipientsTable, code: string): CertyneoError | undefined {
    if (!recipient.otp_hash) {
      return (recipient.otp_attempts ?? 0) >= OTP_MAX_ATTEMPTS
        ? otpError("otp_locked", "Too many wrong codes: ask for a new code.")
        : otpError("otp_not_sent", "No code is waiting: ask for a code first.");
    }
    if (!recipient.otp_expires_at || recipient.otp_expires_at <= this.clock.now().toISOString()) {
      return otpError("otp_expired", "This code has expired: ask for a new one.");
    }
    const expected = Buffer.from(recipient.otp_hash, "hex");
    const actual = Buffer.from(this.otpHash(recipient.id, code), "hex");
    return timingSafeEqual(expected, actual)
      ? undefined
      : otpError("otp_invalid", "This code is not right.");
  }

  /** Codes are stored as an HMAC keyed by the server secret: a leaked row reveals nothing. */
  private otpHash(recipientId: string, code: string): string {
    return createHmac("sha256", this.secret).update(`otp:${recipientId}:${code}`).digest("hex");
  }

  async sign(
    token: string,
    input: SignInput,
    context: ActionContext,
    consentText: (role: RecipientRole) => string,
  ): Promise<{ status: RecipientStatus; envelopeStatus: EnvelopeStatus }> {
    const session = await this.resolve(token);
    this.assertLive(session);
    const view = await this.describe(session);
    this.assertCanAct(view);
    if (view.otpRequired) {
      throw new CertyneoError(
        "forbidden",
        "otp_required",
        "Confirm your identity with the one-time code first.",
      );
    }
    if (input.consent !== true) {
      throw badRequest(
        "consent_required",
        "Signing needs your explicit consent (consent: true).",
        "consent",
      );
    }
    const role = view.recipient.role;
    if (role !== "SIGNER" && input.signature) {
      throw badRequest(
        "signature_not_allowed",
        "An approver approves without a signature.",
        "signature",
      );
    }
    const signature = role === "SIGNER" ? await this.acceptSignature(input.signature) : undefined;
    try {
      return await this.record(token, input, context, consentText, view, signature);
    } finally {
      if (signature && signature.type !== "typed") await signature.staged.discard();
    }
  }

  private async record(
    token: string,
    input: SignInput,
    context: ActionContext,
    consentText: (role: RecipientRole) => string,
    view: SigningView,
    signature: AcceptedSignature | undefined,
  ): Promise<{ status: RecipientStatus; envelopeStatus: EnvelopeStatus }> {
    const role = view.recipient.role;
    const values = this.fieldValues(view, input.fields ?? {});
    let envelopeStatus: EnvelopeStatus = "SENT";
    const status: RecipientStatus = role === "SIGNER" ? "SIGNED" : "APPROVED";
    await this.mutate(token, context, async (trx, locked, now) => {
      // Re-checked under the lock: a concurrent request may have acted first.
      if (locked.recipient.status !== view.recipient.status) {
        throw new CertyneoError(
          "conflict",
          "already_acted",
          "You have already acted on this envelope.",
        );
      }
      // The image's bytes, kept with the row that references them (see blob-references.ts).
      if (signature && signature.type !== "typed")
        await keepBlob(trx, this.dialect, signature.staged);
      await trx
        .updateTable("recipients")
        .set({
          status,
          signed_at: now,
          signature_type: signature?.type ?? null,
          signature_text: signature?.type === "typed" ? signature.text : null,
          signature_image_sha256: signature && signature.type !== "typed" ? signature.sha256 : null,
        })
        .where("id", "=", locked.recipient.id)
        .execute();
      for (const [fieldId, value] of values) {
        await trx.updateTable("fields").set({ value }).where("id", "=", fieldId).execute();
      }
      const events: NewEvent[] = [
        {
          type: "recipient.consented",
          recipientId: locked.recipient.id,
          data: { consentText: consentText(role) },
        },
        {
          type: role === "SIGNER" ? "recipient.signed" : "recipient.approved",
          recipientId: locked.recipient.id,
          data: {
            ...(signature && { signatureType: signature.type }),
            ...(signature &&
              signature.type !== "typed" && { signatureImageSha256: signature.sha256 }),
            fieldsFilled: values.size,
            // What the signer put in each field, as it is stamped: evidence of what they agreed to.
            fields: [...values].map(([id, value]) => ({ id, value })),
          },
        },
      ];
      const next = await inviteCurrentStage(
        trx,
        locked.envelope.id,
        locked.envelope.signing_order as SigningOrder,
        now,
      );
      events.push(...next.events);
      if (next.everyoneActed) {
        const completion = transition(locked.envelope.status as EnvelopeStatus, "complete");
        if (!completion.allowed)
          throw new CertyneoError("conflict", completion.code, completion.message);
        await trx
          .updateTable("envelopes")
          .set({ status: "COMPLETED", completed_at: now, updated_at: now })
          .where("id", "=", locked.envelope.id)
          .execute();
        envelopeStatus = "COMPLETED";
        events.push({ type: "envelope.completed" });
      }
      return events;
    });
    return { status, envelopeStatus };
  }

  async decline(
    token: string,
    reason: string,
    context: ActionContext,
  ): Promise<{ status: "DECLINED" }> {
    const trimmed = reason.trim();
    if (!trimmed)
      throw badRequest(
        "reason_required",
        "Say why you decline: the sender will read it.",
        "reason",
      );
    const session = await this.resolve(token);
    this.assertLive(session);
    this.assertCanAct(await this.describe(session));
    await this.mutate(token, context, async (trx, locked, now) => {
      if (
        hasActed(locked.recipient.status as RecipientStatus) ||
        locked.recipient.status === "DECLINED"
      ) {
        throw new CertyneoError(
          "conflict",
          "already_acted",
          "You have already acted on this envelope.",
        );
      }
      const declined = transition(locked.envelope.status as EnvelopeStatus, "decline");
      if (!declined.allowed) throw new CertyneoError("conflict", declined.code, declined.message);
      await trx
        .updateTable("recipients")
        .set({ status: "DECLINED", declined_at: now, decline_reason: trimmed })
        .where("id", "=", locked.recipient.id)
        .execute();
      await trx
        .updateTable("envelopes")
        .set({ status: "DECLINED", declined_at: now, updated_at: now })
        .where("id", "=", locked.envelope.id)
        .execute();
      return [
        { type: "recipient.declined", recipientId: locked.recipient.id, data: { reason: trimmed } },
        { type: "envelope.declined", recipientId: locked.recipient.id, data: { reason: trimmed } },
      ];
    });
    return { status: "DECLINED" };
  }

  private assertCanAct(view: SigningView): void {
    if (view.canAct) return;
    const messages: Record<CannotActReason, [string, string]> = {
      not_your_turn: [
        "not_your_turn",
        `It is not your turn yet: waiting for ${view.waitingFor.join(", ")}.`,
      ],
      already_acted: ["already_acted", "You have already acted on this envelope."],
      declined: ["already_acted", "You have declined this envelope."],
      no_action: [
        "no_action_required",
        "You receive a copy of this envelope; there is nothing for you to do.",
      ],
    };
    const [code, message] = messages[view.reason ?? "no_action"];
    throw new CertyneoError("conflict", code, message);
  }

  /**
   * An image signature (drawn or uploaded) is checked, then staged here and kept by the
   * transaction that records it.
   */
  private async acceptSignature(signature: Signature | undefined): Promise<AcceptedSignature> {
    if (!signature)
      throw badRequest(
        "signature_required",
        "A signer must give a signature, drawn, uploaded or typed.",
        "signature",
      );
    if (signature.type === "typed") {
      const text = signature.text.trim();
      if (!text)
        throw badRequest(
          "signature_invalid",
          "A typed signature needs your name.",
          "signature.text",
        );
      checkPrintable(text, "signature.text", "The typed signature", "Draw your signature instead.");
      return { type: "typed", text };
    }
    // "drawn" or "uploaded": the same checks, only the words differ.
    const { type } = signature;
    const match = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(signature.image);
    const bytes = match ? Buffer.from(match[1]!, "base64") : undefined;
    if (!bytes || bytes.length < PNG_MAGIC.length || !bytes.subarray(0, 8).equals(PNG_MAGIC)) {
      throw badRequest(
        "signature_invalid",
        `A${type === "uploaded" ? "n" : ""} ${type} signature is a PNG image as a data: URL.`,
        "signature.image",
      );
    }
    if (bytes.length > MAX_SIGNATURE_IMAGE_BYTES) {
      throw badRequest(
        "signature_image_too_large",
        `The ${type} signature image is larger than 1 MB.`,
        "signature.image",
      );
    }
    try {
      // Its structure and declared size first, bounded; only then is it decoded.
      checkPng(bytes, this.limits.png);
    } catch (error) {
      if (!(error instanceof PngRejectedError)) throw error;
      throw badRequest(
        error.reason === "too_large" ? "signature_image_too_large" : "signature_invalid",
        `The ${type} signature is refused: ${error.message}`,
        "signature.image",
      );
    }
    try {
      // Decoded now, by the same code that will draw it on the sealed PDF.
      PDF.create().embedPng(new Uint8Array(bytes));
    } catch {
      throw badRequest(
        "signature_invalid",
        `The ${type} signature is not a readable PNG image.`,
        "signature.image",
      );
    }
    const staged = await stageBlob(this.blobs, bytes, MAX_SIGNATURE_IMAGE_BYTES);
    return { type, sha256: staged.sha256, staged };
  }

  /** The values to store: given ones checked, dates filled in, required ones present. */
  private fieldValues(view: SigningView, given: Record<string, string>): Map<string, string> {
    const fields = new Map(view.fields.map((f) => [f.id, f]));
    for (const id of Object.keys(given)) {
      if (!fields.has(id))
        throw badRequest("field_unknown", `Field ${id} is not one of yours.`, `fields.${id}`);
    }
    const values = new Map<string, string>();
    const today = this.clock.now().toISOString().slice(0, 10);
    for (const field of view.fields) {
      if (field.type === "signature") continue;
      let value = given[field.id]?.trim();
      if (field.type === "date" && !value) value = today;
      if (field.type === "initials" && !value) value = initialsOf(view.recipient.name);
      if (
        field.type === "checkbox" &&
        value !== undefined &&
        value !== "true" &&
        value !== "false"
      ) {
        throw badRequest("field_invalid", 'A checkbox is "true" or "false".', `fields.${field.id}`);
      }
      if (value !== undefined && value.length > 500) {
        throw badRequest(
          "field_invalid",
          "A field value is at most 500 characters.",
          `fields.${field.id}`,
        );
      }
      if (value) checkPrintable(value, `fields.${field.id}`, "The field's value");
      const missing = !value || (field.type === "checkbox" && value !== "true");
      if (field.required && missing) {
        throw badRequest(
          "field_required",
          `The field ${field.label ?? field.type} is required.`,
          `fields.${field.id}`,
        );
      }
      if (value) values.set(field.id, value);
    }
    return values;
  }

  private async limit(
    key: string,
    policy: { perMinute: number; burst: number },
    what: string,
  ): Promise<void> {
    const decision = await this.limiter.consume(key, policy);
    if (!decision.allowed) {
      throw new RateLimitedError(
        `Too many ${what} in a short time. Retry in ${decision.retryAfterSeconds} s.`,
        decision.retryAfterSeconds,
      );
    }
  }

  /** One transaction under the envelope's lock: re-read, change, append the events. */
  private async mutate(
    token: string,
    context: ActionContext,
    change: (trx: Kysely<Tables>, locked: Session, now: string) => Promise<NewEvent[]>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { envelope } = await this.resolve(token, trx);
      await lockEnvelope(trx, this.dialect, envelope.id);
      const locked = await this.resolve(token, trx);
      this.assertLive(locked);
      const events = await change(trx, locked, this.clock.now().toISOString());
      if (events.length > 0)
        await this.events.append(
          trx,
          { id: locked.envelope.id, scope: locked.scope },
          context,
          events,
        );
    });
  }
}

function otpError(code: string, message: string): CertyneoError {
  return new CertyneoError("unauthenticated", code, message, "code");
}

function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase())
    .join("")
    .slice(0, 4);
}
