import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { Scope } from "../domain/environment.js";
import {
  DEFAULT_PAGE_LIMIT,
  invalidCursor,
  type Page,
  type PageRequest,
  toPage,
} from "../domain/pagination.js";
import type { Tables } from "./schema.js";

export interface Cursor {
  readonly id: string;
  readonly created_at: string;
}

/** The tenant-owned tables that API lists page through. */
type ListedTable = "api_keys" | "documents" | "envelopes" | "webhooks" | "notifications";

/** Rows strictly after `cursor` in newest-first order (created_at desc, id desc). */
export function olderThan(cursor: Cursor, table: string): Expression<SqlBool> {
  const createdAt = sql.ref(`${table}.created_at`);
  const id = sql.ref(`${table}.id`);
  return sql<SqlBool>`(${createdAt} < ${cursor.created_at} or (${createdAt} = ${cursor.created_at} and ${id} < ${cursor.id}))`;
}

/**
 * One page of the caller's rows of `table`, newest first, after the `after` cursor, with optional
 * equality filters. The cursor must be a row of the same account and environment (any filter
 * aside), or the request is a 400 `invalid_cursor`.
 */
export async function listNewestFirst<T extends ListedTable>(
  db: Kysely<Tables>,
  table: T,
  scope: Scope,
  page: PageRequest,
  resource: string,
  filters: Partial<Record<string, string>> = {},
  /** A condition of its own on the table's rows, e.g. a search. */
  condition?: Expression<SqlBool>,
): Promise<Page<Tables[T]>> {
  // The three tables share the columns used here; Kysely cannot see that through a generic name.
  const loose = db as unknown as Kysely<
    Record<ListedTable, Cursor & { account_id: string; environment: string }>
  >;
  const scoped = () =>
    loose
      .selectFrom(table as ListedTable)
      .selectAll()
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment);
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  let query = scoped();
  for (const [column, value] of Object.entries(filters)) {
    if (value !== undefined) query = query.where(sql.ref(column), "=", value);
  }
  if (condition) query = query.where(condition);
  if (page.after) {
    const cursor = await scoped().where("id", "=", page.after).executeTakeFirst();
    if (!cursor) throw invalidCursor(page.after, resource);
    query = query.where(olderThan(cursor, table));
  }
  const rows = await query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1)
    .execute();
  return toPage(rows as unknown as Tables[T][], limit);
}
