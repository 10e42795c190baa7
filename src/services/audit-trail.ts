import type { Kysely } from "kysely";
import { findEnvelope } from "../db/envelopes.js";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { type EnvelopeStatus, isFinished } from "../domain/envelope-lifecycle.js";
import type { Scope } from "../domain/environment.js";
import { CertyneoError } from "../domain/errors.js";
import { displayText } from "../domain/user-text.js";
import type { AuditTrailDetail, AuditTrailEvent } from "../pdf/audit-trail.js";
import { ALL_DOCUMENTS, signersOf } from "../pdf/seal-parts.js";
import type { PdfPool } from "../workers/pdf-pool.js";
import type { EventLog, StoredEvent } from "./event-log.js";

/** How each kind of signature is named in the audit trail. */
const SIGNATURE_TYPES: Record<string, string> = {
  typed: "typed",
  drawn: "drawn",
  uploaded: "uploaded image",
};

/**
 * What an event says, in words an auditor reads: whom it is about, consent, authentication,
 * messages sent, reasons, field values, hashes.
 */
function describe(
  event: StoredEvent,
  recipients: Map<string, { name: string; email: string }>,
): AuditTrailDetail[] {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const details: AuditTrailDetail[] = [];
  const platform = (label: string) => details.push({ label });
  // The person an event is about, when it is not who acted (who was invited, reminded, written to).
  const subject = event.recipientId ? recipients.get(event.recipientId) : undefined;
  if (subject && event.recipientId !== event.actorId) {
    platform(`About: recipient ${event.recipientId} <${displayText(subject.email)}>`);
    details.push({ label: "Recipient's name", userText: subject.name });
  }
  if (event.type === "notification.sent" || event.type === "notification.failed") {
    platform(`Message: ${String(data.kind)} by ${String(data.channel)}`);
    details.push({ label: "To", userText: String(data.to) });
    if (typeof data.error === "string") details.push({ label: "Error", userText: data.error });
  }
  if (typeof data.consentText === "string")
    details.push({ label: "Consent given to", userText: data.consentText });
  if (event.type === "recipient.otp_sent") {
    platform(`Authentication: one-time code sent by ${String(data.channel)}`);
    details.push({ label: "Sent to", userText: String(data.destination) });
  }
  if (event.type === "recipient.otp_verified")
    platform(`Authentication result: success (${String(data.method)})`);
  if (event.type === "recipient.otp_failed")
    details.push({ label: "Authentication result: failure", userText: String(data.reason) });
  else if (typeof data.reason === "string")
    details.push({ label: "Reason", userText: data.reason });
  if (typeof data.signatureType === "string")
    platform(`Signature: ${SIGNATURE_TYPES[data.signatureType] ?? data.signatureType}`);
  if (typeof data.signatureImageSha256 === "string")
    platform(`Signature image: SHA-256 ${data.signatureImageSha256}`);
  if (Array.isArray(data.fields)) {
    for (const field of data.fields as { id: string; value: string }[])
      details.push({ label: `Field ${field.id}`, userText: field.value });
  }
  if (event.type === "envelope.evidence_renewed") {
    platform(`Timestamped again: SHA-256 ${String(data.previousSha256)}`);
    platform(`  became SHA-256 ${String(data.sha256)}`);
    platform(`Last timestamp valid until ${String(data.timestampExpiresAt)}`);
  }
  if (Array.isArray(data.documents)) {
    const verb = event.type === "recipient.viewed" ? "Shown" : "Signed";
    for (const d of data.documents as { documentId: string; sha256: string }[])
      platform(`${verb} ${d.documentId}: SHA-256 ${d.sha256}`);
  }
  if (typeof data.combinedSha256 === "string")
    platform(`Signed PDF of all documents: SHA-256 ${data.combinedSha256}`);
  if (typeof data.level === "string") platform(`Signature level: ${data.level}`);
  return details;
}

