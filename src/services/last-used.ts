import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";

/**
 * Remembers when each API key was last used and writes it in batches, so that authenticating a
 * request never costs a database write.
 */
export class LastUsedTracker {
  /** By key, the time of its last use in ms: made an ISO date only when read or written. */
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly flushIntervalMs = 10_000,
  ) {}

  record(keyId: string, atMs: number): void {
    const previous = this.pending.get(keyId);
    if (previous === undefined || previous < atMs) this.pending.set(keyId, atMs);
  }

  /** A use recorded here but not yet written. */
  pendingFor(keyId: string): string | undefined {
    const atMs = this.pending.get(keyId);
    return atMs === undefined ? undefined : new Date(atMs).toISOString();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    for (const [keyId, atMs] of batch) {
      const at = new Date(atMs).toISOString();
      await this.db
        .updateTable("api_keys")
        .set({ last_used_at: at })
        .where("id", "=", keyId)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
        .execute();
    }
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.flush().catch(() => {
        // A failed flush only delays `lastUsedAt`; the next use records it again.
      });
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
