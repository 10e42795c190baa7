import { type Kysely, sql } from "kysely";
import { registerPreparedStatement } from "../db/prepared-statements.js";
import type { Tables } from "../db/schema.js";
import { refillPerMs, type TakeResult, type TokenBucketPolicy } from "../domain/token-bucket.js";
import type { RateLimitStore } from "./store.js";

/**
 * Buckets in a PostgreSQL table shared by every instance. One statement refills and takes under
 * the row lock, so concurrent requests on several instances can never overspend a bucket. The
 * arithmetic mirrors `takeToken` in the domain.
 */
export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async take(key: string, policy: TokenBucketPolicy, nowMs: number): Promise<TakeResult> {
    const rate = refillPerMs(policy);
    const available = sql`least(${policy.burst}::float8, b.tokens + greatest(0, ${nowMs}::float8 - b.updated_at_ms) * ${rate}::float8)`;
    const query = sql<{ tokens: number; last_take_allowed: number }>`
      insert into rate_limit_buckets as b (key, tokens, updated_at_ms, last_take_allowed)
      values (${key}, ${policy.burst - 1}::float8, ${nowMs}::float8, 1)
      on conflict (key) do update set
        tokens = case when ${available} >= 1 then ${available} - 1 else ${available} end,
        updated_at_ms = greatest(b.updated_at_ms, excluded.updated_at_ms),
        last_take_allowed = case when ${available} >= 1 then 1 else 0 end
      returning b.tokens, b.last_take_allowed`.compile(this.db);
    // The same text whatever the values: prepared once per connection.
    registerPreparedStatement(query.sql);
    const { rows } = await this.db.executeQuery(query);
    const row = rows[0]!;
    return { allowed: row.last_take_allowed === 1, tokens: row.tokens };
  }

  async close(): Promise<void> {}
}
