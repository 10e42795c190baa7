import { closeSync, openSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  sql,
} from "kysely";
import pg from "pg";
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from "../security/private-files.js";
import { type CopyOut, copyOutOf } from "./copy-out.js";
import type { Dialect } from "./dialect.js";
import { migrationProvider } from "./migrations/index.js";
import { runsOnPostgres, runsOnSqlite } from "./precompiled.js";
import { prepareRegisteredStatements } from "./prepared-statements.js";
import type { Tables } from "./schema.js";
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
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A `postgres://` URL; when absent, SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
}

/** How a thread of a process whose threads share one SQLite database opens it. */
export interface SqliteThreadOptions {
  /** Taken before each write, by every thread of the process that writes (see `WriteLock`). */
  writeLock?: WriteLock;
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
  const { db, checkpoints } = sqlite(options.dataDir, thread);
  return { ...wrap(db, "sqlite", async () => checkpoints?.stop()), writeLock: thread.writeLock };
}

function sqlite(
  dataDir: string,
  { writeLock, checkpoints = true }: SqliteThreadOptions,
): { db: Kysely<Tables>; checkpoints: WalCheckpoints | undefined } {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  // Created owner-only before SQLite opens it (SQLite gives its -wal and -shm the same mode);
  // an existing database, and its -wal and -shm, are tightened.
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const suffix of ["", "-wal", "-shm"]) tightenFile(file + suffix);
  const connection = new SQLite(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma("busy_timeout = 5000");
  // A statement that changes several rows within a transaction keeps what it overwrote (to undo
  // it alone on failure) in memory, not in a temporary file written page by page.
  connection.pragma("temp_store = MEMORY");
  if (!checkpoints) connection.pragma("wal_autocheckpoint = 0");
  const db = new Kysely<Tables>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(connection) }, writeLock),
  });
  runsOnSqlite(db, connection, writeLock !== undefined);
  return { db, checkpoints: checkpoints ? checkpointInBackground(connection) : undefined };
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

/**
 * Transactions that take SQLite's write lock when they begin. A deferred one reads, then fails
 * with SQLITE_BUSY at its first write if another process (a second instance, the CLI) wrote
 * meanwhile, without waiting; an immediate one waits its turn (`busy_timeout`) instead.
 *
 * With a `writeLock`, shared with the other threads of the process that write, each transaction
 * and each write outside one awaits it first: a thread never sleeps in `busy_timeout` behind
 * another of its process.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly options: SqliteDialectConfig & { database: SQLite.Database },
    private readonly writeLock?: WriteLock,
  ) {
    super(options);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const lock = this.writeLock;
    if (!lock) {
      driver.beginTransaction = async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
      return driver;
    }
    const sqlite = this.options.database;
    // Kysely's driver holds its one connection behind a mutex from `acquireConnection` until
    // `releaseConnection`. A lease here takes it only when it runs a query, and a transaction only
    // once it holds the write lock: while a write waits for the lock, reads go on.
    const take = driver.acquireConnection.bind(driver);
    const give = driver.releaseConnection.bind(driver);
    const leases = new WeakMap<DatabaseConnection, { held: DatabaseConnection | undefined }>();
    const leaseOf = (connection: DatabaseConnection) => leases.get(connection)!;
    driver.acquireConnection = async () => {
      const lease = { held: undefined as DatabaseConnection | undefined };
      const connection: DatabaseConnection = {
        executeQuery: async (query) => {
          if (lease.held) return lease.held.executeQuery(query);
          // A statement SQLite calls read-only needs no lock (WAL): readers never wait.
          const writes = !sqlite.prepare(query.sql).readonly;
          if (writes) await lock.acquire();
          try {
            const held = await take();
            try {
              return await held.executeQuery(query);
            } finally {
              await give(held);
            }
          } finally {
            if (writes) lock.release();
          }
        },
        streamQuery: (query, chunkSize) => {
          if (lease.held) return lease.held.streamQuery(query, chunkSize);
          return (async function* () {
            const held = await take();
            try {
              yield* held.streamQuery(query, chunkSize);
            } finally {
              await give(held);
            }
          })();
        },
      };
      leases.set(connection, lease);
      return connection;
    };
    driver.releaseConnection = async (connection) => {
      const lease = leaseOf(connection);
      const held = lease.held;
      lease.held = undefined;
      if (held) await give(held);
    };
    driver.beginTransaction = async (connection) => {
      const lease = leaseOf(connection);
      await lock.acquire();
      try {
        lease.held = await take();
        await lease.held.executeQuery(CompiledQuery.raw("begin immediate"));
      } catch (error) {
        lock.release();
        throw error;
      }
    };
    driver.commitTransaction = async (connection) => {
      // A commit that fails leaves the lock held: Kysely rolls back next, which releases it.
      await leaseOf(connection).held!.executeQuery(CompiledQuery.raw("commit"));
      lock.release();
    };
    driver.rollbackTransaction = async (connection) => {
      try {
        if (sqlite.inTransaction)
          await leaseOf(connection).held!.executeQuery(CompiledQuery.raw("rollback"));
      } finally {
        lock.release();
      }
    };
    return driver;
  }
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
