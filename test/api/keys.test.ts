import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hashApiKeySecret } from "../../src/security/api-key-secret.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("API keys", () => {
  let t: TestServer;
  let test: { accountId: string; secret: string; keyId: string };
  before(async () => {
    t = await startTestServer();
    test = await t.newAccount("test");
  });
  after(() => t.close());

  it("creates a key in the caller's environment and shows its secret once", async () => {
    const res = await request(t.url, "/api/v1/keys", {
      method: "POST",
      key: test.secret,
      json: { name: "CRM sync" },
    });
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^key_[0-9A-Za-z]{24}$/);
    assert.equal(res.body.object, "api_key");
    assert.equal(res.body.name, "CRM sync");
    assert.equal(res.body.environment, "test");
    assert.match(res.body.secret, /^sk_test_[0-9A-Za-z]{32}$/);
    assert.equal(res.body.last4, res.body.secret.slice(-4));
    assert.equal(res.body.createdAt, t.clock.now().toISOString());
    assert.equal(res.body.lastUsedAt, null);
    assert.equal(res.body.revokedAt, null);

    const used = await request(t.url, "/api/v1/keys", { key: res.body.secret });
    assert.equal(used.status, 200);
    const listed = used.body.data.find((k: { id: string }) => k.id === res.body.id);
    assert.equal(listed.secret, undefined);
    assert.equal(listed.lastUsedAt, t.clock.now().toISOString());
  });

  it("stores only a hash of the secret", async () => {
    const res = await request(t.url, "/api/v1/keys", { method: "POST", key: test.secret });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, null);
    const row = await t.app.database.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", res.body.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.secret_hash, hashApiKeySecret(res.body.secret));
    assert.ok(!Object.values(row).includes(res.body.secret));
  });

  it("creates live keys from a live key", async () => {
    const { secret } = await t.newKey(test.accountId, "live");
    const res = await request(t.url, "/api/v1/keys", { method: "POST", key: secret, json: {} });
    assert.equal(res.status, 201);
    assert.equal(res.body.environment, "live");
    assert.match(res.body.secret, /^sk_live_/);
  });

  it("keeps lastUsedAt without writing on every request, and writes it in batches", async () => {
    const { secret, keyId } = await t.newKey(test.accountId, "test");
    t.clock.advance(1000);
    await request(t.url, "/api/v1/keys", { key: secret });
    const stored = () =>
      t.app.database.db
        .selectFrom("api_keys")
        .select("last_used_at")
        .where("id", "=", keyId)
        .executeTakeFirstOrThrow();
    assert.equal((await stored()).last_used_at, null);
    await t.app.lastUsed.flush();
    assert.equal((await stored()).last_used_at, t.clock.now().toISOString());
  });

  it("lists newest first with a cursor", async () => {
    const account = await t.newAccount("test");
    const ids = [account.keyId];
    for (let i = 0; i < 4; i++) {
      t.clock.advance(1000);
      ids.push((await t.newKey(account.accountId, "test")).keyId);
    }
    const first = await request(t.url, "/api/v1/keys?limit=2", { key: account.secret });
    assert.equal(first.status, 200);
    assert.equal(first.body.object, "list");
    assert.deepEqual(
      first.body.data.map((k: { id: string }) => k.id),
      [ids[4], ids[3]],
    );
    assert.equal(first.body.hasMore, true);
    assert.equal(first.body.nextCursor, ids[3]);
    const second = await request(t.url, `/api/v1/keys?limit=2&after=${first.body.nextCursor}`, {
      key: account.secret,
    });
    assert.deepEqual(
      second.body.data.map((k: { id: string }) => k.id),
      [ids[2], ids[1]],
    );
    const third = await request(t.url, `/api/v1/keys?limit=2&after=${second.body.nextCursor}`, {
      key: account.secret,
    });
    assert.deepEqual(
      third.body.data.map((k: { id: string }) => k.id),
      [ids[0]],
    );
    assert.equal(third.body.hasMore, false);
    assert.equal(third.body.nextCursor, null);
    const all = await request(t.url, "/api/v1/keys", { key: account.secret });
    assert.equal(all.body.data.length, 5);
  });

  it("orders keys created in the same millisecond consistently", async () => {
    const account = await t.newAccount("test");
    for (let i = 0; i < 5; i++) await t.newKey(account.accountId, "test");
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const page = await request(t.url, `/api/v1/keys?limit=2${cursor}`, { key: account.secret });
      seen.push(...page.body.data.map((k: { id: string }) => k.id));
      if (!page.body.hasMore) break;
      cursor = `&after=${page.body.nextCursor}`;
    }
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6);
  });

  it("validates list parameters", async () => {
    for (const [query, code, param] of [
      ["limit=0", "parameter_invalid", "limit"],
      ["limit=101", "parameter_invalid", "limit"],
      ["limit=ten", "parameter_invalid", "limit"],
      ["after=key_doesnotexist", "invalid_cursor", "after"],
      ["colour=red", "parameter_unknown", "colour"],
    ]) {
      const res = await request(t.url, `/api/v1/keys?${query}`, { key: test.secret });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, code, query);
      assert.equal(res.body.error.param, param, query);
    }
  });

  it("revokes at once, idempotently", async () => {
    const { keyId, secret } = await t.newKey(test.accountId, "test");
    t.clock.advance(5000);
    const revoked = await request(t.url, `/api/v1/keys/${keyId}`, {
      method: "DELETE",
      key: test.secret,
    });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.id, keyId);
    assert.equal(revoked.body.revokedAt, t.clock.now().toISOString());
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 401);
    t.clock.advance(5000);
    const again = await request(t.url, `/api/v1/keys/${keyId}`, {
      method: "DELETE",
      key: test.secret,
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.revokedAt, revoked.body.revokedAt);
  });

  it("answers 404 for an unknown key id", async () => {
    const res = await request(t.url, "/api/v1/keys/key_nope", {
      method: "DELETE",
      key: test.secret,
    });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "api_key_not_found");
    assert.equal(res.body.error.param, "id");
  });

  it("isolates accounts and environments", async () => {
    const live = await t.newKey(test.accountId, "live");
    const other = await t.newAccount("test");

    const testList = await request(t.url, "/api/v1/keys?limit=100", { key: test.secret });
    const liveList = await request(t.url, "/api/v1/keys?limit=100", { key: live.secret });
    const otherList = await request(t.url, "/api/v1/keys?limit=100", { key: other.secret });
    const ids = (res: typeof testList) =>
      res.body.data.map((k: { id: string }) => k.id) as string[];
    assert.ok(ids(testList).includes(test.keyId));
    assert.ok(!ids(testList).includes(live.keyId));
    assert.ok(!ids(testList).includes(other.keyId));
    assert.ok(ids(liveList).includes(live.keyId));
    assert.ok(ids(liveList).every((id) => !ids(testList).includes(id)));
    assert.deepEqual(ids(otherList), [other.keyId]);
    for (const res of [liveList])
      assert.ok(res.body.data.every((k: { environment: string }) => k.environment === "live"));

    // Another environment's or account's key is not found, and stays usable.
    for (const [caller, target] of [
      [test.secret, live.keyId],
      [live.secret, test.keyId],
      [other.secret, test.keyId],
      [test.secret, other.keyId],
    ] as const) {
      const res = await request(t.url, `/api/v1/keys/${target}`, { method: "DELETE", key: caller });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, "api_key_not_found");
    }
    for (const secret of [test.secret, live.secret, other.secret]) {
      assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
    }
    // A cursor from another scope is no cursor at all.
    const foreign = await request(t.url, `/api/v1/keys?after=${other.keyId}`, { key: test.secret });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error.code, "invalid_cursor");
  });

  it("validates the body", async () => {
    const cases: [unknown, string, string][] = [
      [{ name: 5 }, "parameter_invalid", "name"],
      [{ name: "" }, "parameter_invalid", "name"],
      [{ name: "x".repeat(201) }, "parameter_invalid", "name"],
      [{ nmae: "typo" }, "parameter_unknown", "nmae"],
      [["name"], "parameter_invalid", "body"],
      ["just text", "parameter_invalid", "body"],
    ];
    for (const [json, code, param] of cases) {
      const res = await request(t.url, "/api/v1/keys", { method: "POST", key: test.secret, json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.equal(res.body.error.type, "invalid_request_error");
      assert.equal(res.body.error.code, code, JSON.stringify(json));
      assert.equal(res.body.error.param, param, JSON.stringify(json));
    }
  });
});
