import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { Scope } from "../domain/environment.js";
import {
  DEFAULT_PAGE_LIMIT,
  invalidCursor,
  type Page,
  type PageRequest,
  toPage,
} from "../domain/pagination.js";
import { precompiled } from "./precompiled.js";
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

/** What a list asks for, besides its scope: equality filters, a condition of its own. */
export interface ListFilters {
  filters?: Partial<Record<string, string>>;
  /** A condition of its own on the table's rows, e.g. a search. */
  condition?: Expression<SqlBool> | undefined;
}

// The listed tables share the columns used here; Kysely cannot see that through a generic name.
type Loose = Kysely<Record<ListedTable, Cursor & { account_id: string; environment: string }>>;

function scoped(db: Kysely<Tables>, table: ListedTable, scope: Scope) {
  return (db as unknown as Loose)
    .selectFrom(table)
    .selectAll()
    .where("account_id", "=", scope.accountId)
    .where("environment", "=", scope.environment);
}

/**
 * The query of one page: the caller's rows of `table` matching `filters`, after `cursor`, newest
 * first, `limit + 1` of them (the extra one says whether there is a next page). Built apart so
 * that a test can check its plan uses an index (test/api/query-plans.test.ts).
 */
export function newestFirstQuery(
  db: Kysely<Tables>,
  table: ListedTable,
  scope: Scope,
  limit: number,
  { filters = {}, condition }: ListFilters = {},
  cursor?: Cursor,
  { plusOne = true }: { plusOne?: boolean } = {},
) {
  let query = scoped(db, table, scope);
  for (const [column, value] of Object.entries(filters)) {
    if (value !== undefined) query = query.where(sql.ref(column), "=", value);
  }
  if (condition) query = query.where(condition);
  if (cursor) query = query.where(olderThan(cursor, table));
  return query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(plusOne ? limit + 1 : limit);
}

/**
 * The SQL of each shape of list (table, filters given, cursor or not), compiled once: a list
 * request then runs it with its values (see precompiled.ts). A list with a condition of its own
 * (a search) is built each time.
 */
const compiledLists = new Map<
  string,
  (db: Kysely<Tables>, ...args: (string | number)[]) => Promise<unknown[]>
>();

function runNewestFirst(
  db: Kysely<Tables>,
  table: ListedTable,
  scope: Scope,
  limit: number,
  filters: ListFilters,
  cursor: Cursor | undefined,
): Promise<unknown[]> {
  if (filters.condition)
    return newestFirstQuery(db, table, scope, limit, filters, cursor).execute();
  const given = Object.entries(filters.filters ?? {}).filter(([, value]) => value !== undefined);
  const shape = `${table}|${given.map(([column]) => column).join(",")}|${cursor ? "after" : ""}`;
  let run = compiledLists.get(shape);
  if (!run) {
    run = precompiled((builder, accountId, environment, take, createdAt, id, ...values) =>
      newestFirstQuery(
        builder,
        table,
        { accountId: String(accountId), environment: environment as Scope["environment"] },
        // `take` stands for limit + 1 here: the query asks for one row more than a page.
        take as number,
        { filters: Object.fromEntries(given.map(([column], i) => [column, String(values[i])])) },
        cursor ? { created_at: String(createdAt), id: String(id) } : undefined,
        { plusOne: false },
      ),
    );
    compiledLists.set(shape, run);
  }
  return run(
    db,
    scope.accountId,
    scope.environment,
    limit + 1,
    cursor?.created_at ?? "",
    cursor?.id ?? "",
    ...given.map(([, value]) => value as string),
  );
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
  filters: ListFilters = {},
): Promise<Page<Tables[T]>> {
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  let cursor: Cursor | undefined;
  if (page.after) {
    cursor = await scoped(db, table, scope).where("id", "=", page.after).executeTakeFirst();
    if (!cursor) throw invalidCursor(page.after, resource);
  }
  const rows = await runNewestFirst(db, table, scope, limit, filters, cursor);
  return toPage(rows as unknown as Tables[T][], limit);
}
