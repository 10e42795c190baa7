import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { ByteRange } from "../domain/byte-range.js";
import { BlobMissingError, type BlobStore, SHA256_HEX, type StagedBlob } from "./blob-store.js";
import { DIR_MODE, type StagedFile } from "./staging.js";
import type { StoredFileRef } from "./stored-file.js";

/**
 * Blobs as files under `root`: `ab/cd/abcd…` by SHA-256, staged in `root/tmp` first. Directories
 * are created 0700 and files 0600. The store itself never decides that a blob is unused: callers
 * delete under the hash's lock (see `services/blob-references.ts`).
 */
export class FilesystemBlobStore implements BlobStore {
  readonly stagingDir: string;

  constructor(private readonly root: string) {
    this.stagingDir = path.join(root, "tmp");
  }

  adopt({ sha256, size, file: tempPath }: StagedFile): StagedBlob {
    const finalPath = this.pathOf(sha256);
    return {
      sha256,
      size,
      file: tempPath,
      commit: async () => {
        await mkdir(path.dirname(finalPath), { recursive: true, mode: DIR_MODE });
        if (await exists(finalPath)) await rm(tempPath, { force: true });
        else await rename(tempPath, finalPath);
      },
      discard: () => rm(tempPath, { force: true }),
    };
  }

  async threadRef(sha256: string): Promise<StoredFileRef> {
    const file = this.pathOf(sha256);
    await stat(file).catch((error: unknown) => {
      throw missing(sha256, error);
    });
    return { path: file };
  }

  async read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256)).catch((error: unknown) => {
      throw missing(sha256, error);
    });
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    // Opened now, so that a missing file is this typed error rather than a failing stream.
    const handle = await open(this.pathOf(sha256), "r").catch((error: unknown) => {
      throw missing(sha256, error);
    });
    return handle.createReadStream(range ?? {});
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  private pathOf(sha256: string): string {
    return blobPath(this.root, sha256);
  }
}

/** Where the store rooted at `root` keeps the file of `sha256`: `ab/cd/abcd…`. */
export function blobPath(root: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function missing(sha256: string, error: unknown): unknown {
  return (error as NodeJS.ErrnoException).code === "ENOENT"
    ? new BlobMissingError(sha256, { cause: error })
    : error;
}
