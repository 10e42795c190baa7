import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { PDF } from "@libpdf/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { findEnvelope } from "../db/envelopes.js";
import { lockEnvelope } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Scope } from "../domain/environment.js";
import { CertyneoError } from "../domain/errors.js";
import { sealPdf } from "../pdf/seal.js";
import { type Stamp, stampPdf } from "../pdf/stamp.js";
import type { PlatformPki } from "../pki/platform-pki.js";
import type { BlobStore } from "../storage/blob-store.js";
import { type EventLog, SYSTEM_CONTEXT } from "./event-log.js";

export const ALL_DOCUMENTS = "all";
export const TEST_MARK = "TEST — not legally binding";

async function readAll(stream: Readable): Promise<Uint8Array> {
  return new Uint8Array(await buffer(stream));
}

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * Turns a completed envelope into what it is worth: each document with the recipients'
 * signatures and values drawn on it (and the test mark outside `live`), sealed with the platform
 * certificate, plus one sealed PDF of every document. Idempotent: a sealed envelope is left as is.
 */
export class SealingService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly events: EventLog,
    private readonly pki: () => Promise<PlatformPki>,
    private readonly timestampUrl: string | undefined,
  ) {}

  async seal(envelopeId: string): Promise<void> {
    const envelope = await this.db
      .selectFrom("envelopes")
      .selectAll()
      .where("id", "=", envelopeId)
      .executeTakeFirst();
    if (envelope?.status !== "COMPLETED") return;
    const already = await this.db
      .selectFrom("sealed_documents")
      .select("part")
      .where("envelope_id", "=", envelopeId)
      .executeTakeFirst();
    if (already) return;
    const scope: Scope = { accountId: envelope.account_id, environment: envelope.environment };
    const [documents, recipients, fields] = await Promise.all([
      this.db
        .selectFrom("envelope_documents")
        .innerJoin("documents", "documents.id", "envelope_documents.document_id")
        .select(["documents.id", "documents.sha256", "documents.name"])
        .where("envelope_documents.envelope_id", "=", envelopeId)
        .orderBy("envelope_documents.position")
        .execute(),
      this.db.selectFrom("recipients").selectAll().where("envelope_id", "=", envelopeId).execute(),
      this.db
        .selectFrom("fields")
        .selectAll()
        .where("envelope_id", "=", envelopeId)
        .orderBy("position")
        .execute(),
    ]);
    const byId = new Map(recipients.map((r) => [r.id, r]));
    const images = new Map<string, Uint8Array>();
    for (const r of recipients) {
      if (r.signature_image_sha256)
        images.set(r.id, await readAll(await this.blobs.open(r.signature_image_sha256)));
    }
    const { signer } = await this.pki();
    const testMark = envelope.environment === "live" ? null : TEST_MARK;
    const seal = (bytes: Uint8Array) =>
      sealPdf(bytes, {
        signer,
        reason: `Signed with Certyneo — envelope ${envelope.id}`,
        timestampUrl: this.timestampUrl,
        signingTime: this.clock.now(),
      });

    const stampedDocuments: Uint8Array[] = [];
    const parts: { part: string; bytes: Uint8Array }[] = [];
    for (const document of documents) {
      const stamps: Stamp[] = [];
      for (const field of fields.filter((f) => f.document_id === document.id)) {
        const recipient = byId.get(field.recipient_id);
        if (!recipient?.signed_at) continue;
        const box = {
          page: field.page,
          x: field.x,
          y: field.y,
          width: field.width,
          height: field.height,
        };
        const caption = `${recipient.name} — ${utc(recipient.signed_at)}`;
        if (field.type === "signature") {
          const png = images.get(recipient.id);
          if (png) stamps.push({ ...box, kind: "signature-image", png, caption });
          else if (recipient.signature_text)
            stamps.push({
              ...box,
              kind: "signature-text",
              text: recipient.signature_text,
              caption,
            });
        } else if (field.type === "checkbox") {
          stamps.push({ ...box, kind: "checkbox", checked: field.value === "true" });
        } else if (field.value) {
          stamps.push({ ...box, kind: "text", text: field.value });
        }
      }
      const original = await readAll(await this.blobs.open(document.sha256));
      const stamped = await stampPdf(original, stamps, testMark);
      stampedDocuments.push(stamped);
      parts.push({ part: document.id, bytes: await seal(stamped) });
    }
    const merged = await PDF.merge(stampedDocuments);
    parts.push({ part: ALL_DOCUMENTS, bytes: await seal(await merged.save()) });

    const stored: { part: string; sha256: string; size: number }[] = [];
    for (const { part, bytes } of parts) {
      const staged = await this.blobs.stage(Buffer.from(bytes), Number.MAX_SAFE_INTEGER);
      await staged.commit();
      stored.push({ part, sha256: staged.sha256, size: staged.size });
    }
    await this.db.transaction().execute(async (trx) => {
      await lockEnvelope(trx, this.dialect, envelopeId);
      const raced = await trx
        .selectFrom("sealed_documents")
        .select("part")
        .where("envelope_id", "=", envelopeId)
        .executeTakeFirst();
      if (raced) return;
      const now = this.clock.now().toISOString();
      await trx
        .insertInto("sealed_documents")
        .values(
          stored.map((s) => ({
            envelope_id: envelopeId,
            part: s.part,
            sha256: s.sha256,
            size: s.size,
            created_at: now,
          })),
        )
        .execute();
      await this.events.append(trx, { id: envelopeId, scope }, SYSTEM_CONTEXT, [
        {
          type: "envelope.sealed",
          data: {
            documents: stored
              .filter((s) => s.part !== ALL_DOCUMENTS)
              .map((s) => ({ documentId: s.part, sha256: s.sha256 })),
            combinedSha256: stored.find((s) => s.part === ALL_DOCUMENTS)?.sha256,
            level: this.timestampUrl ? "PAdES-B-T" : "PAdES-B-B",
          },
        },
      ]);
    });
  }

  /** The sealed PDF of one document, or of all of them; 409 until the envelope is sealed. */
  async signedDocument(
    scope: Scope,
    envelopeId: string,
    documentId: string | undefined,
  ): Promise<{ fileName: string; size: number; stream: Readable }> {
    const envelope = await findEnvelope(this.db, scope, envelopeId);
    if (envelope.status !== "COMPLETED") {
      throw new CertyneoError(
        "conflict",
        "envelope_not_completed",
        `The envelope is ${envelope.status}: its signed documents exist once every recipient has signed.`,
      );
    }
    let name = envelope.subject;
    if (documentId) {
      const document = await this.db
        .selectFrom("envelope_documents")
        .innerJoin("documents", "documents.id", "envelope_documents.document_id")
        .select(["documents.name"])
        .where("envelope_documents.envelope_id", "=", envelopeId)
        .where("documents.id", "=", documentId)
        .executeTakeFirst();
      if (!document) {
        throw new CertyneoError(
          "not_found",
          "document_not_found",
          `Document ${documentId} is not part of this envelope.`,
          "documentId",
        );
      }
      name = document.name.replace(/\.pdf$/i, "");
    }
    const sealed = await this.db
      .selectFrom("sealed_documents")
      .selectAll()
      .where("envelope_id", "=", envelopeId)
      .where("part", "=", documentId ?? ALL_DOCUMENTS)
      .executeTakeFirst();
    if (!sealed) {
      throw new CertyneoError(
        "conflict",
        "envelope_not_completed",
        "The envelope is completed and its documents are being sealed. Retry in a few seconds.",
      );
    }
    return {
      fileName: `${name} - signed.pdf`,
      size: sealed.size,
      stream: await this.blobs.open(sealed.sha256),
    };
  }
}
