import type { Readable } from "node:stream";

/** A blob written to temporary storage, hashed and measured, not yet kept. */
export interface StagedBlob {
  readonly sha256: string;
  readonly size: number;
  /** The staged bytes; read once, for validation. */
  read(): Promise<Buffer>;
  /** Moves the bytes to their content address. Idempotent for identical content. */
  commit(): Promise<void>;
  /** Forgets the staged bytes; safe to call after commit. */
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob larger than ${limit} bytes`);
  }
}

/** Immutable, content-addressed (SHA-256) bytes: originals and, later, signed PDFs. */
export interface BlobStore {
  /** Streams `source` to staging, refusing more than `maxBytes` with `BlobTooLargeError`. */
  stage(source: Readable | Buffer, maxBytes: number): Promise<StagedBlob>;
  open(sha256: string): Promise<Readable>;
  delete(sha256: string): Promise<void>;
}
