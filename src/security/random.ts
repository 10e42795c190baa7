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
