import SQLite from "better-sqlite3";
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type pg from "pg";
import { registerPreparedStatement } from "./prepared-statements.js";
import type { Tables } from "./schema.js";

/** Stands for the i-th argument while the query is compiled once. */
const placeholder = (i: number) => `\u0000certyneo-arg-${i}\u0000`;

/**
 * SQL compiled once for values given later: for each of its parameters, the index of the value
 * it takes, or a constant of the query itself.
 */
export interface CompiledShape {
  sql: string;
  slots: (number | { value: unknown })[];
}

/** Compiles what `build` makes of `count` placeholders (it must not branch on them). */
export function compileShape(
  count: number,
  build: (placeholders: string[]) => CompiledQuery,
): CompiledShape {
  const placeholders = Array.from({ length: count }, (_, i) => placeholder(i));
  const slotOf = new Map(placeholders.map((name, i) => [name, i]));
  const query = build(placeholders);
  const slots = query.parameters.map((value) => slotOf.get(value as string) ?? { value });
  return { sql: query.sql, slots };
}

/** The parameters of `shape` for `values`. */
export function parametersOf(shape: CompiledShape, values: readonly unknown[]): unknown[] {
  return shape.slots.map((slot) => (typeof slot === "number" ? values[slot] : slot.value));
}

/**
 * Runs compiled SQL on the driver itself, or answers `undefined` to leave it to Kysely.
 * `inTransaction`: `db` is a transaction of the instance (which then holds its connection).
 */
type DirectRun = (
  sql: string,
  parameters: unknown[],
  inTransaction: boolean,
) => Promise<unknown[]> | unknown[] | undefined;

/**
 * How compiled queries skip Kysely's executor: its plugins (we have none), its connection provider
 * and its promises per query cost more than one of our point reads once compiled. By the
 * instance's adapter, which its transactions share (and no other instance does).
 */
const directRuns = new WeakMap<object, DirectRun>();

/**
 * A function making the object of a row from its values, as a literal with the columns' names:
 * V8 builds such an object from a template, where better-sqlite3 adds each property to an empty
 * object in turn (a third of a wide row's cost, measured).
 */
function rowMaker(statement: SQLite.Statement): (values: unknown[]) => unknown {
  const properties = statement
    .columns()
    .map((column, i) => `${JSON.stringify(column.name)}: values[${i}]`);
  return new Function("values", `return { ${properties.join(", ")} };`) as (
    values: unknown[],
  ) => unknown;
}

/**
 * Compiled queries on `db`, or on a transaction of it, run on `connection` at once.
 * better-sqlite3 runs a statement synchronously: with no transaction open on the connection,
 * nothing can come between; a transaction of `db` holds the connection until it ends, so its own
 * queries are the only ones to run on it. A query on `db` itself while a transaction is open goes
 * through Kysely, whose queue makes it wait for the transaction to end, as before.
 * Each text is prepared once, its rows read as arrays of values and made objects by `rowMaker`.
 */
export function runsOnSqlite(
  db: Kysely<Tables>,
  connection: SQLite.Database,
  /** Writes outside a transaction await the process's write lock: through Kysely's driver. */
  writesLocked = false,
): void {
  // Precompiled texts are few and fixed: the map stays small. Not the connection's cache of
  // statements, which Kysely shares and expects to answer objects.
  const statements = new Map<
    string,
    { statement: SQLite.Statement; width: number; make: (values: unknown[]) => unknown }
  >();
  const prepare = (sql: string) => {
    const statement = SQLite.prototype.prepare.call(connection, sql);
    if (!statement.reader) return { statement, width: 0, make: () => undefined };
    statement.raw(true);
    return { statement, width: statement.columns().length, make: rowMaker(statement) };
  };
  directRuns.set(db.getExecutor().adapter, (sql, parameters, inTransaction) => {
    if (connection.inTransaction !== inTransaction) return undefined;
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = prepare(sql);
      statements.set(sql, prepared);
    }
    const { statement } = prepared;
    if (writesLocked && !inTransaction && !statement.readonly) return undefined;
    if (!statement.reader) {
      statement.run(parameters);
      return [];
    }
    const rows = statement.all(parameters) as unknown[][];
    // Another instance's migration changed a table under a `select *`: SQLite prepared the
    // statement again, with the new columns; the row maker follows.
    if (rows.length > 0 && rows[0]!.length !== prepared.width) {
      prepared.width = rows[0]!.length;
      prepared.make = rowMaker(statement);
    }
    return rows.map(prepared.make);
  });
}

/**
 * Compiled queries on `db` run on a client of `pool`, as Kysely would, without its executor; a
 * transaction's, on its own client, through Kysely.
 */
export function runsOnPostgres(db: Kysely<Tables>, pool: pg.Pool): void {
  const onClient = async (sql: string, parameters: unknown[]) => {
    const client = await pool.connect();
    try {
      // Two arguments: the client runs a registered text as its named statement.
      return (await client.query(sql, parameters)).rows;
    } finally {
      client.release();
    }
  };
  directRuns.set(db.getExecutor().adapter, (sql, parameters, inTransaction) =>
    inTransaction ? undefined : onClient(sql, parameters),
  );
}

/**
 * A query whose SQL is compiled once, on first use: `build` is called with placeholders for its
 * arguments, and each later call runs the same SQL with the values given. Building and compiling
 * a query with Kysely costs more than running one of our point lookups (and SQLite then finds the
 * statement already prepared; PostgreSQL prepares it once per connection,
 * `prepared-statements.ts`). `build` must give the same SQL whatever the values: no list whose
 * length depends on them, no branch on them, no arithmetic (it is given placeholders, as text).
 */
export function precompiled<A extends (string | number)[], R>(
  build: (db: Kysely<Tables>, ...args: A) => Compilable<R>,
): (db: Kysely<Tables>, ...args: A) => Promise<R[]> {
  // By SQL dialect (its adapter's class): one process may hold SQLite and PostgreSQL at once.
  const byDialect = new Map<unknown, CompiledShape>();
  return async (db, ...args) => {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = byDialect.get(dialect);
    if (!compiled) {
      compiled = compileShape(args.length, (names) => build(db, ...(names as A)).compile());
      byDialect.set(dialect, compiled);
      registerPreparedStatement(compiled.sql);
    }
    return runCompiled<R>(db, compiled.sql, parametersOf(compiled, args));
  };
}

/** Runs SQL compiled for `db`'s dialect, on the driver itself where it can (see `directRuns`). */
export async function runCompiled<R>(
  db: Kysely<Tables>,
  sql: string,
  parameters: unknown[],
): Promise<R[]> {
  const direct = directRuns.get(db.getExecutor().adapter)?.(sql, parameters, db.isTransaction);
  if (direct) return (await direct) as R[];
  const result = await db.executeQuery<R>(CompiledQuery.raw(sql, parameters));
  return result.rows;
}
