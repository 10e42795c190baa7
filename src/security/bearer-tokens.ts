import { createHash } from "node:crypto";
import { randomBase62 } from "./random.js";

/** A token a person carries (a session cookie, a sign-in link): 43 base62 characters, 256 bits. */
export function newBearerToken(): string {
  return randomBase62(43);
}

/**
 * Stored, and looked up, by this hash only: whoever reads the database cannot use a token. 256
 * random bits leave nothing to brute-force, so a fast hash is enough.
 */
export function hashBearerToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
