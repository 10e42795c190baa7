/**
 * The thread that checkpoints a SQLite database's write-ahead log (`wal-checkpoints.ts`), on a
 * connection of its own: PASSIVE checkpoints (never waiting for, nor blocking, the writer), and
 * a TRUNCATE one, which waits for the writer, if the log has grown past `maxFrames` pages anyway.
 */
import { workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";

export interface CheckpointTask {
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

let db: SQLite.Database | undefined;

export default function checkpoint({ maxFrames }: CheckpointTask): CheckpointResult {
  if (!db) {
    db = new SQLite((workerData as { file: string }).file, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
  }
  const started = performance.now();
  let log = 0;
  let copied = -1;
  try {
    // Again while writes add to the log, so that little is left when the writer finishes it.
    for (;;) {
      const [row] = db.pragma("wal_checkpoint(PASSIVE)") as CheckpointRow[];
      log = row?.log ?? 0;
      if (log > maxFrames) {
        db.pragma("wal_checkpoint(TRUNCATE)");
        return 0;
      }
      if (row?.checkpointed === copied || performance.now() - started > MAX_ROUND_MS) return log;
      copied = row?.checkpointed ?? 0;
    }
  } catch (error) {
    // Busy: the next task tries again. Anything else reaches the writer, which then
    // checkpoints on its own.
    if (error instanceof SQLite.SqliteError && error.code.startsWith("SQLITE_BUSY")) return log;
    throw error;
  }
}
