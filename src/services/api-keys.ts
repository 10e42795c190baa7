import { type Kysely, type RawBuilder, sql } from "kysely";
import { listNewestFirst } from "../db/pagination.js";
import { precompiled } from "../db/precompiled.js";
import type { ApiKeysTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Environment, Scope } from "../domain/environment.js";
import { notFound } from "../domain/errors.js";
import type { Page, PageRequest } from "../domain/pagination.js";
import type { TakeResult, TokenBucketPolicy } from "../domain/token-bucket.js";
import { takeTokenStatement } from "../rate-limit/postgres-store.js";
import {
  generateApiKeySecret,
  hashApiKeySecret,
  hashesEqual,
  parseApiKeySecret,
} from "../security/api-key-secret.js";
import { newId } from "../security/random.js";
import type { ApiKeyCache } from "./api-key-cache.js";
import type { LastUsedTracker } from "./last-used.js";

export interface ApiKey {
  id: string;
  accountId: string;
  environment: Environment;
  name: string | null;
  last4: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Operator overrides of the default rate limit, `null` when the default applies. */
  rateLimit: Partial<TokenBucketPolicy> | null;
}

export interface CreatedApiKey {
  key: ApiKey;
  /** Shown once, never stored. */
  secret: string;
}

export interface AuthenticatedKey {
  keyId: string;
  scope: Scope;
  rateLimit: TokenBucketPolicy;
  /** The token taken from the key's bucket by the lookup itself, when its buckets are in the database. */
  taken?: TakeResult;
  /**
   * What the lookup's `KeyedRead` answered (`null`: nothing), when it made one: only once the key
   * is live, of its environment, and its token taken.
   */
  read?: unknown;
}

/**
 * A read of the caller's own data that the statement authenticating its key makes too, where
 * keys are looked up in PostgreSQL: one round trip for both. `build` answers a scalar subquery
 * (one JSON value, or null) scoped by `k.account_id` and `k.environment`, the key's, and given
 * one argument of the request and a number the instance knows of it, such as the revision it
 * keeps (placeholders while it is compiled once).
 */
export interface KeyedRead {
  build(db: Kysely<Tables>, argument: string, known: number): RawBuilder<unknown>;
}

/** A `KeyedRead` to make, with its values. */
export interface KeyedReading {
  keyedRead: KeyedRead;
  argument: string;
  known: number;
}

/** What authenticating a request reads of its key. */
const KEY_COLUMNS = [
  "id",
  "account_id",
  "environment",
  "secret_hash",
  "revoked_at",
  "rate_limit_per_minute",
  "rate_limit_burst",
] as const satisfies readonly (keyof ApiKeysTable)[];

/** What authenticating a request reads of its key (kept between requests on SQLite). */
export type KeyRow = Pick<ApiKeysTable, (typeof KEY_COLUMNS)[number]>;
type KeyTakingToken = KeyRow & {
  tokens: number | null;
  last_take_allowed: number | null;
  read?: unknown;
};

/** The key of a secret's hash: every authenticated request asks it, so it is compiled once. */
const keyByHash = precompiled((db: Kysely<Tables>, hash: string) =>
  db.selectFrom("api_keys").select(KEY_COLUMNS).where("secret_hash", "=", hash),
);

/**
 * The statement of `keyByHashTakingToken`; with `keyedRead`, its answer as the column `read`, made
 * only for a live key of the secret's environment whose token was taken (else null).
 */
function keyTakingTokenStatement(keyedRead?: KeyedRead) {
  return precompiled(
    (
      db: Kysely<Tables>,
      hash: string,
      environment: string,
      nowMs: number,
      defaultPerMinute: number,
      defaultBurst: number,
      argument: string,
      known: number,
    ) => {
      const read = keyedRead
        ? sql`, case when k.revoked_at is null and k.environment = ${environment}
            and taken.last_take_allowed = 1 then ${keyedRead.build(db, argument, known)} end as read`
        : sql``;
      const statement = sql<KeyTakingToken>`
        with k as (
          select ${sql.join(KEY_COLUMNS.map((column) => sql.ref(column)))}
          from api_keys where secret_hash = ${hash}
        ), policy as (
          select coalesce(rate_limit_burst, ${defaultBurst})::float8 as burst,
            coalesce(rate_limit_per_minute, ${defaultPerMinute})::float8 / 60000 as rate
          from k
        ), taken as (${takeTokenStatement(
          sql`select id, (select burst from policy) - 1, ${nowMs}::float8, 1 from k
            where revoked_at is null and environment = ${environment}`,
          sql`(select burst from policy)`,
          sql`(select rate from policy)`,
        )})
        select k.*, taken.tokens, taken.last_take_allowed${read} from k left join taken on true`;
      return { compile: () => statement.compile(db) };
    },
  );
}

