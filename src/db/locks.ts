import { type Kysely, sql } from "kysely";
import type { Dialect } from "./dialect.js";
import type { EnvelopesTable, Tables } from "./schema.js";

/**
 * The envelope's row, locked until the transaction ends, so that two changes of one envelope
 * (and their event chains) never interleave. SQLite serialises writers already.
 */
export async function lockEnvelope(
  trx: Kysely<Tables>,
  dialect: Dialect,
  envelopeId: string,
): Promise<EnvelopesTable | undefined> {
  let query = trx.selectFrom("envelopes").selectAll().where("id", "=", envelopeId);
  if (dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * The rows of the envelopes `ids` that exist, locked as `lockEnvelope` locks one, in the order of
 * their ids: two transactions locking envelopes in turn never each hold one the other waits for.
 */
export async function lockEnvelopes(
  trx: Kysely<Tables>,
  dialect: Dialect,
  ids: readonly string[],
): Promise<Pick<EnvelopesTable, "id" | "status">[]> {
  if (ids.length === 0) return [];
  let query = trx
    .selectFrom("envelopes")
    .select(["id", "status"])
    .where("id", "in", ids)
    .orderBy("id");
  if (dialect === "postgres") query = query.forUpdate();
  return query.execute();
}

/** The first key of the blob locks: their own space among PostgreSQL's advisory locks. */
const BLOB_LOCK_SPACE = 0x626c6f62; // "blob"

/**
 * The stored file `sha256`, locked until the transaction ends, so that keeping it (the row that
 * references it and its bytes) and removing it (no row references it, then the bytes) never
 * interleave. Files are shared by content across accounts, so the lock is per hash, not per row:
 * a PostgreSQL transaction-scoped advisory lock on (space, first 32 bits of the hash). SQLite
 * serialises writers already: every transaction begins immediate.
 */
export async function lockBlob(
  trx: Kysely<Tables>,
  dialect: Dialect,
  sha256: string,
): Promise<void> {
  if (dialect !== "postgres") return;
  const key = Number.parseInt(sha256.slice(0, 8), 16) | 0;
  await sql`select pg_advisory_xact_lock(${BLOB_LOCK_SPACE}::int4, ${key}::int4)`.execute(trx);
}

/** The first key of the job-lane locks. */
const LANE_LOCK_SPACE = 0x6c616e65; // "lane"

/**
 * A job lane (a webhook endpoint's deliveries), locked until the transaction ends, so that two
 * transactions never both make a job the lane's first. SQLite serialises writers already.
 */
export async function lockLane(trx: Kysely<Tables>, dialect: Dialect, lane: string): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`select pg_advisory_xact_lock(${LANE_LOCK_SPACE}::int4, hashtext(${lane}))`.execute(trx);
}
