import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("authentication", () => {
  let t: TestServer;
  let secret: string;
  let keyId: string;
  before(async () => {
    t = await startTestServer();
    ({ secret, keyId } = await t.newAccount("test"));
  });
  after(() => t.close());

  const cases: [string, Record<string, string>, string][] = [
    ["no Authorization header", {}, "api_key_missing"],
    ["another scheme", { authorization: "Basic dXNlcjpwYXNz" }, "authorization_header_malformed"],
    ["Bearer without a key", { authorization: "Bearer " }, "authorization_header_malformed"],
    ["two tokens", { authorization: "Bearer a b" }, "authorization_header_malformed"],
    ["a key too short", { authorization: "Bearer sk_test_abc" }, "api_key_malformed"],
    [
      "an unknown environment",
      { authorization: "Bearer sk_prod_aaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
      "api_key_malformed",
    ],
    [
      "a publishable-looking key",
      { authorization: "Bearer pk_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
      "api_key_malformed",
    ],
    [
      "an unknown key",
      { authorization: "Bearer sk_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
      "api_key_invalid",
    ],
  ];
  for (const [name, headers, code] of cases) {
    it(`answers 401 ${code} for ${name}`, async () => {
      const res = await request(t.url, "/api/v1/keys", { headers });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.type, "authentication_error");
      assert.equal(res.body.error.code, code);
      assert.match(res.body.error.message, /\S/);
      assert.equal(res.body.error.requestId, res.headers.get("x-request-id"));
      assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="certyneo"');
      assert.equal(res.headers.get("x-ratelimit-limit"), null);
    });
  }

  it("answers 401 for a live key's secret presented as a test key", async () => {
    const live = await t.newKey(await accountOfKey(), "live");
    const forged = live.secret.replace("sk_live_", "sk_test_");
    const res = await request(t.url, "/api/v1/keys", { key: forged });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "api_key_invalid");
  });

  it("accepts a valid key, in any case of the scheme", async () => {
    const res = await request(t.url, "/api/v1/keys", {
      headers: { authorization: `bearer ${secret}` },
    });
    assert.equal(res.status, 200);
  });

  it("refuses a revoked key on the very next request", async () => {
    const { secret: doomed, keyId: doomedId } = await t.newKey(await accountOfKey(), "test");
    const created = await request(t.url, "/api/v1/keys", {
      method: "POST",
      key: doomed,
      json: { name: "temp" },
    });
    assert.equal(created.status, 201);
    const revoked = await request(t.url, `/api/v1/keys/${created.body.id}`, {
      method: "DELETE",
      key: doomed,
    });
    assert.equal(revoked.status, 200);
    const res = await request(t.url, "/api/v1/keys", { key: created.body.secret });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "api_key_invalid");
    // A key may revoke itself; the request that does it still succeeds, the next one does not.
    const list = await request(t.url, "/api/v1/keys", { key: doomed });
    assert.equal(list.status, 200);
    assert.ok(list.body.data.some((k: { id: string }) => k.id === doomedId));
    assert.equal(
      (await request(t.url, `/api/v1/keys/${doomedId}`, { method: "DELETE", key: doomed })).status,
      200,
    );
    assert.equal((await request(t.url, "/api/v1/keys", { key: doomed })).status, 401);
  });

  it("needs no key for the OpenAPI document and the health checks", async () => {
    for (const path of ["/api/v1/openapi.json", "/healthz", "/readyz"]) {
      assert.equal((await request(t.url, path)).status, 200, path);
    }
  });

  async function accountOfKey(): Promise<string> {
    const key = await t.app.keys.findForOperator(keyId);
    assert.ok(key);
    return key.accountId;
  }
});
