import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Scope } from "../domain/environment.js";
import type { SecretBox } from "../security/secret-box.js";

/** How long a response is kept for replay. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request still "running" after this long died with its process: its key may be reused. */
export const IDEMPOTENCY_STALE_MS = 5 * 60 * 1000;
/** How often, at most, responses past their 24 hours are purged (by the next `begin`). */
const PURGE_INTERVAL_MS = 60 * 1000;
/** Marks a stored body as sealed; a body without it was stored in clear by an older version. */
const SEALED_PREFIX = "sealed:v1:";

export type IdempotencyStart =
  | { kind: "new" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "in_progress" }
  | { kind: "mismatch" };

/**
 * Stored first responses of POST requests that carried an `Idempotency-Key`. A response can carry
 * a secret shown once (a new API key's `sk_…`, a webhook's `whsec_…`), so bodies are stored
 * sealed (AES-256-GCM, bound to the account, environment and key) and purged after 24 hours.
 * Bodies stored in clear by older versions still replay until they expire; one that cannot
 * be opened (the server secret changed) is treated as expired.
 */
export class IdempotencyStore {
  private nextPurge = 0;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  async begin(scope: Scope, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const now = this.clock.now();
    await this.purgeExpired(now);
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
    const body = this.openBody(scope, key, existing.response_body ?? "");
    if (body === undefined) {
      // Sealed under another server secret: as if expired; this request runs anew.
      await this.row(scope, key).where("created_at", "=", existing.created_at).execute();
      return this.begin(scope, key, fingerprint);
    }
    return { kind: "replay", status: existing.response_status ?? 200, body };
  }

  async complete(scope: Scope, key: string, status: number, body: string): Promise<void> {
    const sealed = this.box.seal(Buffer.from(body, "utf8"), associatedData(scope, key));
    await this.db
      .updateTable("idempotency_keys")
      .set({
        state: "done",
        response_status: status,
        response_body: SEALED_PREFIX + sealed.toString("base64"),
      })
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("key", "=", key)
      .execute();
  }

  /** Forgets a key whose request failed on our side, so that a retry runs again. */
  async abandon(scope: Scope, key: string): Promise<void> {
    await this.row(scope, key).execute();
  }

  /** Forgets every response past its 24 hours, of any account: they are never replayed. */
  async purgeExpired(now: Date = this.clock.now()): Promise<void> {
    if (now.getTime() < this.nextPurge) return;
    this.nextPurge = now.getTime() + PURGE_INTERVAL_MS;
    await this.db
      .deleteFrom("idempotency_keys")
      .where("created_at", "<", new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString())
      .execute();
  }

  /** The stored body in clear; `undefined` when it cannot be opened. */
  private openBody(scope: Scope, key: string, stored: string): string | undefined {
    if (!stored.startsWith(SEALED_PREFIX)) return stored; // stored in clear by an older version
    try {
      const sealed = Buffer.from(stored.slice(SEALED_PREFIX.length), "base64");
      return this.box.open(sealed, associatedData(scope, key)).toString("utf8");
    } catch {
      return undefined;
    }
  }

  private row(scope: Scope, key: string) {
    return this.db
      .deleteFrom("idempotency_keys")
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .where("key", "=", key);
  }
}

/** What a sealed body belongs to: opened for another row, it fails. */
function associatedData(scope: Scope, key: string): Buffer {
  return Buffer.from(`idempotency\n${scope.accountId}\n${scope.environment}\n${key}`, "utf8");
}
