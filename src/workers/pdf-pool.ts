import { Piscina } from "piscina";
import type { AuditTrailData } from "../pdf/audit-trail.js";
import {
  type EnvelopeToSeal,
  type SealSettings,
  UnusableDocumentError,
} from "../pdf/seal-envelope.js";
import type { SignerSpec } from "../pki/platform-pki.js";
import type { PdfResult, PdfTask, PdfThreadData } from "./pdf-thread.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./pdf-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/**
 * The worker threads that stamp, seal and render PDFs, so that the thread serving HTTP never
 * does. Started on first use (the signer is needed then), with as many threads as configured;
 * a task aborted by its `signal` stops its thread.
 */
export class PdfPool {
  private pool: Piscina<PdfTask, PdfResult> | undefined;
  private starting: Promise<Piscina<PdfTask, PdfResult>> | undefined;

  constructor(
    private readonly signer: () => Promise<SignerSpec>,
    readonly threads: number,
  ) {}

  async sealEnvelope(
    envelope: EnvelopeToSeal,
    signal?: AbortSignal,
  ): Promise<{ part: string; bytes: Uint8Array }[]> {
    const result = await this.run({ type: "seal-envelope", envelope }, signal);
    if (result.type !== "seal-envelope") throw new Error(`unexpected result ${result.type}`);
    return result.parts;
  }

  async auditTrail(trail: AuditTrailData, seal: SealSettings): Promise<Uint8Array> {
    const result = await this.run({ type: "audit-trail", trail, seal });
    if (result.type !== "audit-trail") throw new Error(`unexpected result ${result.type}`);
    return result.bytes;
  }

  private async run(task: PdfTask, signal?: AbortSignal): Promise<PdfResult> {
    const pool = await this.start();
    const result = await pool.run(task, signal ? { signal } : {});
    if (result.type === "unusable") throw new UnusableDocumentError(result.message);
    return result;
  }

  private start(): Promise<Piscina<PdfTask, PdfResult>> {
    this.starting ??= this.signer().then((signer) => {
      const workerData: PdfThreadData = { signer };
      this.pool = new Piscina<PdfTask, PdfResult>({
        filename: THREAD_FILE,
        minThreads: 0,
        maxThreads: this.threads,
        // Threads that sat idle this long exit; the next task starts one again.
        idleTimeout: 60_000,
        workerData,
      });
      return this.pool;
    });
    return this.starting;
  }

  /** Stops the threads; tasks still running are cancelled. */
  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
    this.starting = undefined;
  }
}
