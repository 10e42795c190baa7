import { type Expression, type SqlBool, sql } from "kysely";
import { DEFAULT_PAGE_LIMIT, type PageRequest } from "../domain/pagination.js";

export interface Cursor {
  readonly id: string;
  readonly created_at: string;
}

/** Rows strictly after `cursor` in newest-first order (created_at desc, id desc). */
export function olderThan(cursor: Cursor, table: string): Expression<SqlBool> {
  const createdAt = sql.ref(`${table}.created_at`);
  const id = sql.ref(`${table}.id`);
  return sql<SqlBool>`(${createdAt} < ${cursor.created_at} or (${createdAt} = ${cursor.created_at} and ${id} < ${cursor.id}))`;
}

export function pageLimit(page: PageRequest): number {
  return page.limit ?? DEFAULT_PAGE_LIMIT;
}
