import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { SigningTokens, toBase62 } from "../../src/security/signing-tokens.js";

/** The digits as BigInt arithmetic gives them: what every token sent so far was made with. */
function base62ByBigInt(bytes: Uint8Array, length = 43): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (out.length < length) {
    out += alphabet[Number(value % 62n)];
    value /= 62n;
  }
  return out;
}

describe("signing tokens", () => {
  it("are the digits BigInt arithmetic gives, for any 32 bytes", () => {
    const cases = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.from([1, ...Buffer.alloc(31)])];
    for (let i = 0; i < 2000; i++) cases.push(randomBytes(32));
    for (const bytes of cases) assert.equal(toBase62(bytes), base62ByBigInt(bytes));
  });

  it("are the same whether kept or derived again, and keep a bounded number", () => {
    const secret = randomBytes(32);
    const kept = new SigningTokens(secret, 3);
    const ids = ["rcp_a", "rcp_b", "rcp_c", "rcp_d", "rcp_e"];
    const first = ids.map((id) => kept.tokenFor(id));
    // Again, kept or not (the first two went when the fourth and fifth came): the same tokens
    // as a fresh instance derives.
    assert.deepEqual(
      ids.map((id) => kept.tokenFor(id)),
      first,
    );
    assert.deepEqual(
      ids.map((id) => new SigningTokens(secret).tokenFor(id)),
      first,
    );
    assert.equal((kept as unknown as { derived: Map<string, string> }).derived.size, 3);
    assert.notEqual(new SigningTokens(randomBytes(32)).tokenFor("rcp_a"), first[0]);
  });

  it("stay the tokens of links already sent", () => {
    // Made by the first implementation: a signing link sent then must still open.
    const tokens = new SigningTokens(Buffer.alloc(32, 7));
    assert.equal(tokens.tokenFor("rcp_known"), "h66h5QKS5wjYCS3tfmWo8HaJgiAzyIpmqwLKOBpOmkJ");
    assert.equal(
      tokens.tokenFor("rcp_Z1ucsqSZhpOgqiE9pndV1l9w"),
      "VDuikIzL3jg3UVyojj7TuuaRwdyUhC76vI335DMCWkY",
    );
  });
});
