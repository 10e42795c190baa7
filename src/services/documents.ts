import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { lockEnvelopes } from "../db/locks.js";
import { listNewestFirst } from "../db/pagination.js";
import type { DocumentsTable, Tables } from "../db/schema.js";
import { type RequestedRange, requestedRange } from "../domain/byte-range.js";
import type { Clock } from "../domain/clock.js";
import type { Environment, Scope } from "../domain/environment.js";
import { CertyneoError, notFound } from "../domain/errors.js";
import type { Page, PageRequest } from "../domain/pagination.js";
import type { InspectedPdf, PageSize, PdfFacts, PdfSource } from "../pdf/inspect.js";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "../pdf/pdf-limits.js";
import { newId } from "../security/random.js";
import {
  BlobMissingError,
  type BlobStore,
  BlobTooLargeError,
  type StagedBlob,
} from "../storage/blob-store.js";
import { stageUnhashed, type UnhashedFile } from "../storage/staging.js";
import { deleteBlobIfUnreferenced, keepBlob } from "./blob-references.js";

export interface Document {
  id: string;
  name: string;
  contentType: "application/pdf";
  size: number;
  pages: number;
  pageSizes: PageSize[];
  sha256: string;
  environment: Environment;
  createdAt: string;
}

export const DEFAULT_DOCUMENT_NAME = "document.pdf";

/** The limits of one PDF, and of the documents of one envelope together. */
export interface DocumentLimits extends PdfLimits {
  /** Most pages of all the documents of one envelope, which sealing merges into one PDF. */
  readonly maxEnvelopePages: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  ...DEFAULT_PDF_LIMITS,
  maxEnvelopePages: 2000,
};

/** `inspectPdfSource` on this thread, its PDF library loaded at the first call. */
async function inspectHere(source: PdfSource, limits: PdfLimits): Promise<InspectedPdf> {
  const { inspectPdfSource } = await import("../pdf/inspect.js");
  return inspectPdfSource(source, limits);
}

export interface PreparedUpload {
  readonly staged: StagedBlob;
  readonly facts: PdfFacts;
  discard(): Promise<void>;
}

