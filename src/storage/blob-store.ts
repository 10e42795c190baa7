import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import type { ByteRange } from "../domain/byte-range.js";
import type { StagedFile } from "./staging.js";
import type { StoredFileRef } from "./stored-file.js";

/** A blob's name: its SHA-256, in lower-case hex. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A blob written to temporary storage, hashed and measured, not yet kept. */
export interface StagedBlob {
  readonly sha256: string;
  readonly size: number;
  /**
   * The file holding the staged bytes on this host's disk (every store stages locally, whatever
   * it keeps the bytes in): read once, for validation, by whoever validates them.
   */
  readonly file: string;
  /**
   * Moves the bytes to their content address. Idempotent for identical content. A store that
   * keeps them in the database writes them through `db`, the transaction of the row that
   * references them: both are committed together, or neither.
   */
  commit(db?: Kysely<Tables>): Promise<void>;
  /** Forgets the staged bytes; safe to call after commit. */
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob larger than ${limit} bytes`);
  }
}

/**
 * The bytes of a stored file are not where the database says they are (removed by hand, a lost
 * volume, a restore without the blobs). Retrying cannot bring them back; callers recognise it
 * with `instanceof` or by `name === "BlobMissingError"`.
 */
export class BlobMissingError extends Error {
  constructor(
    readonly sha256: string,
    options?: ErrorOptions,
  ) {
    super(`stored file ${sha256} is missing`, options);
    this.name = "BlobMissingError";
  }
}

/** Immutable, content-addressed (SHA-256) bytes: originals and, later, signed PDFs. */
export interface BlobStore {
  /** Where this store stages (`stageBlob`); another thread may stage a file there too, for `adopt`. */
  readonly stagingDir: string;
  /** A file another thread staged in `stagingDir`, as this store's staged blob. */
  adopt(staged: StagedFile): StagedBlob;
  /**
   * The bytes of `sha256`, or those of `range` only; `BlobMissingError` when they are not stored.
   */
  open(sha256: string, range?: ByteRange): Promise<Readable>;
  /** The bytes of `sha256`, whole, in a buffer of their own; `BlobMissingError` when not stored. */
  read(sha256: string): Promise<Buffer>;
  /**
   * Where another thread of this process reads the bytes of `sha256` by itself (a path on this
   * disk, chunks in PostgreSQL): they never pass through the thread serving HTTP.
   * `BlobMissingError` when not stored; undefined (or no method) when this store has no such way.
   */
  threadRef?(sha256: string): Promise<StoredFileRef | undefined>;
  /** Removes the bytes of `sha256`; a database store does it through `db` (see `commit`). */
  delete(sha256: string, db?: Kysely<Tables>): Promise<void>;
}
