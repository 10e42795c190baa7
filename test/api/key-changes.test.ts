import assert from "node:assert/strict";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiKeyCache } from "../../src/services/api-key-cache.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

// An instance on SQLite keeps the keys it has read (`ApiKeyCache`); on PostgreSQL every request
// reads its key. Either way, what one instance changes, the others apply on their next request.
describe("a key changed on another instance", () => {
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    first = await startTestServer();
    second = await startTestServer({ database: first.database });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it("is refused by the other instance's next request once revoked", async () => {
    const { accountId, secret, keyId } = await first.newAccount();
    const admin = await first.newKey(accountId, "test");
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(second.url, "/api/v1/keys", { key: secret })).status, 200);
    }
    const revoked = await request(first.url, `/api/v1/keys/${keyId}`, {
      method: "DELETE",
      key: admin.secret,
    });
    assert.equal(revoked.status, 200);
    const refused = await request(second.url, "/api/v1/keys", { key: secret });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, "api_key_invalid");
    // The other key of the account is unaffected.
    assert.equal((await request(second.url, "/api/v1/keys", { key: admin.secret })).status, 200);
  });

  it("is held to a rate limit set on the other instance from the next request", async () => {
    const { secret, keyId } = await first.newAccount();
    const before = await request(second.url, "/api/v1/keys", { key: secret });
    assert.equal(before.headers.get("x-ratelimit-limit"), "200");
    await first.app.keys.setRateLimit(keyId, { perMinute: 60, burst: 7 });
    const after = await request(second.url, "/api/v1/keys", { key: secret });
    assert.equal(after.headers.get("x-ratelimit-limit"), "7");
  });
});

describe("ApiKeyCache", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-key-cache-"));
    file = path.join(dir, "changes");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("keeps a row only under the version it was read after, and not past its age", () => {
    const cache = new ApiKeyCache<string>(file, 10, 1000);
    const version = cache.version();
    cache.set("a", "row a", version, 0);
    assert.equal(cache.get("a", version, 999), "row a");
    assert.equal(cache.get("a", version, 1000), undefined, "too old");
    cache.set("a", "row a", version, 0);
    // Another instance's start (or change) grows the file: what was read before it is not used.
    const other = new ApiKeyCache<string>(file);
    other.close();
    assert.notEqual(cache.version(), version);
    assert.equal(cache.get("a", cache.version(), 1), undefined);
    assert.equal(cache.size, 0);
    cache.close();
  });

  it("forgets every row at a change of its own", () => {
    const cache = new ApiKeyCache<string>(file);
    const version = cache.version();
    cache.set("a", "row a", version, 0);
    cache.changed();
    assert.equal(cache.size, 0);
    cache.close();
  });

  it("holds at most its bound, dropping the oldest", () => {
    const cache = new ApiKeyCache<string>(file, 2);
    const version = cache.version();
    for (const hash of ["a", "b", "c"]) cache.set(hash, `row ${hash}`, version, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("a", version, 0), undefined);
    assert.equal(cache.get("c", version, 0), "row c");
    cache.close();
  });

  it("sees the file grow through its path, by another process's append", async () => {
    const cache = new ApiKeyCache<string>(file);
    const version = cache.version();
    assert.equal(cache.version(), version, "the same while nothing changes");
    cache.set("a", "row a", version, 0);
    await appendFile(file, "\n");
    assert.equal(cache.version(), version + 1);
    assert.equal(cache.get("a", cache.version(), 0), undefined);
    cache.close();
  });
});
