import { randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * CSPRNG bytes drawn a few kilobytes at a time: one system call per thousand ids rather than one
 * per id (every request gets one). Each byte is used once.
 */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function randomByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++]!;
}

/** Uniformly random base62 text from the CSPRNG (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    // 248 = 4 * 62: bytes at or above it would favour the first characters.
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

/** 24 base62 characters carry about 143 bits: unguessable and collision-free in practice. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(24)}`;
}

/** Characters shared by the ids of one transaction's rows (`newIdIn`), random as the rest. */
const GROUP_LENGTH = 8;
const groupHeads = new WeakMap<object, string>();

/**
 * `newId` for a row written in `trx`: as random, but the ids `trx` makes share their first
 * `GROUP_LENGTH` characters (about 48 bits, drawn once per transaction; the other 16, about 95
 * bits, are each id's own). The rows one write creates (an envelope's recipients and fields, an
 * action's events and their deliveries) then sit together in each index on their ids: one page
 * of SQLite's log for the lot at commit, not a page per row anywhere in the index. Ids still say
 * nothing of when they were made, and another tenant's never share a head with these. Outside a
 * transaction, a plain `newId`.
 */
export function newIdIn(trx: { readonly isTransaction: boolean }, prefix: string): string {
  if (!trx.isTransaction) return newId(prefix);
  let head = groupHeads.get(trx);
  if (head === undefined) {
    head = randomBase62(GROUP_LENGTH);
    groupHeads.set(trx, head);
  }
  return `${prefix}_${head}${randomBase62(24 - GROUP_LENGTH)}`;
}

/** Characters of an ordered id that tell its time: base62 milliseconds, enough until year 8000. */
const TIME_LENGTH = 8;

/** `ms` in base62, `TIME_LENGTH` characters: they sort as the times do. */
function base62Time(ms: number): string {
  let out = "";
  for (let rest = Math.floor(ms); out.length < TIME_LENGTH; rest = Math.floor(rest / 62))
    out = BASE62[rest % 62] + out;
  return out;
}

/**
 * An id of a row the API does not name (a job, a notification): 24 base62 characters, the
 * creation time in milliseconds, then 16 random ones (about 95 bits: collision-free in practice).
 * Ids made later sort after (SQLite compares bytes), so the indexes on them grow at their end:
 * a transaction inserting several rows writes one page of each, not a page per row anywhere in
 * it (each page a transaction changes costs SQLite a page of its log). The API's own ids stay
 * wholly random, as its contract says.
 */
export function newOrderedId(prefix: string, nowMs = Date.now()): string {
  return `${prefix}_${base62Time(nowMs)}${randomBase62(24 - TIME_LENGTH)}`;
}
