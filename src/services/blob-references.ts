import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { lockBlob } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import { BlobMissingError, type BlobStore, type StagedBlob } from "../storage/blob-store.js";
import type { DatabaseBlobStore } from "../storage/database-blob-store.js";

/*
 * Stored files are shared by content (SHA-256): an upload of bytes already stored, in any account,
 * points to the same file, and so can a sealed PDF (a signed PDF uploaded again) or a signature
 * image. A file is removed only when no row references it, and "no row references it, remove the
 * bytes" must never interleave with "write a row that references it, keep the bytes": both run in
 * a transaction holding the hash's lock (`lockBlob`). Whatever the order of concurrent uploads and
 * deletes, every committed row then has its bytes.
 */

/**
 * Keeps staged bytes at their content address. Call it inside the transaction that writes the
 * row referencing them, after or before the write: the lock is held until that transaction ends.
 */
export async function keepBlob(
  trx: Kysely<Tables>,
  dialect: Dialect,
  staged: StagedBlob,
): Promise<void> {
  await lockBlob(trx, dialect, staged.sha256);
  await staged.commit(trx);
}

/** Removes the stored file `sha256` unless a document, sealed PDF or signature references it. */
export async function deleteBlobIfUnreferenced(
  db: Kysely<Tables>,
  dialect: Dialect,
  blobs: BlobStore,
  sha256: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockBlob(trx, dialect, sha256);
    // Read after the lock is granted (READ COMMITTED): every row committed by a keeper is seen.
    if (!(await isReferenced(trx, sha256))) await blobs.delete(sha256, trx);
  });
}

export interface FilesCopied {
  copied: number;
  already: number;
  /** Not on this host's disk. */
  missing: string[];
  /** On the disk, but their bytes do not hash to their name. */
  damaged: string[];
}

/**
 * Copies files kept on this host's disk (the `earlier` files of `store`) into the database store,
 * each checked against its hash on the way; `keep` commits one, and says whether it did.
 */
export async function copyFromDisk(
  sha256s: Iterable<string>,
  store: DatabaseBlobStore,
  keep: (staged: StagedBlob) => Promise<boolean>,
): Promise<FilesCopied> {
  const result: FilesCopied = { copied: 0, already: 0, missing: [], damaged: [] };
  for (const sha256 of sha256s) {
    if (await store.has(sha256)) {
      result.already++;
      continue;
    }
    let staged: StagedBlob;
    try {
      staged = await store.stageEarlier(sha256);
    } catch (error) {
      if (!(error instanceof BlobMissingError)) throw error;
      result.missing.push(sha256);
      continue;
    }
    try {
      if (staged.sha256 !== sha256) result.damaged.push(sha256);
      else if (await keep(staged)) result.copied++;
      else result.already++;
    } finally {
      await staged.discard();
    }
  }
  return result;
}

/**
 * Copies into the database store every referenced file still kept only on this host's disk
 * (stored before the deployment used the database), under the hash's lock and in one
 * transaction with the check that a row still references it: safe while the service runs, and
 * to run again. The disk copy is removed once the database has the file.
 */
export async function copyIntoDatabase(
  db: Kysely<Tables>,
  dialect: Dialect,
  store: DatabaseBlobStore,
): Promise<FilesCopied> {
  return copyFromDisk(await referencedBlobs(db), store, async (staged) => {
    const kept = await db.transaction().execute(async (trx) => {
      await lockBlob(trx, dialect, staged.sha256);
      if (!(await isReferenced(trx, staged.sha256)) || (await store.has(staged.sha256, trx)))
        return false;
      await staged.commit(trx);
      return true;
    });
    if (kept) await store.forgetEarlier(staged.sha256);
    return kept;
  });
}

/** Every stored file a row references: documents, sealed PDFs, signature images. */
export async function referencedBlobs(db: Kysely<Tables>): Promise<string[]> {
  const rows = await db
    .selectFrom("documents")
    .select("sha256")
    .union(db.selectFrom("sealed_documents").select("sha256"))
    .union(
      db
        .selectFrom("recipients")
        .select((eb) => eb.fn.coalesce("signature_image_sha256", eb.val("")).as("sha256"))
        .where("signature_image_sha256", "is not", null),
    )
    .execute();
  return rows.map((row) => row.sha256);
}

async function isReferenced(db: Kysely<Tables>, sha256: string): Promise<boolean> {
  const document = await db
    .selectFrom("documents")
    .select("id")
    .where("sha256", "=", sha256)
    .executeTakeFirst();
  if (document) return true;
  const sealed = await db
    .selectFrom("sealed_documents")
    .select("envelope_id")
    .where("sha256", "=", sha256)
    .executeTakeFirst();
  if (sealed) return true;
  const signature = await db
    .selectFrom("recipients")
    .select("id")
    .where("signature_image_sha256", "=", sha256)
    .executeTakeFirst();
  return signature !== undefined;
}
