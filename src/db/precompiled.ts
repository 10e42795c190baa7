import type SQLite from "better-sqlite3";
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import { registerPreparedStatement } from "./prepared-statements.js";
import type { Tables } from "./schema.js";

/** Stands for the i-th argument while the query is compiled once. */
const placeholder = (i: number) => `\u0000certyneo-arg-${i}\u0000`;

/** The SQLite connection under each Kysely instance that has one (`runsOnSqlite`). */
const sqliteConnections = new WeakMap<Kysely<Tables>, SQLite.Database>();

/** Lets precompiled queries on `db`, outside a transaction, run on `connection` directly. */
export function runsOnSqlite(db: Kysely<Tables>, connection: SQLite.Database): void {
  sqliteConnections.set(db, connection);
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
  const byDialect = new Map<unknown, { sql: string; slots: (number | { value: unknown })[] }>();
  return async (db, ...args) => {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = byDialect.get(dialect);
    if (!compiled) {
      const names = args.map((_, i) => placeholder(i)) as A;
      const query = build(db, ...names).compile();
      const slots = query.parameters.map((value) => {
        const index = names.indexOf(value as string);
        return index >= 0 ? index : { value };
      });
      compiled = { sql: query.sql, slots };
      byDialect.set(dialect, compiled);
      registerPreparedStatement(query.sql);
    }
    const parameters = compiled.slots.map((slot) =>
      typeof slot === "number" ? args[slot] : slot.value,
    );
    // better-sqlite3 runs a statement synchronously: with no transaction open on the connection,
    // nothing can come between, and Kysely's queue for the connection (promises, a mutex) is
    // only a cost. Inside a transaction, the statement waits for it to end, as it did.
    const connection = sqliteConnections.get(db);
    if (connection && !connection.inTransaction) {
      const statement = connection.prepare(compiled.sql);
      if (statement.reader) return statement.all(parameters) as R[];
      statement.run(parameters);
      return [];
    }
    const result = await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
