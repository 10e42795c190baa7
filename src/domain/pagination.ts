import { CertyneoError } from "./errors.js";

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export interface PageRequest {
  readonly limit?: number | undefined;
  /** Id of the last object of the previous page. */
  readonly after?: string | undefined;
}

export interface Page<T> {
  readonly data: T[];
  readonly hasMore: boolean;
  readonly nextCursor: string | null;
}

/** `rows` were fetched with `limit + 1` to learn whether another page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore ? (data.at(-1)?.id ?? null) : null };
}

export function invalidCursor(after: string, resource: string): CertyneoError {
  return new CertyneoError(
    "invalid_request",
    "invalid_cursor",
    `"after" must be the id of ${resource} of this environment; "${after}" is not.`,
    "after",
  );
}
