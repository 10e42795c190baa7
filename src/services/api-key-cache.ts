import { appendFileSync, closeSync, fstatSync, openSync, readSync } from "node:fs";
import { PRIVATE_FILE_MODE } from "../security/private-files.js";
import { VersionedCache } from "./versioned-cache.js";

/** The file, in the data directory beside the SQLite database, that key changes grow. */
export const API_KEY_CHANGES_FILE_NAME = "certyneo.sqlite-key-changes";

/**
 * The keys an instance on SQLite has read to authenticate requests, kept between requests, and a
 * file beside the database that grows by one byte each time a key changes (revoked, rate limit
 * set) through any instance or the CLI: every instance on that database is on this host and
 * shares the file. Before each lookup an instance reads one byte past the file's size as it last
 * knew it (one `pread`, under a microsecond, where reading the key's row costs ten or more) and
 * uses a kept key only if the file has not grown since that key was read. So a change committed
 * and signalled before its response is refused by the next request on every instance.
 *
 * A change made another way (an operator's SQL by hand, a crash between a revocation's commit and
 * its signal) is seen once the kept key is `maxAgeMs` old; an instance signals at start, for the
 * case where it crashed before. The file is one of the database's own, as its `-wal` and `-shm`
 * are: deleted while instances run, it would leave them the age limit alone.
 */
export class ApiKeyCache<Row> {
  private readonly entries: VersionedCache<Row>;
  private readonly fd: number;
  /** The file's size as last read: it only grows. */
  private fileSize: number;
  private readonly probe = Buffer.alloc(1);

  constructor(
    private readonly file: string,
    maxEntries = 10_000,
    maxAgeMs = 60_000,
  ) {
    this.entries = new VersionedCache({ maxEntries, maxAgeMs });
    this.changed();
    this.fd = openSync(file, "r");
    this.fileSize = fstatSync(this.fd).size;
  }

  /** The file's size now: read before the database, and given back to `get` and `set`. */
  version(): number {
    if (readSync(this.fd, this.probe, 0, 1, this.fileSize) > 0)
      this.fileSize = fstatSync(this.fd).size;
    return this.fileSize;
  }

  /** The row kept for `hash`, if it was read under `version` less than `maxAgeMs` ago. */
  get(hash: string, version: number, nowMs: number): Row | undefined {
    return this.entries.get(hash, version, nowMs);
  }

  /** Keeps `row`, read after `version` was. The oldest kept key makes room for a new one. */
  set(hash: string, row: Row, version: number, nowMs: number): void {
    this.entries.set(hash, row, version, nowMs);
  }

  /** Tells every instance that a key changed: call it after the change is committed. */
  changed(): void {
    this.entries.clear();
    appendFileSync(this.file, "\n", { mode: PRIVATE_FILE_MODE });
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    this.entries.clear();
    closeSync(this.fd);
  }
}
