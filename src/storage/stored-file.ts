import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { threadCopyOut } from "../db/copy-out.js";
import { BlobMissingError } from "./blob-store.js";
import { copyChunk } from "./chunk-rows.js";

/**
 * A stored file as another thread of this process reads it by itself, so that its megabytes
 * never pass through the thread serving HTTP: a path on this disk, or the chunks of a file kept
 * in PostgreSQL, which the thread copies out on its own connection (`threadCopyOut`).
 */
export type StoredFileRef = { readonly path: string } | { readonly chunks: StoredChunks };

export interface StoredChunks {
  readonly databaseUrl: string;
  readonly sha256: string;
  readonly size: number;
  readonly chunkBytes: number;
}

/**
 * The bytes of `ref`, a chunk at a time, opened only once read: a file that is gone then fails
 * whoever reads it (a stream opened at once would report it before anyone listens).
 */
export async function* storedFileChunks(ref: StoredFileRef): AsyncGenerator<Buffer> {
  if ("path" in ref) {
    yield* createReadStream(ref.path);
    return;
  }
  const { databaseUrl, sha256, size, chunkBytes } = ref.chunks;
  const copyOut = threadCopyOut(databaseUrl);
  for (let seq = 0; seq * chunkBytes < size; seq++) {
    const data = await copyChunk(copyOut, sha256, seq);
    if (!data) throw new BlobMissingError(sha256);
    yield data;
  }
}

/** The bytes of `ref`, whole, in one buffer of their own. */
export function readStoredFile(ref: StoredFileRef): Promise<Buffer> {
  return readStoredFileInto(ref, (size) => Buffer.allocUnsafe(size));
}

/**
 * The bytes of `ref`, whole, in the buffer `allocate` gives for their size (which it may have
 * lent before: see `ScratchBuffer`).
 */
export async function readStoredFileInto(
  ref: StoredFileRef,
  allocate: (size: number) => Buffer,
): Promise<Buffer> {
  if ("path" in ref) return readWholeFile(ref.path, allocate);
  const whole = allocate(ref.chunks.size);
  let offset = 0;
  for await (const chunk of storedFileChunks(ref)) {
    if (offset + chunk.length > whole.length) throw new BlobMissingError(ref.chunks.sha256);
    offset += chunk.copy(whole, offset);
  }
  if (offset !== whole.length) throw new BlobMissingError(ref.chunks.sha256);
  return whole;
}

async function readWholeFile(file: string, allocate: (size: number) => Buffer): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const whole = allocate(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(whole, offset, size - offset, offset);
      if (bytesRead === 0) throw new Error(`${file} ended at ${offset} of its ${size} bytes`);
      offset += bytesRead;
    }
    return whole;
  } finally {
    await handle.close();
  }
}