/** Who acted, in the platform's words; a recipient's name (their own text) apart. */
function actorOf(
  event: StoredEvent,
  recipients: Map<string, { name: string; email: string }>,
): AuditTrailEvent["actor"] {
  if (event.actorType === "api_key") return { kind: `API key ${event.actorId}` };
  if (event.actorType !== "recipient") return { kind: "Certyneo (system)" };
  const recipient = recipients.get(event.actorId ?? "");
  if (!recipient) return { kind: `recipient ${event.actorId}` };
  return {
    kind: `recipient ${event.actorId} <${displayText(recipient.email)}>`,
    name: recipient.name,
  };
}

export class AuditTrailService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly pdf: PdfPool,
    private readonly timestampUrl: string | undefined,
    /** Where the audit trail says anyone can verify it. */
    private readonly verifyUrl: string,
  ) {}

  /** The audit trail PDF of a sent envelope, sealed like the documents (on the PDF pool). */
  async render(scope: Scope, envelopeId: string): Promise<Uint8Array> {
    const envelope = await findEnvelope(this.db, scope, envelopeId);
    if (envelope.status === "DRAFT") {
      throw new CertyneoError(
        "conflict",
        "envelope_not_sent",
        "A draft has no audit trail yet: send the envelope first.",
      );
    }
    const [account, documents, sealed, recipients, events] = await Promise.all([
      this.db
        .selectFrom("accounts")
        .select("name")
        .where("id", "=", scope.accountId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom("envelope_documents")
        .innerJoin("documents", "documents.id", "envelope_documents.document_id")
        .select(["documents.id", "documents.name", "documents.pages", "documents.sha256"])
        .where("envelope_documents.envelope_id", "=", envelopeId)
        .orderBy("envelope_documents.position")
        .execute(),
      this.db
        .selectFrom("sealed_documents")
        .selectAll()
        .where("envelope_id", "=", envelopeId)
        .execute(),
      this.db
        .selectFrom("recipients")
        .selectAll()
        .where("envelope_id", "=", envelopeId)
        .orderBy("position")
        .execute(),
      this.events.forEnvelope(this.db, scope, envelopeId),
    ]);
    const signedSha = new Map(sealed.map((s) => [s.part, s.sha256]));
    const byId = new Map(recipients.map((r) => [r.id, r]));
    const status = envelope.status as EnvelopeStatus;
    const final = isFinished(status) && (status !== "COMPLETED" || signedSha.has(ALL_DOCUMENTS));
    return this.pdf.auditTrail(
      {
        envelope: {
          id: envelope.id,
          subject: envelope.subject,
          status,
          accountName: account.name,
          accountId: scope.accountId,
          environment: envelope.environment,
          createdAt: envelope.created_at,
          sentAt: envelope.sent_at,
          completedAt: envelope.completed_at,
        },
        final,
        documents: documents.map((d) => ({
          name: d.name,
          pages: d.pages,
          originalSha256: d.sha256,
          signedSha256: signedSha.get(d.id) ?? null,
        })),
        recipients: recipients.map((r) => ({
          name: r.name,
          email: r.email,
          role: r.role,
          auth: r.auth,
          status: r.status,
          actedAt: r.signed_at ?? r.declined_at,
        })),
        events: events.map(
          (e): AuditTrailEvent => ({
            id: e.id,
            sequence: e.sequence,
            createdAt: e.createdAt,
            type: e.type,
            actor: actorOf(e, byId),
            ip: e.ip,
            userAgent: e.userAgent,
            details: describe(e, byId),
            hash: e.hash,
          }),
        ),
        chain: events.map(
          ({ accountId: _account, environment: _environment, ...chained }) => chained,
        ),
        generatedAt: this.clock.now().toISOString(),
        verifyUrl: this.verifyUrl,
      },
      {
        reason: `Audit trail of envelope ${envelope.id}`,
        timestampUrl: this.timestampUrl,
        signingTime: this.clock.now(),
        record: {
          envelopeId: envelope.id,
          environment: scope.environment,
          contents: "audit_trail",
          signers: signersOf(recipients),
        },
      },
    );
  }
}
