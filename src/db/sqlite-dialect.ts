import type SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
} from "kysely";
import type { WriteLock } from "./write-lock.js";

/** How a connection of a process whose threads share one SQLite database writes. */
export interface SqliteWrites {
  /** Taken before each write, by every thread of the process that writes (see `WriteLock`). */
  writeLock?: WriteLock | undefined;
  /**
   * Commits the transactions of one turn of the event loop together (see `CommitGroups`): for a
   * thread that only writes (the envelope writer), which answers a call once `committed()` has
   * resolved. Only with a `writeLock`.
   */
  groupCommit?: boolean | undefined;
}

/**
 * A group's size at which it commits without waiting for its turn to end. A group of a few
 * envelopes already shares most of the pages a commit writes; a larger one only keeps its first
 * callers waiting, while committing as it fills lets their answers go out as the next calls run
 * (8 clients creating and sending: +7 % against groups of up to 64, docs/benchmarks.md).
 */
const GROUP_SIZE = 4;

const SAVEPOINT = "certyneo_call";

/**
 * Transactions that take SQLite's write lock when they begin. A deferred one reads, then fails
 * with SQLITE_BUSY at its first write if another process (a second instance, the CLI) wrote
 * meanwhile, without waiting; an immediate one waits its turn (`busy_timeout`) instead.
 *
 * With a `writeLock`, shared with the other threads of the process that write, each transaction
 * and each write outside one awaits it first: a thread never sleeps in `busy_timeout` behind
 * another of its process.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  /** With `groupCommit`, the groups of this dialect's driver. */
  readonly groups: CommitGroups | undefined;

  constructor(
    private readonly options: SqliteDialectConfig & { database: SQLite.Database },
    private readonly writes: SqliteWrites = {},
  ) {
    super(options);
    this.groups = writes.writeLock && writes.groupCommit ? new CommitGroups() : undefined;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const lock = this.writes.writeLock;
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
    const turns = this.groups
      ? this.groups.turns(sqlite, lock, take, give)
      : lockedTurns(sqlite, lock, take, give);
    const leases = new WeakMap<DatabaseConnection, { held: DatabaseConnection | undefined }>();
    const leaseOf = (connection: DatabaseConnection) => leases.get(connection)!;
    driver.acquireConnection = async () => {
      const lease = { held: undefined as DatabaseConnection | undefined };
      const connection: DatabaseConnection = {
        executeQuery: async (query) => {
          if (lease.held) return lease.held.executeQuery(query);
          // A statement SQLite calls read-only needs no lock (WAL): readers never wait.
          if (!sqlite.prepare(query.sql).readonly) return turns.write(query);
          const held = await take();
          try {
            return await held.executeQuery(query);
          } finally {
            await give(held);
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
      lease.held = await turns.begin();
    };
    driver.commitTransaction = (connection) => turns.commit(leaseOf(connection).held!);
    driver.rollbackTransaction = (connection) => turns.rollback(leaseOf(connection).held!);
    return driver;
  }
}

type Take = () => Promise<DatabaseConnection>;
type Give = (connection: DatabaseConnection) => Promise<void>;

/** How a connection with a write lock writes: its transactions, and its writes outside one. */
interface WriteTurns {
  /** A write outside a transaction. */
  write<R>(query: CompiledQuery): Promise<QueryResult<R>>;
  /** Begins a transaction: answers the connection, held until the transaction is released. */
  begin(): Promise<DatabaseConnection>;
  commit(held: DatabaseConnection): Promise<void>;
  rollback(held: DatabaseConnection): Promise<void>;
}

const raw = (text: string) => CompiledQuery.raw(text);

/** Each transaction, and each write outside one, in a turn of the write lock of its own. */
function lockedTurns(sqlite: SQLite.Database, lock: WriteLock, take: Take, give: Give): WriteTurns {
  return {
    async write<R>(query: CompiledQuery) {
      await lock.acquire();
      try {
        const held = await take();
        try {
          return await held.executeQuery<R>(query);
        } finally {
          await give(held);
        }
      } finally {
        lock.release();
      }
    },
    async begin() {
      await lock.acquire();
      let held: DatabaseConnection | undefined;
      try {
        held = await take();
        await held.executeQuery(raw("begin immediate"));
        return held;
      } catch (error) {
        lock.release();
        if (held) await give(held);
        throw error;
      }
    },
    async commit(held) {
      // A commit that fails leaves the lock held: Kysely rolls back next, which releases it.
      await held.executeQuery(raw("commit"));
      lock.release();
    },
    async rollback(held) {
      try {
        if (sqlite.inTransaction) await held.executeQuery(raw("rollback"));
      } finally {
        lock.release();
      }
    },
  };
}

interface Group {
  /** Transactions released into the group. */
  calls: number;
  done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the transactions run within one turn of the event loop share one SQLite
 * transaction, each in a savepoint of its own, committed once the turn ends (or the group is
 * `GROUP_SIZE` large). A commit writes each page it changed once to the log, however many of the
 * group's transactions changed it, and takes the write lock once: the rows of several envelopes
 * share the same last pages of each table and index.
 *
 * A transaction that fails rolls back to its savepoint: the others keep theirs. A transaction
 * that succeeds is not yet durable: its caller awaits its group's commit (`onJoined`) before
 * saying so, which rejects if the group was lost (its commit failed, or SQLite rolled the whole
 * transaction back).
 */
export class CommitGroups {
  private group: Group | undefined;
  private readonly joined: ((committed: Promise<void>) => void)[] = [];

  /** Resolves once every transaction released so far is committed; rejects if they were lost. */
  committed(): Promise<void> {
    return this.group?.done ?? Promise.resolve();
  }

  /**
   * Tells `listener`, as each transaction is released (and each write outside one is done), of
   * its group's commit: called within the writer's own asynchronous context, so that a caller can
   * await exactly the groups of its own writes.
   */
  onJoined(listener: (committed: Promise<void>) => void): void {
    this.joined.push(listener);
  }

  private join(group: Group): void {
    for (const listener of this.joined) listener(group.done);
  }

  turns(sqlite: SQLite.Database, lock: WriteLock, take: Take, give: Give): WriteTurns {
    const open = async (held: DatabaseConnection): Promise<void> => {
      if (this.group) return;
      await lock.acquire();
      try {
        await held.executeQuery(raw("begin immediate"));
      } catch (error) {
        lock.release();
        throw error;
      }
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      // Awaited by the callers that care; a group no caller awaits may fail unobserved.
      done.catch(() => {});
      const group: Group = { calls: 0, done, resolve, reject };
      this.group = group;
      setImmediate(() => {
        void (async () => {
          if (this.group !== group) return;
          const held = await take();
          try {
            await end(held, group);
          } finally {
            await give(held);
          }
        })();
      });
    };
    /** Commits `group` (if still open) on `held`, the connection taken. */
    const end = async (held: DatabaseConnection, group: Group): Promise<void> => {
      if (this.group !== group) return;
      this.group = undefined;
      try {
        await held.executeQuery(raw("commit"));
        group.resolve();
      } catch (error) {
        if (sqlite.inTransaction) await held.executeQuery(raw("rollback")).catch(() => {});
        group.reject(error);
      } finally {
        lock.release();
      }
    };
    /** SQLite rolled the whole transaction back (an I/O error, a full disk): the group is lost. */
    const lostIfRolledBack = (error: unknown): void => {
      const group = this.group;
      if (!group || sqlite.inTransaction) return;
      this.group = undefined;
      lock.release();
      group.reject(error);
    };
    return {
      write: async <R>(query: CompiledQuery) => {
        const held = await take();
        try {
          await open(held);
          const result = await held.executeQuery<R>(query);
          this.join(this.group!);
          return result;
        } catch (error) {
          lostIfRolledBack(error);
          throw error;
        } finally {
          await give(held);
        }
      },
      begin: async () => {
        const held = await take();
        try {
          await open(held);
          await held.executeQuery(raw(`savepoint ${SAVEPOINT}`));
          return held;
        } catch (error) {
          lostIfRolledBack(error);
          await give(held);
          throw error;
        }
      },
      commit: async (held) => {
        // A release that fails leaves the savepoint: Kysely rolls back to it next.
        await held.executeQuery(raw(`release ${SAVEPOINT}`));
        const group = this.group!;
        this.join(group);
        group.calls += 1;
        if (group.calls >= GROUP_SIZE) await end(held, group);
      },
      rollback: async (held) => {
        if (!sqlite.inTransaction) {
          lostIfRolledBack(new Error("SQLite rolled the transaction back"));
          return;
        }
        await held.executeQuery(raw(`rollback to ${SAVEPOINT}`));
        await held.executeQuery(raw(`release ${SAVEPOINT}`));
      },
    };
  }
}
