import { Piscina } from "piscina";
import { CertyneoError } from "../domain/errors.js";
import type { AuditTrailData } from "../pdf/audit-trail.js";
import type { PdfFacts, PdfLimits } from "../pdf/inspect.js";
import {
  type EnvelopeToSeal,
  type SealSettings,
  UnusableDocumentError,
} from "../pdf/seal-envelope.js";
import type { SignerSpec } from "../pki/platform-pki.js";
import type { PdfResult, PdfTask } from "./pdf-thread.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./pdf-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/**
 * The worker threads that inspect, stamp, seal and render PDFs, so that the thread serving HTTP
 * never does. Threads start on first use and exit after a minute idle; a task aborted by its
 * `signal` stops its thread.
 */
export class PdfPool {
  private pool: Piscina<PdfTask, PdfResult> | undefined;

  constructor(
    private readonly signer: () => Promise<SignerSpec>,
    readonly threads: number,
  ) {}

  /** What `inspectPdf` says of the bytes: their facts, or the same `CertyneoError`. */
  async inspect(bytes: Uint8Array, limits: PdfLimits): Promise<PdfFacts> {
    const result = await this.run({ type: "inspect", bytes, limits });
    return expect(result, "inspect").facts;
  }

  async sealEnvelope(
    envelope: EnvelopeToSeal,
    signal?: AbortSignal,
  ): Promise<{ part: string; bytes: Uint8Array }[]> {
    const signer = await this.signer();
    const result = await this.run({ type: "seal-envelope", envelope, signer }, signal);
    return expect(result, "seal-envelope").parts;
  }

  async auditTrail(trail: AuditTrailData, seal: SealSettings): Promise<Uint8Array> {
    const signer = await this.signer();
    return expect(await this.run({ type: "audit-trail", trail, seal, signer }), "audit-trail")
      .bytes;
  }

  private async run(task: PdfTask, signal?: AbortSignal): Promise<PdfResult> {
    this.pool ??= new Piscina<PdfTask, PdfResult>({
      filename: THREAD_FILE,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: 60_000,
    });
    const result = await this.pool.run(task, signal ? { signal } : {});
    if (result.type === "unusable") throw new UnusableDocumentError(result.message);
    if (result.type === "refused")
      throw new CertyneoError(result.kind, result.code, result.message, result.param);
    return result;
  }

  /** Stops the threads; tasks still running are cancelled. */
  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

function expect<T extends PdfResult["type"]>(
  result: PdfResult,
  type: T,
): Extract<PdfResult, { type: T }> {
  if (result.type !== type) throw new Error(`The PDF thread answered ${result.type}, not ${type}.`);
  return result as Extract<PdfResult, { type: T }>;
}
