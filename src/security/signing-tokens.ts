import { createHmac } from "node:crypto";
import { hashBearerToken } from "./bearer-tokens.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_LENGTH = 43;

function toBase62(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (out.length < TOKEN_LENGTH) {
    out += BASE62[Number(value % 62n)];
    value /= 62n;
  }
  return out;
}

/**
 * A recipient's signing token is derived from the server secret and the recipient id (HMAC,
 * 256 bits), so the API can show a recipient's `signUrl` again without the database ever
 * holding it: the database keeps only the token's SHA-256, which is how a token is looked up.
 */
export class SigningTokens {
  constructor(private readonly secret: Buffer) {}

  tokenFor(recipientId: string): string {
    return toBase62(
      createHmac("sha256", this.secret).update(`signing-token:v1:${recipientId}`).digest(),
    );
  }

  static hash(token: string): string {
    return hashBearerToken(token);
  }
}
