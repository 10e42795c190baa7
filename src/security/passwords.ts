import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * scrypt with N = 2^15, r = 8, p = 1 (32 MiB, ~50–100 ms on one core), run on libuv's pool, not
 * on the thread serving HTTP. Stored as `scrypt$N$r$p$salt$hash`, base64url, so that the cost can
 * rise later while older hashes still verify.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const maxmem = (N: number, r: number) => 128 * N * r * 2;

export const PASSWORD_MIN = 12;
/** Longer is refused before hashing: a password's cost to check must stay bounded. */
export const PASSWORD_MAX = 256;

function derive(password: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_BYTES,
      { ...cost, maxmem: maxmem(cost.N, cost.r) },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  const { N, r, p } = COST;
  return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** A hash no password matches, checked when there is no user: as slow as a real check. */
const NOBODY = `scrypt$${COST.N}$${COST.r}$${COST.p}$${randomBytes(16).toString("base64url")}$${randomBytes(KEY_BYTES).toString("base64url")}`;

/**
 * Whether `password` is the one of `stored`; `stored` null (no such user, or no password set)
 * is checked against a hash nobody has, so that the answer takes the same time either way.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (password.length > PASSWORD_MAX) return false;
  const parts = (stored ?? NOBODY).split("$");
  const [scheme, N, r, p, salt, hash] = parts;
  if (scheme !== "scrypt" || parts.length !== 6 || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
