import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { chmod, copyFile, cp, mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import SQLite from "better-sqlite3";
import { SQLITE_FILE_NAME } from "./db/database.js";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "./security/private-files.js";
import { SECRET_KEY_FILE } from "./security/secret-key.js";
import { blobPath } from "./storage/filesystem-blob-store.js";

export interface BackupResult {
  directory: string;
  /** Bytes of the database copy. */
  databaseBytes: number;
  files: number;
  fileBytes: number;
  /** The server secret is in the backup (`secret.key`), or comes from CERTYNEO_SECRET_KEY. */
  secretIncluded: boolean;
}

/** A stored file deleted between the database's snapshot and its copy: try again. */
class MovedOn extends Error {}

const ATTEMPTS = 3;

/**
 * A consistent copy of a SQLite deployment while it serves traffic: the database through
 * SQLite's online backup (one snapshot, other writers carrying on), then every stored file that
 * snapshot references, each checked against its SHA-256, the platform's keys (`pki/`) and the
 * server secret. Files are immutable (named by their content), so only one deleted between the
 * snapshot and its copy can make the copy inconsistent: then it starts again. Restoring is
 * pointing `CERTYNEO_DATA_DIR` at the copy (docs/operations.md).
 */
export async function backupDeployment(dataDir: string, target: string): Promise<BackupResult> {
  if (existsSync(target) && (await readdir(target)).length > 0)
    throw new Error(`${target} is not empty: back up into a new or empty directory.`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptBackup(dataDir, target);
    } catch (error) {
      if (!(error instanceof MovedOn) || attempt === ATTEMPTS) throw error;
      await rm(target, { recursive: true, force: true });
    }
  }
}

async function attemptBackup(dataDir: string, target: string): Promise<BackupResult> {
  ensurePrivateDir(target);
  const source = path.join(dataDir, SQLITE_FILE_NAME);
  if (!existsSync(source))
    throw new Error(`No SQLite database in ${dataDir}: nothing to back up (is DATABASE_URL set?).`);
  const copy = path.join(target, SQLITE_FILE_NAME);
  const live = new SQLite(source, { fileMustExist: true });
  try {
    live.pragma("busy_timeout = 5000");
    await live.backup(copy);
  } finally {
    live.close();
  }
  await chmod(copy, PRIVATE_FILE_MODE);

  const snapshot = new SQLite(copy, { readonly: true, fileMustExist: true });
  let referenced: string[];
  try {
    referenced = (
      snapshot
        .prepare(
          // Files kept in the database itself (CERTYNEO_BLOB_STORE=database) are in the copy.
          `select sha256 from (
             select sha256 from documents
             union select sha256 from sealed_documents
             union select signature_image_sha256 from recipients
               where signature_image_sha256 is not null
           ) where sha256 not in (select sha256 from stored_blobs)`,
        )
        .all() as { sha256: string }[]
    ).map((r) => r.sha256);
  } finally {
    snapshot.close();
  }

  let fileBytes = 0;
  const blobs = path.join(dataDir, "blobs");
  for (const sha256 of referenced) {
    const from = blobPath(blobs, sha256);
    const to = blobPath(path.join(target, "blobs"), sha256);
    if (!existsSync(from)) throw new MovedOn(sha256);
    await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(from, to);
    await chmod(to, PRIVATE_FILE_MODE);
    const { digest, size } = await hashFile(to);
    if (digest !== sha256)
      throw new Error(`The stored file ${sha256} does not match its SHA-256: it is damaged.`);
    fileBytes += size;
  }

  const pki = path.join(dataDir, "pki");
  if (existsSync(pki)) await cp(pki, path.join(target, "pki"), { recursive: true });
  const secret = path.join(dataDir, SECRET_KEY_FILE);
  const secretIncluded = existsSync(secret);
  if (secretIncluded) {
    await copyFile(secret, path.join(target, SECRET_KEY_FILE));
    await chmod(path.join(target, SECRET_KEY_FILE), PRIVATE_FILE_MODE);
  }
  const { size: databaseBytes } = await stat(copy);
  return {
    directory: target,
    databaseBytes,
    files: referenced.length,
    fileBytes,
    secretIncluded,
  };
}

async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest("hex"), size };
}
