export interface VersionedCacheLimits {
  /** The most values kept: the oldest kept makes room for a new one. */
  maxEntries: number;
  /** The most bytes kept, as `set` is told each value's size; a value larger is not kept. */
  maxBytes?: number;
  /** A value older than this is not used, whatever its version. */
  maxAgeMs?: number;
}

interface Entry<V> {
  value: V;
  version: number;
  readAtMs: number;
  bytes: number;
}

/**
 * Values read from the database, each kept with the version of the data it was read under (a
 * number that changes with the data: see `ApiKeyCache`, `SqliteCommits`) and used only while the
 * version is the same. Bounded by count and bytes; the first kept is the first to go.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private bytes = 0;

  constructor(private readonly limits: VersionedCacheLimits) {}

  /** The value kept for `key`, if it was read under `version` (and less than `maxAgeMs` ago). */
  get(key: string, version: number, nowMs = 0): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const { maxAgeMs } = this.limits;
    if (entry.version === version && (maxAgeMs === undefined || nowMs - entry.readAtMs < maxAgeMs))
      return entry.value;
    this.remove(key, entry);
    return undefined;
  }

  /** The version `key`'s value was read under, if one is kept. */
  versionOf(key: string): number | undefined {
    return this.entries.get(key)?.version;
  }

  /** Keeps `value`, read after `version` was: the version, then the data, never the other way. */
  set(key: string, value: V, version: number, nowMs = 0, bytes = 0): void {
    const maxBytes = this.limits.maxBytes ?? Number.POSITIVE_INFINITY;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    if (bytes > maxBytes) return;
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.limits.maxEntries || this.bytes + bytes > maxBytes)
    ) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.remove(oldest, entry);
    }
    this.entries.set(key, { value, version, readAtMs: nowMs, bytes });
    this.bytes += bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The bytes kept, as `set` was told them. */
  get keptBytes(): number {
    return this.bytes;
  }

  private remove(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
