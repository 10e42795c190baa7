import { closeSync, openSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from "../security/private-files.js";
import { type CopyOut, copyOutOf } from "./copy-out.js";
import type { Dialect } from "./dialect.js";
import { migrationProvider } from "./migrations/index.js";
import { runsOnPostgres, runsOnSqlite } from "./precompiled.js";
import { prepareRegisteredStatements } from "./prepared-statements.js";
import type { Tables } from "./schema.js";
import { type CommitGroups, ImmediateSqliteDialect, type SqliteWrites } from "./sqlite-dialect.js";
import { checkpointInBackground, type WalCheckpoints } from "./wal-checkpoints.js";
import type { WriteLock } from "./write-lock.js";

export type { Dialect };

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  /** Applies pending migrations; returns the names of those applied. */
  migrate(): Promise<string[]>;
  /** On PostgreSQL: `COPY … TO STDOUT`, its whole output (see `CopyOut`). */
  readonly copyOut?: CopyOut;
  /** On SQLite, the write lock this connection shares with the process's other threads. */
  readonly writeLock?: WriteLock | undefined;
  /** With group commit (`SqliteWrites.groupCommit`), its groups; without, each commits alone. */
  readonly commitGroups?: CommitGroups | undefined;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A `postgres://` URL; when absent, SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** On SQLite, whether each commit is synced before it returns (`full`); `normal` by default. */
  sqliteSynchronous?: "normal" | "full" | undefined;
}

/** How a thread of a process whose threads share one SQLite database opens it. */
export interface SqliteThreadOptions extends SqliteWrites {
  /**
   * Whether this connection runs the log's checkpoints (`checkpointInBackground`): the main
   * thread's does; another thread's leaves them to it (`wal_autocheckpoint = 0`).
   */
  checkpoints?: boolean;
}

export const SQLITE_FILE_NAME = "certyneo.sqlite";

export function openDatabase(options: DatabaseOptions, thread: SqliteThreadOptions = {}): Database {
  if (options.databaseUrl) {
    const { db, copyOut } = postgres(options.databaseUrl);
    return { ...wrap(db, "postgres"), copyOut };
  }
  const { db, checkpoints, groups } = sqlite(options, thread);
  const beforeClose = async () => {
    await groups?.committed().catch(() => {});
    await checkpoints?.stop();
  };
  return {
    ...wrap(db, "sqlite", beforeClose),
    writeLock: thread.writeLock,
    commitGroups: groups,
  };
}

function sqlite(
  { dataDir, sqliteSynchronous = "normal" }: DatabaseOptions,
  { checkpoints = true, ...writes }: SqliteThreadOptions,
): {
  db: Kysely<Tables>;
  checkpoints: WalCheckpoints | undefined;
  groups: CommitGroups | undefined;
} {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  // Created owner-only before SQLite opens it (SQLite gives its -wal and -shm the same mode);
  // an existing database, and its -wal and -shm, are tightened.
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const suffix of ["", "-wal", "-shm"]) tightenFile(file + suffix);
  const connection = new SQLite(file);
  connection.pragma("journal_mode = WAL");
  // NORMAL: a commit is in the log when it returns, on disk once a checkpoint has synced the log
  // (docs/operations.md, "What a crash can take"); FULL syncs the log at every commit.
  connection.pragma(`synchronous = ${sqliteSynchronous === "full" ? "FULL" : "NORMAL"}`);
  connection.pragma("foreign_keys = ON");
  connection.pragma("busy_timeout = 5000");
  // A statement that changes several rows within a transaction keeps what it overwrote (to undo
  // it alone on failure) in memory, not in a temporary file written page by page.
  connection.pragma("temp_store = MEMORY");
  if (!checkpoints) connection.pragma("wal_autocheckpoint = 0");
  const dialect = new ImmediateSqliteDialect({ database: withStatementCache(connection) }, writes);
  const db = new Kysely<Tables>({ dialect });
  runsOnSqlite(db, connection, writes.writeLock !== undefined);
  return {
    db,
    checkpoints: checkpoints
      ? checkpointInBackground(connection, { writeLock: writes.writeLock })
      : undefined,
    groups: dialect.groups,
  };
}

/** Statements kept prepared, by SQL text: Kysely prepares every query anew otherwise. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * `prepare` answering from a cache of the most recently used statements (compiling a statement
 * costs more than running most of ours). A statement still iterating a result is not shared.
 */
function withStatementCache(connection: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = connection.prepare.bind(connection);
  connection.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      // Most recently used last: the first is the one to drop.
      cache.delete(source);
      cache.set(source, cached);
      return cached;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return statement;
  }) as typeof connection.prepare;
  return connection;
}

function postgres(connectionString: string): { db: Kysely<Tables>; copyOut: CopyOut } {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  pool.on("connect", prepareRegisteredStatements);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  runsOnPostgres(db, pool);
  return { db, copyOut: copyOutOf(pool) };
}

function wrap(
  db: Kysely<Tables>,
  dialect: Dialect,
  beforeClose: () => Promise<void> = async () => {},
): Database {
  return {
    db,
    dialect,
    async migrate() {
      const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      // The last connection to close checkpoints the whole log and removes it.
      await beforeClose();
      await db.destroy();
    },
  };
}
