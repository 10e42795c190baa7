import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generateApiKeySecret,
  hashApiKeySecret,
  hashesEqual,
  parseApiKeySecret,
} from "../../src/security/api-key-secret.js";
import { newId, newIdIn, newOrderedId, randomBase62 } from "../../src/security/random.js";

describe("random identifiers and secrets", () => {
  it("draws base62 characters evenly", () => {
    const sample = randomBase62(62 * 2000);
    const counts = new Map<string, number>();
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 62);
    for (const count of counts.values()) assert.ok(count > 1600 && count < 2400, `count ${count}`);
  });

  it("prefixes ids and never repeats them", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("key")));
    assert.equal(ids.size, 10_000);
    for (const id of ids) assert.match(id, /^key_[0-9A-Za-z]{24}$/);
  });

  it("orders internal ids by their time, and keeps them unique", () => {
    const times = [0, 1, 61, 62, 1_700_000_000_000, Date.now(), 253_402_300_799_000];
    const ordered = times.map((ms) => newOrderedId("job", ms));
    for (const id of ordered) assert.match(id, /^job_[0-9A-Za-z]{24}$/);
    // Byte order, as SQLite compares text: later ids sort after.
    assert.deepEqual([...ordered].sort(), ordered);
    const sameMs = new Set(Array.from({ length: 10_000 }, () => newOrderedId("ntf", 5)));
    assert.equal(sameMs.size, 10_000);
  });

  it("gives the ids of one transaction a random head of their own, and each id its own rest", () => {
    const first = { isTransaction: true };
    const second = { isTransaction: true };
    const ids = Array.from({ length: 10_000 }, (_, n) => newIdIn(first, n % 2 ? "rcp" : "fld"));
    for (const id of ids) assert.match(id, /^(rcp|fld)_[0-9A-Za-z]{24}$/);
    assert.equal(new Set(ids).size, 10_000);
    const head = (id: string) => id.slice(4, 12);
    assert.equal(new Set(ids.map(head)).size, 1, "one head in a transaction");
    assert.equal(new Set(ids.map((id) => id.slice(12))).size, 10_000);
    // Heads are drawn anew for each transaction (two alike: one chance in 62^8).
    assert.notEqual(head(newIdIn(second, "rcp")), head(ids[0]!));
    // Outside a transaction, every id is wholly its own.
    const outside = { isTransaction: false };
    const heads = new Set(Array.from({ length: 100 }, () => head(newIdIn(outside, "evt"))));
    assert.equal(heads.size, 100);
  });

  it("makes API key secrets the contract's shape", () => {
    const secret = generateApiKeySecret("live");
    assert.match(secret, /^sk_live_[0-9A-Za-z]{32}$/);
    assert.equal(parseApiKeySecret(secret), "live");
    assert.equal(parseApiKeySecret(generateApiKeySecret("test")), "test");
  });

  it("rejects malformed secrets", () => {
    for (const bad of [
      "",
      "sk_test_short",
      "sk_prod_aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "pk_test_aaaaaaaaaaaaaaaaaaaaaaaa",
      "sk_test_aaaaaaaaaaaaaaaaaaaaaaa!",
      " sk_test_aaaaaaaaaaaaaaaaaaaaaaaa",
    ]) {
      assert.equal(parseApiKeySecret(bad), undefined, bad);
    }
  });

  it("hashes deterministically and compares in constant time", () => {
    const secret = generateApiKeySecret("test");
    const hash = hashApiKeySecret(secret);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.ok(hashesEqual(hash, hashApiKeySecret(secret)));
    assert.ok(!hashesEqual(hash, hashApiKeySecret(`${secret}x`)));
    assert.ok(!hashesEqual(hash, "abcd"));
  });
});
