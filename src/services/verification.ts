import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { CertyneoError, RateLimitedError } from "../domain/errors.js";
import type { TokenBucketPolicy } from "../domain/token-bucket.js";
import type { VerificationReport, VerificationTrust } from "../pdf/verify-pdf.js";
import type { PlatformPki } from "../pki/platform-pki.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import type { PdfPool } from "../workers/pdf-pool.js";
import type { DocumentService } from "./documents.js";

export interface VerificationLimits {
  /** Verifications per client address. */
  perIp: TokenBucketPolicy;
  /** Verifications on the PDF threads at once: the others wait, so sealing keeps a thread. */
  concurrent: number;
  /** Verifications waiting for a thread; past them, 503 `verification_busy`. */
  waiting: number;
}

/**
 * Anyone's PDF checked against this platform's certificates (`pdf/verify-pdf.ts`), without an
 * API key: bounded per client address, in size (the documents' limits) and in how many run at
 * once. The file is staged to disk while it streams and deleted once read: nothing is kept.
 */
export class VerificationService {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly documents: DocumentService,
    private readonly pdf: PdfPool,
    private readonly pki: () => Promise<PlatformPki>,
    private readonly limiter: RateLimiter,
    private readonly limits: VerificationLimits,
  ) {}

  get maxBytes(): number {
    return this.documents.maxBytes;
  }

  tooLarge(): CertyneoError {
    return this.documents.tooLarge();
  }

  /** Counts one verification for the client's address, before the file is read. */
  async throttle(ip: string): Promise<void> {
    const decision = await this.limiter.consume(`verify-ip:${ip}`, this.limits.perIp);
    if (!decision.allowed)
      throw new RateLimitedError(
        `Too many verifications from your address in a short time. Retry in ${decision.retryAfterSeconds} s.`,
        decision.retryAfterSeconds,
      );
  }

  async verify(content: Readable | Buffer): Promise<VerificationReport> {
    const staged = await this.documents.stage(content);
    try {
      const trust = await this.trust();
      await this.acquire();
      try {
        return await this.pdf.verify({ path: staged.file }, trust, this.documents.limits);
      } finally {
        this.release();
      }
    } finally {
      await rm(staged.file, { force: true });
    }
  }

  private async trust(): Promise<VerificationTrust> {
    const pki = await this.pki();
    const { x509 } = await import("../pki/x509.js");
    const [root] = x509.PemConverter.decode(pki.rootCertificatePem);
    return { roots: [new Uint8Array(root!)], seals: [pki.signer.certificate] };
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limits.concurrent) {
      this.running += 1;
      return;
    }
    if (this.queue.length >= this.limits.waiting)
      throw new CertyneoError(
        "unavailable",
        "verification_busy",
        "Too many verifications are running just now. Retry in a few seconds.",
      );
    // The slot is handed over by `release`: `running` stays counted.
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running -= 1;
  }
}
