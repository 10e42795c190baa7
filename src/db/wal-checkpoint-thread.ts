/**
 * The thread that checkpoints a SQLite database's write-ahead log (`wal-checkpoints.ts`), on a
 * connection of its own: a PASSIVE checkpoint (never waiting for, nor blocking, the writer), and
 * a TRUNCATE one when the log has grown past `maxFrames` pages because writes never paused long
 * enough for a passive one to finish.
 */
import { workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";

export interface CheckpointTask {
  maxFrames: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

let db: SQLite.Database | undefined;

export default function checkpoint({ maxFrames }: CheckpointTask): void {
  if (!db) {
    db = new SQLite((workerData as { file: string }).file, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
  }
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)") as CheckpointRow[];
    if (row && row.log > maxFrames) db.pragma("wal_checkpoint(TRUNCATE)");
  } catch (error) {
    // Busy: the next round tries again. Anything else reaches the writer, which then
    // checkpoints on its own.
    if (!(error instanceof SQLite.SqliteError && error.code.startsWith("SQLITE_BUSY"))) throw error;
  }
}
