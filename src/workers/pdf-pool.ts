import { Piscina } from "piscina";
import { CertyneoError } from "../domain/errors.js";
import type { AuditTrailData } from "../pdf/audit-trail.js";
import type { InspectedPdf, PdfSource } from "../pdf/inspect.js";
import type { PdfLimits } from "../pdf/pdf-limits.js";
import type { EnvelopeToSeal, SealSettings } from "../pdf/seal-envelope.js";
import { UnusableDocumentError } from "../pdf/seal-parts.js";
import type { VerificationReport, VerificationTrust } from "../pdf/verify-pdf.js";
import type { SealIdentity } from "../pki/signer-spec.js";
import { BlobMissingError } from "../storage/blob-store.js";
import type { PdfResult, PdfTask, StagedPart } from "./pdf-thread.js";
import { ownBuffers } from "./transfer.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./pdf-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/** One set of threads per process (per size): every app of the process shares it. */
const pools = new Map<number, Piscina<PdfTask, PdfResult>>();

function sharedPool(threads: number): Piscina<PdfTask, PdfResult> {
  let pool = pools.get(threads);
  if (!pool) {
    // All threads start at once and stay (a thread takes ~0.5 s to load the PDF library);
    // idle, they do not keep the process alive. A thread stopped by an abort is replaced.
    pool = new Piscina<PdfTask, PdfResult>({
      filename: THREAD_FILE,
      minThreads: threads,
      maxThreads: threads,
    });
    pools.set(threads, pool);
  }
  return pool;
}

/**
 * The worker threads that inspect, stamp, seal and render PDFs, so that the thread serving HTTP
 * never does. Started on first use (or `warm`), shared by the process; a task aborted by its
 * `signal` stops its thread.
 */
export class PdfPool {
  constructor(
    private readonly identity: () => Promise<SealIdentity>,
    readonly threads: number,
  ) {}

  /**
   * What `inspectPdf` says of the bytes, and their SHA-256; or the same `CertyneoError`. A file is
   * read (and hashed) by the thread: 25 MB are neither read, hashed nor copied to it by the thread
   * serving HTTP.
   */
  async inspect(source: PdfSource, limits: PdfLimits): Promise<InspectedPdf> {
    const result = await this.run({ type: "inspect", source, limits });
    return expect(result, "inspect").facts;
  }

  /** The envelope's sealed PDFs, staged by the thread in `stagingDir`. */
  async sealEnvelope(
    envelope: EnvelopeToSeal,
    stagingDir: string,
    signal?: AbortSignal,
  ): Promise<StagedPart[]> {
    const identity = await this.identity();
    // The originals in memory are not used here again: moved to the thread, not copied.
    const originals = envelope.documents.flatMap((d) =>
      d.original instanceof Uint8Array ? [d.original] : [],
    );
    const result = await this.run(
      { type: "seal-envelope", envelope, identity, stagingDir },
      signal,
      originals,
    );
    return expect(result, "seal-envelope").parts;
  }

  async auditTrail(trail: AuditTrailData, seal: SealSettings): Promise<Uint8Array> {
    const identity = await this.identity();
    return expect(await this.run({ type: "audit-trail", trail, seal, identity }), "audit-trail")
      .bytes;
  }

  /** A sealed PDF timestamped again (`pdf/archive.ts`): its new bytes, and when they expire. */
  async renewArchive(
    bytes: Uint8Array,
    timestampUrl: string | undefined,
  ): Promise<{ bytes: Uint8Array; timestampExpiresAt: string | null }> {
    const identity = await this.identity();
    const result = await this.run(
      { type: "renew-archive", bytes, identity, timestampUrl },
      undefined,
      [bytes],
    );
    return expect(result, "renew-archive");
  }

  /** What a PDF proves (`pdf/verify-pdf.ts`), read by a thread from its bytes or file. */
  async verify(
    source: PdfSource,
    trust: VerificationTrust,
    limits: PdfLimits,
  ): Promise<VerificationReport> {
    return expect(await this.run({ type: "verify", source, trust, limits }), "verify").report;
  }

  /** Starts the threads now rather than at the first upload or seal. */
  warm(): void {
    sharedPool(this.threads);
  }

  private async run(
    task: PdfTask,
    signal?: AbortSignal,
    move: readonly Uint8Array[] = [],
  ): Promise<PdfResult> {
    const result = await sharedPool(this.threads).run(task, {
      ...(signal && { signal }),
      transferList: ownBuffers(move),
    });
    if (result.type === "unusable") throw new UnusableDocumentError(result.message);
    if (result.type === "missing") throw new BlobMissingError(result.sha256);
    if (result.type === "refused")
      throw new CertyneoError(result.kind, result.code, result.message, result.param);
    return result;
  }
}

function expect<T extends PdfResult["type"]>(
  result: PdfResult,
  type: T,
): Extract<PdfResult, { type: T }> {
  if (result.type !== type) throw new Error(`The PDF thread answered ${result.type}, not ${type}.`);
  return result as Extract<PdfResult, { type: T }>;
}
