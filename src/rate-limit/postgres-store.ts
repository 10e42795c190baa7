import { type Kysely, type RawBuilder, sql } from "kysely";
import { registerPreparedStatement } from "../db/prepared-statements.js";
import type { Tables } from "../db/schema.js";
import { refillPerMs, type TakeResult, type TokenBucketPolicy } from "../domain/token-bucket.js";
import type { RateLimitStore } from "./store.js";

/**
 * The statement that takes a token: inserts the rows of `source` (key, tokens, updated_at_ms,
 * last_take_allowed: a new bucket, already one token down) or, for a bucket that exists, refills
 * it up to `burst` at `rate` tokens per ms since it was last written and takes one token under
 * its row lock. Returns the bucket's tokens and whether the take was allowed. The arithmetic
 * mirrors `takeToken` in the domain.
 */
export function takeTokenStatement(
  source: RawBuilder<unknown>,
  burst: RawBuilder<unknown>,
  rate: RawBuilder<unknown>,
): RawBuilder<{ tokens: number; last_take_allowed: number }> {
  const available = sql`least(${burst}, b.tokens + greatest(0, excluded.updated_at_ms - b.updated_at_ms) * ${rate})`;
  return sql`
    insert into rate_limit_buckets as b (key, tokens, updated_at_ms, last_take_allowed)
    ${source}
    on conflict (key) do update set
      tokens = case when ${available} >= 1 then ${available} - 1 else ${available} end,
      updated_at_ms = greatest(b.updated_at_ms, excluded.updated_at_ms),
      last_take_allowed = case when ${available} >= 1 then 1 else 0 end
    returning b.tokens, b.last_take_allowed`;
}

/**
 * Buckets in a PostgreSQL table shared by every instance. One statement refills and takes under
 * the row lock, so concurrent requests on several instances can never overspend a bucket.
 */
export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async take(key: string, policy: TokenBucketPolicy, nowMs: number): Promise<TakeResult> {
    const burst = sql`${policy.burst}::float8`;
    const query = takeTokenStatement(
      sql`values (${key}, ${burst} - 1, ${nowMs}::float8, 1)`,
      burst,
      sql`${refillPerMs(policy)}::float8`,
    ).compile(this.db);
    // The same text whatever the values: prepared once per connection.
    registerPreparedStatement(query.sql);
    const { rows } = await this.db.executeQuery(query);
    const row = rows[0]!;
    return { allowed: row.last_take_allowed === 1, tokens: row.tokens };
  }

  async close(): Promise<void> {}
}