export class DocumentService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    readonly maxBytes: number,
    readonly limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS,
    /** Where PDFs are inspected: `inspectPdf` itself, or a worker thread (the app's `PdfPool`). */
    private readonly inspect: (
      source: PdfSource,
      limits: PdfLimits,
    ) => Promise<InspectedPdf> = inspectHere,
  ) {}

  /**
   * Stores a PDF after checking it is one. Whatever fails, nothing is left behind: the staged
   * bytes are discarded and no row is written.
   */
  async upload(
    scope: Scope,
    input: { name?: string | undefined; content: Readable | Buffer },
  ): Promise<Document> {
    const prepared = await this.prepare(input.content);
    try {
      return await this.store(scope, prepared, input.name);
    } finally {
      await prepared.discard();
    }
  }

  /** First half of an upload: the bytes staged and checked, nothing kept yet. */
  async prepare(content: Readable | Buffer): Promise<PreparedUpload> {
    const file = await this.stage(content);
    try {
      // Bytes already in memory are inspected as they are; a stream is read back once from disk,
      // by the inspecting thread: never held by the thread that serves HTTP. That thread hashes
      // the bytes too, and the store takes the staged file with its hash.
      const { sha256, ...facts } = await this.inspect(
        Buffer.isBuffer(content) ? content : { path: file.file },
        this.limits,
      );
      const staged = this.blobs.adopt({ ...file, sha256 });
      return { staged, facts, discard: () => staged.discard() };
    } catch (error) {
      await rm(file.file, { force: true });
      throw error;
    }
  }

  /**
   * The bytes staged on this host's disk as they stream, not hashed (whoever reads them back
   * does), refused past the size limit (`document_too_large`): the caller removes the file.
   */
  async stage(content: Readable | Buffer): Promise<UnhashedFile> {
    try {
      return await stageUnhashed(this.blobs.stagingDir, content, this.maxBytes);
    } catch (error) {
      if (error instanceof BlobTooLargeError || isMultipartTooLarge(error)) throw this.tooLarge();
      throw error;
    }
  }

  /** Second half: the row and the kept bytes, together or not at all. */
  async store(scope: Scope, prepared: PreparedUpload, name: string | undefined): Promise<Document> {
    const { staged, facts } = prepared;
    const row: DocumentsTable = {
      id: newId("doc"),
      account_id: scope.accountId,
      environment: scope.environment,
      name: name ?? DEFAULT_DOCUMENT_NAME,
      size: staged.size,
      pages: facts.pages.length,
      page_sizes: JSON.stringify(facts.pages),
      sha256: staged.sha256,
      created_at: this.clock.now().toISOString(),
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto("documents").values(row).execute();
        // Inside the transaction, under the hash's lock: if the bytes cannot be kept, the row is
        // not either, and no concurrent delete can remove them before the row is committed.
        await keepBlob(trx, this.dialect, staged);
      });
    } catch (error) {
      // The bytes were kept but the row was not: drop them unless another document has them.
      await this.deleteBlobIfUnused(staged.sha256);
      throw error;
    }
    return toDocument(row);
  }

  private async deleteBlobIfUnused(sha256: string): Promise<void> {
    await deleteBlobIfUnreferenced(this.db, this.dialect, this.blobs, sha256);
  }

  tooLarge(): CertyneoError {
    const mb = (this.maxBytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "");
    return new CertyneoError(
      "payload_too_large",
      "document_too_large",
      `The file is larger than the ${mb} MB limit.`,
      "file",
    );
  }

  async list(scope: Scope, page: PageRequest): Promise<Page<Document>> {
    const rows = await listNewestFirst(this.db, "documents", scope, page, "a document");
    return { ...rows, data: rows.data.map(toDocument) };
  }

  async get(scope: Scope, id: string): Promise<Document> {
    const row = await this.scoped(scope).where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("document", id);
    return toDocument(row);
  }

  async getMany(
    scope: Scope,
    ids: readonly string[],
    db: Kysely<Tables> = this.db,
  ): Promise<Map<string, Document>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom("documents")
      .selectAll()
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("id", "in", [...ids])
      .execute();
    return new Map(rows.map((row) => [row.id, toDocument(row)]));
  }

  /**
   * The document's bytes, streamed; with `rangeHeader` (HTTP's `Range`, as sent), only the range
   * it asks for when it fits the document (`range`), none when it cannot (`"unsatisfiable"`).
   */
  async openContent(
    scope: Scope,
    id: string,
    rangeHeader?: string,
  ): Promise<{ document: Document; stream: Readable; range: RequestedRange }> {
    const document = await this.get(scope, id);
    const range = rangeHeader === undefined ? null : requestedRange(rangeHeader, document.size);
    if (range === "unsatisfiable") return { document, stream: Readable.from([]), range };
    try {
      return {
        document,
        stream: await this.blobs.open(document.sha256, range ?? undefined),
        range,
      };
    } catch (error) {
      if (error instanceof BlobMissingError) throw contentMissing(`document ${document.id}`);
      throw error;
    }
  }

  /** Removes the document from the drafts that use it; refused while a sent envelope does. */
  async delete(scope: Scope, id: string): Promise<void> {
    const document = await this.get(scope, id);
    await this.db.transaction().execute(async (trx) => {
      // The envelopes using it, locked before their parts change (see `0018_envelope_revisions`)
      // and so that none is sent meanwhile.
      const using = await trx
        .selectFrom("envelope_documents")
        .select("envelope_id")
        .where("document_id", "=", id)
        .execute();
      const users = await lockEnvelopes(
        trx,
        this.dialect,
        using.map((u) => u.envelope_id),
      );
      const blocking = users.find((u) => u.status !== "DRAFT");
      if (blocking) {
        throw new CertyneoError(
          "conflict",
          "document_in_use",
          `The document is part of envelope ${blocking.id}, which has been sent; it can be deleted once that envelope is deleted.`,
          "id",
        );
      }
      await trx.deleteFrom("fields").where("document_id", "=", id).execute();
      await trx.deleteFrom("envelope_documents").where("document_id", "=", id).execute();
      await trx.deleteFrom("documents").where("id", "=", id).execute();
    });
    await this.deleteBlobIfUnused(document.sha256);
  }

  private scoped(scope: Scope) {
    return this.db
      .selectFrom("documents")
      .selectAll()
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment);
  }
}

/** 410: the row exists but its stored file does not; only the operator can restore it. */
export function contentMissing(what: string): CertyneoError {
  return new CertyneoError(
    "gone",
    "document_content_missing",
    `The stored file of ${what} is missing from the server's storage. Contact the platform's operator, quoting the request id.`,
  );
}

function isMultipartTooLarge(error: unknown): boolean {
  return (error as { code?: string })?.code === "FST_REQ_FILE_TOO_LARGE";
}

function toDocument(row: DocumentsTable): Document {
  return {
    id: row.id,
    name: row.name,
    contentType: "application/pdf",
    size: row.size,
    pages: row.pages,
    pageSizes: JSON.parse(row.page_sizes) as PageSize[],
    sha256: row.sha256,
    environment: row.environment,
    createdAt: row.created_at,
  };
}
