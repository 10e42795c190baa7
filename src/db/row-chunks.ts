/** SQLite binds at most 32,766 values in one statement (PostgreSQL 65,535). */
const MAX_BOUND_VALUES = 32_766;

/** Rows to insert, split so that no statement binds more values than the database allows. */
export function inStatementSizedChunks<T extends object>(rows: readonly T[]): T[][] {
  if (rows.length === 0) return [];
  const size = Math.max(1, Math.floor(MAX_BOUND_VALUES / Object.keys(rows[0]!).length));
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) {
    chunks.push(rows.slice(start, start + size));
  }
  return chunks;
}
