import type { Insertable, Kysely } from "kysely";
import { type CompiledShape, compileShape, parametersOf, runCompiled } from "./precompiled.js";
import { inStatementSizedChunks } from "./row-chunks.js";
import type { Tables } from "./schema.js";

/** Past this many shapes, an insert is compiled each time, as Kysely does (bounded memory). */
const MAX_SHAPES = 1000;

const shapes = new Map<string, CompiledShape>();

/**
 * Inserts `rows` into `table`, as `db.insertInto(table).values(rows)` would, in statements that
 * bind no more values than the database allows; with `ignoreConflictOn`, a row whose key there
 * is taken is skipped. Building and compiling an insert with Kysely costs as much as running it:
 * the SQL is compiled once per shape (dialect, table, columns, number of rows). Every row must
 * have the first row's columns, in its order (rows built by one object literal do).
 */
export async function insertRows<T extends keyof Tables & string>(
  db: Kysely<Tables>,
  table: T,
  rows: readonly Insertable<Tables[T]>[],
  ignoreConflictOn?: readonly (keyof Tables[T] & string)[],
): Promise<void> {
  for (const chunk of inStatementSizedChunks(rows)) {
    const columns = Object.keys(chunk[0]!);
    const values: unknown[] = [];
    for (const row of chunk) {
      const keys = Object.keys(row);
      if (keys.length !== columns.length || keys.some((key, i) => key !== columns[i])) {
        throw new Error(`insertRows(${table}): every row must have the columns ${columns}`);
      }
      for (const column of columns) values.push((row as Record<string, unknown>)[column]);
    }
    const dialect = db.getExecutor().adapter.constructor.name;
    const key = `${dialect}\u0000${table}\u0000${columns}\u0000${chunk.length}\u0000${ignoreConflictOn ?? ""}`;
    let shape = shapes.get(key);
    if (!shape) {
      shape = compile(db, table, columns, chunk.length, ignoreConflictOn);
      if (shapes.size < MAX_SHAPES) shapes.set(key, shape);
    }
    await runCompiled(db, shape.sql, parametersOf(shape, values));
  }
}

/** The insert of `count` rows of `columns`, its values row by row, column by column. */
function compile(
  db: Kysely<Tables>,
  table: keyof Tables & string,
  columns: readonly string[],
  count: number,
  ignoreConflictOn: readonly string[] | undefined,
): CompiledShape {
  return compileShape(columns.length * count, (values) => {
    const rows = Array.from({ length: count }, (_, row) =>
      Object.fromEntries(columns.map((column, i) => [column, values[row * columns.length + i]!])),
    );
    // The rows' types are checked by `insertRows`' signature; Kysely sees placeholders.
    const untyped = db as unknown as Kysely<Record<string, Record<string, string>>>;
    let query = untyped.insertInto(table).values(rows);
    if (ignoreConflictOn)
      query = query.onConflict((oc) => oc.columns([...ignoreConflictOn]).doNothing());
    return query.compile();
  });
}
