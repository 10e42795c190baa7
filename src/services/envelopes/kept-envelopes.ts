import type { EnvelopeWithParts } from "../../db/envelope-with-parts.js";
import type { SqliteCommits } from "../../db/sqlite-commits.js";
import type { Scope } from "../../domain/environment.js";
import { VersionedCache } from "../versioned-cache.js";

const MAX_ENVELOPES = 10_000;
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * The envelopes an instance on SQLite has read (their rows, with their documents, recipients and
 * fields), kept between requests while nothing is committed to the database: by any connection,
 * this instance's or another's (`SqliteCommits`). So a change is seen by the next read on every
 * instance of the host, whichever wrote it, as if nothing were kept; and a kept envelope costs a
 * `pread` where reading it costs its statement and the parsing of its parts (half of an envelope
 * GET's CPU, measured).
 *
 * The rows are kept, not the `Envelope` made of them: each read makes its own, which its caller
 * may change.
 */
export class KeptEnvelopes {
  private readonly kept = new VersionedCache<EnvelopeWithParts>({
    maxEntries: MAX_ENVELOPES,
    maxBytes: MAX_BYTES,
  });

  constructor(private readonly commits: SqliteCommits) {}

  /** Envelope `id` of `scope`: kept, if nothing was committed since it was, else `load`ed. */
  async read(
    scope: Scope,
    id: string,
    load: () => Promise<EnvelopeWithParts | undefined>,
  ): Promise<EnvelopeWithParts | undefined> {
    const version = this.commits.version();
    const kept = this.kept.get(id, version);
    if (
      kept &&
      kept.envelope.account_id === scope.accountId &&
      kept.envelope.environment === scope.environment
    )
      return kept;
    const found = await load();
    if (found) this.kept.set(id, found, version, 0, bytesOf(found));
    return found;
  }

  get size(): number {
    return this.kept.size;
  }

  close(): void {
    this.kept.clear();
    this.commits.close();
  }
}

/**
 * The envelopes an instance on PostgreSQL has read outside a transaction (with a key's statement,
 * `ENVELOPE_OF_KEY`, or alone), kept with their revision, which every committed change of an
 * envelope or its parts moves forward (`0018_envelope_revisions`). The read is given the revision
 * kept and reads the parts again only if it moved: so a change on any instance is seen by the
 * next read on every one, and an envelope unchanged costs PostgreSQL its row, not its parts.
 */
export class RevisedEnvelopes {
  private readonly kept = new VersionedCache<EnvelopeWithParts>({
    maxEntries: MAX_ENVELOPES,
    maxBytes: MAX_BYTES,
  });

  /** The revision of envelope `id` kept here, -1 if none (revisions start at 0). */
  revisionOf(id: string): number {
    return this.kept.versionOf(id) ?? -1;
  }

  /** Envelope `id` if it is kept at `revision`. */
  get(id: string, revision: number): EnvelopeWithParts | undefined {
    return this.kept.get(id, revision);
  }

  set(id: string, found: EnvelopeWithParts, revision: number): void {
    this.kept.set(id, found, revision, 0, bytesOf(found));
  }

  get size(): number {
    return this.kept.size;
  }
}

/**
 * About what `found` holds in memory: its text three times over (its parts as read, as parsed,
 * and what a string costs beyond its characters), and a little for the rest.
 */
function bytesOf(found: EnvelopeWithParts): number {
  let characters = 0;
  for (const value of Object.values(found.envelope))
    if (typeof value === "string") characters += value.length;
  return 3 * characters + 1024;
}