/**
 * On PostgreSQL, with the rate-limit buckets in the same database: the key of a secret's hash and,
 * when it is live and of that environment, a token taken from its bucket, in one statement. Every
 * authenticated request would otherwise pay two round trips before its own work.
 */
const keyByHashTakingToken = keyTakingTokenStatement();

/** `keyByHashTakingToken` making a `KeyedRead` too: one statement for each read. */
const keyByHashReading = new Map<KeyedRead, ReturnType<typeof keyTakingTokenStatement>>();

export class ApiKeyService {
  /**
   * @param takesTokenOnLookup the rate-limit buckets are in this (PostgreSQL) database: the key
   *   lookup takes the request's token in the same statement.
   * @param cache keys kept between requests, checked against changes on every instance (SQLite).
   */
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly lastUsed: LastUsedTracker,
    private readonly defaultRateLimit: TokenBucketPolicy,
    private readonly takesTokenOnLookup = false,
    private readonly cache?: ApiKeyCache<KeyRow>,
  ) {}

  async create(
    scope: Scope,
    input: { name?: string | null | undefined },
    db: Kysely<Tables> = this.db,
  ): Promise<CreatedApiKey> {
    const secret = generateApiKeySecret(scope.environment);
    const row: ApiKeysTable = {
      id: newId("key"),
      account_id: scope.accountId,
      environment: scope.environment,
      name: input.name ?? null,
      secret_hash: hashApiKeySecret(secret),
      last4: secret.slice(-4),
      created_at: this.clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
      rate_limit_per_minute: null,
      rate_limit_burst: null,
    };
    await db.insertInto("api_keys").values(row).execute();
    return { key: this.toApiKey(row), secret };
  }

  async list(scope: Scope, page: PageRequest): Promise<Page<ApiKey>> {
    const rows = await listNewestFirst(this.db, "api_keys", scope, page, "an API key");
    return { ...rows, data: rows.data.map((row) => this.toApiKey(row)) };
  }

  async get(scope: Scope, id: string): Promise<ApiKey> {
    const row = await this.findRow(scope, id);
    if (!row) throw notFound("api_key", id);
    return this.toApiKey(row);
  }

  /** Revoking twice is harmless: the key keeps its first revocation time. */
  async revoke(scope: Scope, id: string): Promise<ApiKey> {
    await this.db
      .updateTable("api_keys")
      .set({ revoked_at: this.clock.now().toISOString() })
      .where("id", "=", id)
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("revoked_at", "is", null)
      .execute();
    this.cache?.changed();
    return this.get(scope, id);
  }

  /** Whether `authenticate` makes a `KeyedRead` it is given (keys looked up in PostgreSQL). */
  get readsWithKey(): boolean {
    return this.takesTokenOnLookup;
  }

  /**
   * The key a request presents, or `undefined` when it is malformed, unknown or revoked. With
   * `read`, where `readsWithKey`, its answer comes as `read` (see `KeyedRead`).
   */
  async authenticate(secret: string, read?: KeyedReading): Promise<AuthenticatedKey | undefined> {
    const environment = parseApiKeySecret(secret);
    if (!environment) return undefined;
    const hash = hashApiKeySecret(secret);
    const now = this.clock.now();
    const row: (KeyRow & Partial<KeyTakingToken>) | undefined = this.takesTokenOnLookup
      ? await this.keyTakingToken(hash, environment, now.getTime(), read)
      : await this.keyRow(hash, now.getTime());
    if (!row || row.revoked_at !== null || row.environment !== environment) return undefined;
    this.lastUsed.record(row.id, now.getTime());
    return {
      keyId: row.id,
      scope: { accountId: row.account_id, environment: row.environment },
      rateLimit: {
        perMinute: row.rate_limit_per_minute ?? this.defaultRateLimit.perMinute,
        burst: row.rate_limit_burst ?? this.defaultRateLimit.burst,
      },
      taken:
        row.tokens != null
          ? { allowed: row.last_take_allowed === 1, tokens: row.tokens }
          : undefined,
      read: row.read,
    };
  }

  /** The key of `hash`, with a token taken from its bucket (see `keyByHashTakingToken`). */
  private async keyTakingToken(
    hash: string,
    environment: string,
    nowMs: number,
    read: KeyedReading | undefined,
  ): Promise<KeyTakingToken | undefined> {
    let statement = keyByHashTakingToken;
    if (read) {
      let reading = keyByHashReading.get(read.keyedRead);
      if (!reading) {
        reading = keyTakingTokenStatement(read.keyedRead);
        keyByHashReading.set(read.keyedRead, reading);
      }
      statement = reading;
    }
    const [row] = await statement(
      this.db,
      hash,
      environment,
      nowMs,
      this.defaultRateLimit.perMinute,
      this.defaultRateLimit.burst,
      read?.argument ?? "",
      read?.known ?? -1,
    );
    return row && hashesEqual(row.secret_hash, hash) ? row : undefined;
  }

  /**
   * The key of `hash`: kept from an earlier request if no key changed since (compared then), else
   * read and compared.
   */
  private async keyRow(hash: string, nowMs: number): Promise<KeyRow | undefined> {
    const version = this.cache?.version();
    const kept = version === undefined ? undefined : this.cache?.get(hash, version, nowMs);
    if (kept) return kept;
    const [row] = await keyByHash(this.db, hash);
    if (!row || !hashesEqual(row.secret_hash, hash)) return undefined;
    if (version !== undefined) this.cache?.set(hash, row, version, nowMs);
    return row;
  }

  /** Lets go of what the kept keys hold (a file). */
  close(): void {
    this.cache?.close();
  }

  /** The limit `key` is held to: its operator override, else the instance's default. */
  effectiveRateLimit(key: ApiKey): TokenBucketPolicy {
    return {
      perMinute: key.rateLimit?.perMinute ?? this.defaultRateLimit.perMinute,
      burst: key.rateLimit?.burst ?? this.defaultRateLimit.burst,
    };
  }

  // Operator use cases (CLI): an operator acts across accounts by design.

  async findForOperator(id: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && this.toApiKey(row);
  }

  async listForOperator(accountId?: string): Promise<ApiKey[]> {
    let query = this.db.selectFrom("api_keys").selectAll();
    if (accountId) query = query.where("account_id", "=", accountId);
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
    return rows.map((row) => this.toApiKey(row));
  }

  async setRateLimit(id: string, policy: Partial<TokenBucketPolicy>): Promise<ApiKey> {
    const key = await this.findForOperator(id);
    if (!key) throw notFound("api_key", id);
    await this.db
      .updateTable("api_keys")
      .set({
        rate_limit_per_minute: policy.perMinute ?? key.rateLimit?.perMinute ?? null,
        rate_limit_burst: policy.burst ?? key.rateLimit?.burst ?? null,
      })
      .where("id", "=", id)
      .execute();
    this.cache?.changed();
    return (await this.findForOperator(id))!;
  }

  private findRow(scope: Scope, id: string) {
    return this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .executeTakeFirst();
  }

  private toApiKey(row: ApiKeysTable): ApiKey {
    const pending = this.lastUsed.pendingFor(row.id);
    const lastUsedAt =
      pending && (!row.last_used_at || pending > row.last_used_at) ? pending : row.last_used_at;
    const hasOverride = row.rate_limit_per_minute !== null || row.rate_limit_burst !== null;
    return {
      id: row.id,
      accountId: row.account_id,
      environment: row.environment,
      name: row.name,
      last4: row.last4,
      createdAt: row.created_at,
      lastUsedAt,
      revokedAt: row.revoked_at,
      rateLimit: hasOverride
        ? {
            ...(row.rate_limit_per_minute !== null && { perMinute: row.rate_limit_per_minute }),
            ...(row.rate_limit_burst !== null && { burst: row.rate_limit_burst }),
          }
        : null,
    };
  }
}
