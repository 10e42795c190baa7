import { open, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { CopyOut } from "../db/copy-out.js";
import type { Tables } from "../db/schema.js";
import type { ByteRange } from "../domain/byte-range.js";
import { BlobMissingError, type BlobStore, type StagedBlob } from "./blob-store.js";
import { copyChunk } from "./chunk-rows.js";
import type { FilesystemBlobStore } from "./filesystem-blob-store.js";
import { type StagedFile, stageBlob } from "./staging.js";
import type { StoredFileRef } from "./stored-file.js";

/** The size of a stored chunk: what one row holds, and what a reader holds at a time. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Blobs kept in the database (`stored_blobs`, their bytes in `stored_blob_chunks` of 1 MB), so
 * that every host of a deployment on one PostgreSQL reads what any of them stored. Staged on this
 * host's disk like any store; committed through the caller's transaction, with the row that
 * references the file. Read a chunk at a time: a 25 MB document is never whole in memory but
 * when a caller asks for it whole (`read`), and then once.
 */
export class DatabaseBlobStore implements BlobStore {
  private readonly earlier: FilesystemBlobStore | undefined;
  private readonly copyOut: CopyOut | undefined;
  private readonly databaseUrl: string | undefined;

  constructor(
    private readonly db: Kysely<Tables>,
    readonly stagingDir: string,
    options: DatabaseBlobStoreOptions = {},
  ) {
    this.earlier = options.earlier;
    this.copyOut = options.copyOut;
    this.databaseUrl = options.databaseUrl;
  }

  adopt(staged: StagedFile): StagedBlob {
    return {
      ...staged,
      commit: async (db = this.db) => {
        await this.store(db, staged.sha256, staged.size, staged.file);
        await rm(staged.file, { force: true });
      },
      discard: () => rm(staged.file, { force: true }),
    };
  }

  /** Copies a file to the database; nothing when it is there already. */
  async store(db: Kysely<Tables>, sha256: string, size: number, file: string): Promise<void> {
    if (await this.sizeOf(sha256, db)) return;
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, size)));
      for (let seq = 0, offset = 0; offset < size; seq++) {
        const { bytesRead } = await handle.read(
          buffer,
          0,
          Math.min(CHUNK_BYTES, size - offset),
          offset,
        );
        if (bytesRead === 0) throw new Error(`${file} ended at ${offset} of ${size} bytes`);
        // A chunk left by a commit that never finished holds the same bytes (same hash, same
        // place): kept as it is.
        await db
          .insertInto("stored_blob_chunks")
          .values({ sha256, seq, data: buffer.subarray(0, bytesRead) })
          .onConflict((c) => c.columns(["sha256", "seq"]).doNothing())
          .execute();
        offset += bytesRead;
      }
    } finally {
      await handle.close();
    }
    // The row last: a file exists once its row does.
    await db
      .insertInto("stored_blobs")
      .values({ sha256, size, chunk_bytes: CHUNK_BYTES, created_at: new Date().toISOString() })
      .onConflict((c) => c.column("sha256").doNothing())
      .execute();
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const stored = await this.stored(sha256);
    if (!stored) return this.fromEarlier(sha256, (earlier) => earlier.open(sha256, range));
    const { size, chunkBytes } = stored;
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const chunk = async (seq: number): Promise<Buffer> => {
      const data = await this.chunk(sha256, seq);
      if (!data) throw new BlobMissingError(sha256);
      const from = seq * chunkBytes;
      return data.subarray(Math.max(0, start - from), Math.min(data.length, end - from + 1));
    };
    const first = Math.floor(start / chunkBytes);
    // The first chunk now, so that a missing file is this typed error rather than a failing stream.
    const head = size === 0 ? Buffer.alloc(0) : await chunk(first);
    async function* rest(): AsyncGenerator<Buffer> {
      yield head;
      for (let seq = first + 1; seq * chunkBytes <= end; seq++) yield chunk(seq);
    }
    return Readable.from(rest(), { objectMode: false });
  }

  /**
   * On PostgreSQL, the file as a worker thread reads it on a connection of its own: its bytes
   * never pass through this thread. Undefined elsewhere (the caller reads the bytes itself).
   */
  async threadRef(sha256: string): Promise<StoredFileRef | undefined> {
    if (!this.databaseUrl) return undefined;
    const stored = await this.stored(sha256);
    if (!stored) return this.fromEarlier(sha256, (earlier) => earlier.threadRef(sha256));
    return { chunks: { databaseUrl: this.databaseUrl, sha256, ...stored } };
  }

  /** The bytes of one chunk; on PostgreSQL copied out as bytes rather than selected as hex. */
  private async chunk(sha256: string, seq: number): Promise<Buffer | undefined> {
    if (this.copyOut) return copyChunk(this.copyOut, sha256, seq);
    const row = await this.db
      .selectFrom("stored_blob_chunks")
      .select("data")
      .where("sha256", "=", sha256)
      .where("seq", "=", seq)
      .executeTakeFirst();
    if (!row) return undefined;
    const { data } = row;
    return Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  async read(sha256: string): Promise<Buffer> {
    const stored = await this.stored(sha256);
    if (!stored) return this.fromEarlier(sha256, (earlier) => earlier.read(sha256));
    // One buffer of the file's size, filled a chunk at a time.
    const whole = Buffer.allocUnsafe(stored.size);
    let offset = 0;
    for await (const chunk of await this.open(sha256)) {
      (chunk as Buffer).copy(whole, offset);
      offset += (chunk as Buffer).length;
    }
    if (offset !== stored.size) throw new BlobMissingError(sha256);
    return whole;
  }

  async delete(sha256: string, db: Kysely<Tables> = this.db): Promise<void> {
    await db.deleteFrom("stored_blobs").where("sha256", "=", sha256).execute();
    await db.deleteFrom("stored_blob_chunks").where("sha256", "=", sha256).execute();
    await this.earlier?.delete(sha256);
  }

  /** The stored size of `sha256`, or undefined when the database does not keep it. */
  private async sizeOf(sha256: string, db: Kysely<Tables> = this.db): Promise<number | undefined> {
    return (await this.stored(sha256, db))?.size;
  }

  private async stored(
    sha256: string,
    db: Kysely<Tables> = this.db,
  ): Promise<{ size: number; chunkBytes: number } | undefined> {
    const row = await db
      .selectFrom("stored_blobs")
      .select(["size", "chunk_bytes"])
      .where("sha256", "=", sha256)
      .executeTakeFirst();
    return row && { size: Number(row.size), chunkBytes: Number(row.chunk_bytes) };
  }

  /** Whether the database keeps the file `sha256`. */
  async has(sha256: string, db: Kysely<Tables> = this.db): Promise<boolean> {
    return (await this.stored(sha256, db)) !== undefined;
  }

  /**
   * Stages the copy on this host's disk of a file stored there before this store (see
   * `earlier`); `BlobMissingError` when this disk does not have it. Its hash is the bytes'.
   */
  async stageEarlier(sha256: string): Promise<StagedBlob> {
    const bytes = await this.fromEarlier(sha256, (earlier) => earlier.open(sha256));
    return stageBlob(this, bytes, Number.POSITIVE_INFINITY);
  }

  /** Removes this disk's copy of a file the database now keeps. */
  async forgetEarlier(sha256: string): Promise<void> {
    await this.earlier?.delete(sha256);
  }

  private fromEarlier<T>(
    sha256: string,
    use: (earlier: FilesystemBlobStore) => Promise<T>,
  ): Promise<T> {
    if (!this.earlier) throw new BlobMissingError(sha256);
    return use(this.earlier);
  }
}

export interface DatabaseBlobStoreOptions {
  /**
   * The files this deployment kept on disk before it used this store; read from there while they
   * are not copied over (`certyneo blobs copy`, `copyIntoDatabase`), and deleted from there too.
   */
  readonly earlier?: FilesystemBlobStore | undefined;
  /** On PostgreSQL: chunks are read as the bytes they are, not as hex text. */
  readonly copyOut?: CopyOut | undefined;
  /** On PostgreSQL: where worker threads read stored files on their own (`threadRef`). */
  readonly databaseUrl?: string | undefined;
}
