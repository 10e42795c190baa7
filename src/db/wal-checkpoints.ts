import type SQLite from "better-sqlite3";
import { Piscina } from "piscina";
import type { CheckpointTask } from "./wal-checkpoint-thread.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./wal-checkpoint-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/** SQLite's own default: a checkpoint once the log holds this many pages. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface WalCheckpoints {
  /** Ends the thread (after the checkpoint in progress, if any). */
  stop(): Promise<void>;
}

/**
 * Moves the checkpoints of `connection`'s write-ahead log to a thread of their own. SQLite
 * otherwise runs one in the commit that fills the log past 1000 pages: copying them into the
 * database and two fsyncs, 5-20 ms during which the thread serving HTTP waits. If the thread
 * fails, the connection checkpoints on its own again.
 */
export function checkpointInBackground(
  connection: SQLite.Database,
  options: {
    intervalMs?: number;
    /** Past this many pages in the log, a checkpoint that waits for the writer empties it. */
    maxFrames?: number;
    /** The database file the thread opens: the connection's own (another only in tests). */
    file?: string;
  } = {},
): WalCheckpoints {
  const pool = new Piscina<CheckpointTask, void>({
    filename: THREAD_FILE,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData: { file: options.file ?? connection.name },
  });
  const task: CheckpointTask = { maxFrames: options.maxFrames ?? 16 * 1024 };
  let running: Promise<void> | undefined;
  const fallBack = () => {
    clearInterval(timer);
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  pool.on("error", fallBack);
  const timer = setInterval(() => {
    running ??= pool
      .run(task)
      .catch(fallBack)
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs ?? 100);
  timer.unref();
  connection.pragma("wal_autocheckpoint = 0");
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await pool.destroy();
    },
  };
}
