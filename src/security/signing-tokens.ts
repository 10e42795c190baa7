import { createHmac } from "node:crypto";
import { hashBearerToken } from "./bearer-tokens.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_LENGTH = 43;

/**
 * The first `TOKEN_LENGTH` base62 digits of `bytes` read as one big-endian number, least
 * significant first: long division of its 32-bit limbs (exact in doubles: a remainder times 2^32
 * stays below 2^38), where BigInt arithmetic allocated about 4 KB a token, and every envelope
 * read derives its recipients' tokens.
 */
export function toBase62(bytes: Uint8Array): string {
  const limbs: number[] = [];
  for (let end = bytes.length; end > 0; end -= 4) {
    let limb = 0;
    for (let i = Math.max(0, end - 4); i < end; i++) limb = limb * 256 + bytes[i]!;
    limbs.unshift(limb);
  }
  let out = "";
  for (let n = 0; n < TOKEN_LENGTH; n++) {
    let remainder = 0;
    for (let i = 0; i < limbs.length; i++) {
      const value = remainder * 0x1_0000_0000 + limbs[i]!;
      const quotient = Math.floor(value / 62);
      limbs[i] = quotient;
      remainder = value - quotient * 62;
    }
    out += BASE62[remainder];
  }
  return out;
}

/**
 * A recipient's signing token is derived from the server secret and the recipient id (HMAC,
 * 256 bits), so the API can show a recipient's `signUrl` again without the database ever
 * holding it: the database keeps only the token's SHA-256, which is how a token is looked up.
 */
export class SigningTokens {
  /**
   * Tokens derived lately, by recipient id: a send derives each token twice (its hash, then the
   * response's links) and every read of an envelope derives them again. Kept in memory only, as
   * the secret they come from is.
   */
  private readonly derived = new Map<string, string>();

  constructor(
    private readonly secret: Buffer,
    private readonly maxKept = 10_000,
  ) {}

  tokenFor(recipientId: string): string {
    const kept = this.derived.get(recipientId);
    if (kept !== undefined) return kept;
    const token = toBase62(
      createHmac("sha256", this.secret).update(`signing-token:v1:${recipientId}`).digest(),
    );
    // The first kept is the first to go: no reordering on a hit, which a send's second use and
    // a client reading an envelope it just wrote do not need.
    if (this.derived.size >= this.maxKept) this.derived.delete(this.derived.keys().next().value!);
    this.derived.set(recipientId, token);
    return token;
  }

  static hash(token: string): string {
    return hashBearerToken(token);
  }
}
