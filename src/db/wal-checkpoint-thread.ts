/**
 * The thread that checkpoints a SQLite database's write-ahead log (`wal-checkpoints.ts`), on a
 * connection of its own: PASSIVE checkpoints (never waiting for, nor blocking, the writer). With
 * the process's write lock, it also starts the log over once it has grown past `restartFrames`
 * pages: a RESTART checkpoint, holding the lock, so that no writer of the process meets SQLite's
 * own lock meanwhile. Past `maxFrames` pages anyway, a TRUNCATE one, which waits for the writer.
 */
import { workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { WriteLock } from "./write-lock.js";

export interface CheckpointData {
  file: string;
  /** The process's write lock (`WriteLock.buffer`), and this thread's place in it. */
  lock?: { buffer: SharedArrayBuffer; slot: number } | undefined;
}

export interface CheckpointTask {
  restartFrames: number;
  maxFrames: number;
}

/** How many pages the log holds once the task is done (all of them copied to the database). */
export type CheckpointResult = number;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

/** One task's rounds stop after this long; the next task goes on. */
const MAX_ROUND_MS = 50;

const data = workerData as CheckpointData;
const lock = data.lock ? new WriteLock(data.lock.buffer, data.lock.slot) : undefined;
let db: SQLite.Database | undefined;

export default async function checkpoint({
  restartFrames,
  maxFrames,
}: CheckpointTask): Promise<CheckpointResult> {
  if (!db) {
    db = new SQLite(data.file, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
  }
  const started = performance.now();
  let log = 0;
  let copied = -1;
  try {
    // Again while writes add to the log, so that little is left to copy with the lock held.
    for (;;) {
      const [row] = db.pragma("wal_checkpoint(PASSIVE)") as CheckpointRow[];
      log = row?.log ?? 0;
      if (log > maxFrames) {
        await startOver(db, "TRUNCATE");
        return 0;
      }
      if (row?.checkpointed === copied || performance.now() - started > MAX_ROUND_MS) break;
      copied = row?.checkpointed ?? 0;
    }
    if (lock && log > restartFrames) {
      await startOver(db, "RESTART");
      return 0;
    }
    return log;
  } catch (error) {
    // Busy: the next task tries again. Anything else reaches the writer, which then
    // checkpoints on its own.
    if (error instanceof SQLite.SqliteError && error.code.startsWith("SQLITE_BUSY")) return log;
    throw error;
  }
}

/**
 * Copies what is left of the log and makes the next writer start it over (RESTART), or empties
 * the file too (TRUNCATE). Either holds SQLite's write lock while it copies; with the process's
 * lock taken first, the process's writers wait for it there, not asleep in `busy_timeout`.
 */
async function startOver(db: SQLite.Database, mode: "RESTART" | "TRUNCATE"): Promise<void> {
  await lock?.acquire();
  try {
    db.pragma(`wal_checkpoint(${mode})`);
  } finally {
    lock?.release();
  }
}
