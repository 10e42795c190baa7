import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { lockEnvelope } from "../../db/locks.js";
import type { Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { Scope } from "../../domain/environment.js";
import { displayText } from "../../domain/user-text.js";
import type { PdfSource } from "../../pdf/inspect.js";
import type { EnvelopeToSeal } from "../../pdf/seal-envelope.js";
import { ALL_DOCUMENTS, signersOf, UnusableDocumentError } from "../../pdf/seal-parts.js";
import type { Stamp } from "../../pdf/stamp.js";
import { BlobMissingError, type BlobStore, type StagedBlob } from "../../storage/blob-store.js";
import type { PdfPool } from "../../workers/pdf-pool.js";
import type { StagedPart } from "../../workers/pdf-thread.js";
import { deleteBlobIfUnreferenced, keepBlob } from "../blob-references.js";
import { type EventLog, SYSTEM_CONTEXT } from "../event-log.js";
import { JobHandedBackError, PermanentJobError } from "../job-queue/index.js";
import { ensureSealed, signedDocument } from "./signed-documents.js";

export const TEST_MARK = "TEST — not legally binding";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** A sealed PDF staged for the envelope's rows. */
interface Stored {
  part: string;
  sha256: string;
  size: number;
  staged: StagedBlob;
  timestampExpiresAt: string | null;
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
    private readonly pdf: PdfPool,
    private readonly timestampUrl: string | undefined,
  ) {}

  /**
   * One attempt of the sealing job. When it cannot succeed (its input is unusable) or the last
   * attempt failed, the envelope shows why (`sealingError`, event `envelope.sealing_failed`) and
   * the job fails for good: no more attempts burning a core on the same input.
   */
  async sealJob(
    envelopeId: string,
    attempt: number,
    nextAttemptAt: Date | null,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.seal(envelopeId, signal);
    } catch (error) {
      // Stopped for a shutdown: another run takes it from the start.
      if (signal?.reason instanceof JobHandedBackError) throw error;
      const permanent = error instanceof PermanentJobError;
      if (permanent || nextAttemptAt === null) {
        const reason = permanent
          ? error.message
          : `Sealing failed ${attempt} times; the last error: ${messageOf(error)}`;
        await this.giveUp(envelopeId, reason.slice(0, 1000), attempt);
      }
      throw error;
    }
  }

  private async giveUp(envelopeId: string, reason: string, attempts: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockEnvelope(trx, this.dialect, envelopeId);
      const envelope = await trx
        .selectFrom("envelopes")
        .select(["account_id", "environment", "sealed_at"])
        .where("id", "=", envelopeId)
        .executeTakeFirst();
      if (!envelope || envelope.sealed_at) return;
      await trx
        .updateTable("envelopes")
        .set({ sealing_error: reason })
        .where("id", "=", envelopeId)
        .execute();
      const scope = { accountId: envelope.account_id, environment: envelope.environment };
      await this.events.append(trx, { id: envelopeId, scope }, SYSTEM_CONTEXT, [
        { type: "envelope.sealing_failed", data: { reason, attempts } },
      ]);
    });
  }

  /** Reads what the envelope's PDFs need, has them stamped and sealed on the pool, stores them. */
  async seal(envelopeId: string, signal?: AbortSignal): Promise<void> {
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
        images.set(
          r.id,
          await this.readStored(r.signature_image_sha256, `the signature image of ${r.id}`),
        );
    }
    const toSeal: EnvelopeToSeal["documents"] = [];
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
        const caption = `${displayText(recipient.name)} — ${utc(recipient.signed_at)}`;
        if (field.type === "signature") {
          const png = images.get(recipient.id);
          if (png) stamps.push({ ...box, kind: "signature-image", png, caption });
          else if (recipient.signature_text)
            stamps.push({
              ...box,
              kind: "signature-text",
              text: displayText(recipient.signature_text),
              caption,
            });
        } else if (field.type === "checkbox") {
          stamps.push({ ...box, kind: "checkbox", checked: field.value === "true" });
        } else if (field.value) {
          stamps.push({ ...box, kind: "text", text: displayText(field.value) });
        }
      }
      const original = await this.storedSource(document.sha256, `document ${document.id}`);
      toSeal.push({ id: document.id, original, stamps });
    }
    let parts: StagedPart[];
    try {
      parts = await this.pdf.sealEnvelope(
        {
          documents: toSeal,
          marks: {
            test: envelope.environment === "live" ? null : TEST_MARK,
            envelope: `Certyneo envelope ${envelope.id}`,
          },
          seal: {
            reason: `Signed with Certyneo — envelope ${envelope.id}`,
            timestampUrl: this.timestampUrl,
            signingTime: this.clock.now(),
            record: {
              envelopeId: envelope.id,
              environment: envelope.environment as Scope["environment"],
              contents: "documents",
              signers: signersOf(recipients),
            },
          },
        },
        this.blobs.stagingDir,
        signal,
      );
    } catch (error) {
      if (error instanceof UnusableDocumentError)
        throw new PermanentJobError(error.message, { cause: error });
      // Read by the thread: a file found stored above, then missing its bytes.
      if (error instanceof BlobMissingError) {
        const document = documents.find((d) => d.sha256 === error.sha256);
        throw missingFile(document ? `document ${document.id}` : error.sha256, error);
      }
      throw error;
    }

    const stored: Stored[] = [];
    const kept: string[] = [];
    try {
      // A part that is another's very bytes (the combined PDF of a single document) was staged
      // once, by the thread: its bytes never come to this one.
      const staging = new Map<string, StagedBlob>();
      for (const { part, staged: file, timestampExpiresAt } of parts) {
        let staged = staging.get(file.file);
        if (!staged) {
          staged = this.blobs.adopt(file);
          staging.set(file.file, staged);
        }
        stored.push({ part, sha256: staged.sha256, size: staged.size, staged, timestampExpiresAt });
      }
      await this.record(envelopeId, scope, stored, kept);
    } catch (error) {
      // Bytes kept for rows that were not committed: removed unless something else uses them.
      for (const sha256 of kept)
        await deleteBlobIfUnreferenced(this.db, this.dialect, this.blobs, sha256);
      throw error;
    } finally {
      for (const staged of new Set(stored.map((s) => s.staged))) await staged.discard();
    }
  }

  /** The sealed PDFs' rows and bytes, together, unless another attempt recorded them first. */
  private async record(
    envelopeId: string,
    scope: Scope,
    stored: readonly Stored[],
    kept: string[],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockEnvelope(trx, this.dialect, envelopeId);
      const raced = await trx
        .selectFrom("sealed_documents")
        .select("part")
        .where("envelope_id", "=", envelopeId)
        .executeTakeFirst();
      if (raced) return;
      // Kept under each hash's lock (in hash order: no deadlock), within this transaction.
      const distinct = new Map(stored.map((s) => [s.sha256, s.staged]));
      for (const [sha256, staged] of [...distinct].sort(([a], [b]) => a.localeCompare(b))) {
        kept.push(sha256);
        await keepBlob(trx, this.dialect, staged);
      }
      const now = this.clock.now().toISOString();
      await trx
        .updateTable("envelopes")
        .set({ sealed_at: now, sealing_error: null })
        .where("id", "=", envelopeId)
        .execute();
      await trx
        .insertInto("sealed_documents")
        .values(
          stored.map((s) => ({
            envelope_id: envelopeId,
            part: s.part,
            sha256: s.sha256,
            size: s.size,
            created_at: now,
            timestamp_expires_at: s.timestampExpiresAt,
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
            level: "PAdES-B-LTA",
          },
        },
      ]);
    });
  }

  /**
   * A stored file for a PDF thread: where it reads it by itself when the store has a way (the
   * megabytes never pass through the thread serving HTTP), else its bytes.
   */
  private storedSource(sha256: string, what: string): Promise<PdfSource> {
    return this.permanentIfMissing(
      what,
      async () => (await this.blobs.threadRef?.(sha256)) ?? (await this.blobs.read(sha256)),
    );
  }

  /** A stored file's bytes. */
  private readStored(sha256: string, what: string): Promise<Uint8Array> {
    return this.permanentIfMissing(what, () => this.blobs.read(sha256));
  }

  /** `read`, with a missing stored file (`what`) failing the job for good. */
  private async permanentIfMissing<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof BlobMissingError) throw missingFile(what, error);
      throw error;
    }
  }

  /** 409 unless the envelope is completed and sealed: what is final can then be handed out. */
  ensureSealed(scope: Scope, envelopeId: string): Promise<void> {
    return ensureSealed(this.db, scope, envelopeId);
  }

  /** The sealed PDF of one document, or of all of them; 409 until the envelope is sealed. */
  signedDocument(
    scope: Scope,
    envelopeId: string,
    documentId: string | undefined,
  ): Promise<{ fileName: string; size: number; stream: Readable }> {
    return signedDocument({ db: this.db, blobs: this.blobs }, scope, envelopeId, documentId);
  }
}

/** A stored file that is missing fails the job for good: retrying cannot bring it back. */
function missingFile(what: string, cause: BlobMissingError): PermanentJobError {
  return new PermanentJobError(`The stored file of ${what} is missing.`, { cause });
}
