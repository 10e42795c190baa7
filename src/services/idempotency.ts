import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Scope } from "../domain/environment.js";

/** How long a response is kept for replay. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request still "running" after this long died with its process: its key may be reused. */
export const IDEMPOTENCY_STALE_MS = 5 * 60 * 1000;

export type IdempotencyStart =
  | { kind: "new" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "in_progress" }
  | { kind: "mismatch" };

/** Stored first responses of POST requests that carried an `Idempotency-Key`. */
export class IdempotencyStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
  ) {}

  async begin(scope: Scope, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const now = this.clock.now();
    await this.row(scope, key)
      .where((eb) =>
        eb.or([
          eb("created_at", "<", new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString()),
          eb.and([
            eb("state", "=", "running"),
            eb("created_at", "<", new Date(now.getTime() - IDEMPOTENCY_STALE_MS).toISOString()),
          ]),
        ]),
      )
      .execute();
    const inserted = await this.db
      .insertInto("idempotency_keys")
      .values({
        account_id: scope.accountId,
        environment: scope.environment,
        key,
        fingerprint,
        state: "running",
        response_status: null,
        response_body: null,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(["account_id", "environment", "key"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: "new" };
    const existing = await this.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("key", "=", key)
      .executeTakeFirst();
    // Deleted in between (expired by another request): treat as in progress; the client retries.
    if (!existing) return { kind: "in_progress" };
    if (existing.fingerprint !== fingerprint) return { kind: "mismatch" };
    if (existing.state === "running") return { kind: "in_progress" };
    return {
      kind: "replay",
      status: existing.response_status ?? 200,
      body: existing.response_body ?? "",
    };
  }

  async complete(scope: Scope, key: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable("idempotency_keys")
      .set({ state: "done", response_status: status, response_body: body })
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("key", "=", key)
      .execute();
  }

  /** Forgets a key whose request failed on our side, so that a retry runs again. */
  async abandon(scope: Scope, key: string): Promise<void> {
    await this.row(scope, key).execute();
  }

  private row(scope: Scope, key: string) {
    return this.db
      .deleteFrom("idempotency_keys")
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("key", "=", key);
  }
}
