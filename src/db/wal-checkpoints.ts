import { statSync } from "node:fs";
import type SQLite from "better-sqlite3";
import { Piscina } from "piscina";
import type { CheckpointData, CheckpointResult, CheckpointTask } from "./wal-checkpoint-thread.js";
import { WRITE_LOCK_SLOTS, type WriteLock } from "./write-lock.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./wal-checkpoint-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/** SQLite's own default: a checkpoint once the log holds this many pages. */
const DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * How often the thread checkpoints. Each checkpoint syncs the log, then copies each page written
 * since the last once, however often it was written meanwhile: every 100 ms, the thread took 0.28
 * to 0.40 ms of CPU per envelope created and sent under `bench:writes`; every 500 ms, 0.09 to 0.12.
 * It also bounds what a power loss can take once the thread runs: the commits of about the last
 * half second (a crash of the process takes none: SQLite's `synchronous = NORMAL`;
 * `CERTYNEO_SQLITE_SYNCHRONOUS=full` syncs each commit).
 */
const INTERVAL_MS = 500;

export interface WalCheckpoints {
  /** Ends the thread (after the checkpoint in progress, if any). */
  stop(): Promise<void>;
}

export interface WalCheckpointOptions {
  /** How often the thread checkpoints. */
  intervalMs?: number;
  /** Past this many pages, the writer finishes the thread's checkpoint, so the log starts over. */
  restartFrames?: number;
  /** Past this many pages, the thread empties the log, waiting for the writer (a last resort). */
  maxFrames?: number;
  /** The database file the thread opens: the connection's own (another only in tests). */
  file?: string;
  /** The thread starts once the log file has reached this size; until then SQLite checkpoints. */
  startBytes?: number;
  /**
   * The process's write lock, when several of its threads write: the thread then starts the log
   * over itself, holding the lock, whichever connection writes.
   */
  writeLock?: WriteLock | undefined;
}

/**
 * Moves the checkpoints of `connection`'s write-ahead log to a thread of their own. SQLite
 * otherwise runs one in the commit that fills the log past 1000 pages: copying them into the
 * database and two fsyncs, 5-20 ms during which the thread serving HTTP waits.
 *
 * The log starts over only when a writer begins with every page of it in the database; under
 * steady writes, the thread never catches up with the last commit before the next begins. So once
 * the log passes `restartFrames` (16,384 pages, 64 MB; at 4,096 the copies took 6.5 % of a
 * writer's time), the rest is copied between two transactions, and the next write starts the log
 * over. With the process's write lock (`writeLock`), the thread does it, holding the lock: the
 * writes may come from any of the process's connections (the envelope writer's, on a thread of its
 * own). Without, `connection` does it itself, being the process's only writer. That copy costs its
 * fsyncs (11-13 ms measured under writes). If the thread fails, the connection checkpoints on its
 * own again, as SQLite does. The thread starts only once the log file reaches `startBytes` (1 MB).
 */
export function checkpointInBackground(
  connection: SQLite.Database,
  options: WalCheckpointOptions = {},
): WalCheckpoints {
  const task: CheckpointTask = {
    restartFrames: options.restartFrames ?? 16384,
    maxFrames: options.maxFrames ?? 64 * 1024,
  };
  const lock = options.writeLock;
  const startBytes = options.startBytes ?? 1024 * 1024;
  let pool: Piscina<CheckpointTask, CheckpointResult> | undefined;
  let running: Promise<void> | undefined;
  const fallBack = () => {
    clearInterval(timer);
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  const finish = (log: CheckpointResult) => {
    if (!lock && log > task.restartFrames && connection.open && !connection.inTransaction)
      connection.pragma("wal_checkpoint(PASSIVE)");
  };
  // The thread starts once the log has grown (SQLite checkpoints until then): a small or idle
  // deployment, a CLI command, does not pay for it.
  const start = () => {
    if (logBytes(connection) < startBytes) return undefined;
    const data: CheckpointData = {
      file: options.file ?? connection.name,
      lock: lock && { buffer: lock.buffer, slot: WRITE_LOCK_SLOTS.checkpoints },
    };
    const started = new Piscina<CheckpointTask, CheckpointResult>({
      filename: THREAD_FILE,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: data,
    });
    started.on("error", fallBack);
    // A thread that ended holding the lock (or waiting for it) will never release it.
    if (lock) started.on("workerDestroy", () => lock.abandon(WRITE_LOCK_SLOTS.checkpoints));
    connection.pragma("wal_autocheckpoint = 0");
    return started;
  };
  const timer = setInterval(() => {
    pool ??= start();
    if (!pool) return;
    running ??= pool
      .run(task)
      .then(finish, fallBack)
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs ?? INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await pool?.destroy();
    },
  };
}

/** The size of the connection's log file: the most it has held since it last emptied. */
function logBytes(connection: SQLite.Database): number {
  try {
    return statSync(`${connection.name}-wal`).size;
  } catch {
    return 0;
  }
}
