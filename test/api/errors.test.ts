import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const ERROR_KEYS = ["code", "message", "param", "requestId", "type"];

function assertErrorShape(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json; charset=utf-8/);
  assert.deepEqual(Object.keys(res.body), ["error"]);
  for (const key of Object.keys(res.body.error)) assert.ok(ERROR_KEYS.includes(key), key);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, "string");
  assert.match(res.body.error.requestId, /^req_[0-9A-Za-z]{24}$/);
  assert.equal(res.body.error.requestId, res.headers.get("x-request-id"));
}

describe("errors and request ids", () => {
  let t: TestServer;
  let secret: string;
  before(async () => {
    t = await startTestServer({
      env: { CERTYNEO_BODY_LIMIT: "2048" },
      beforeListen(server) {
        server.get("/api/v1/test-failure", async () => {
          throw new Error("database password is hunter2 at /srv/app.js:12");
        });
      },
    });
    ({ secret } = await t.newAccount());
  });
  after(() => t.close());

  it("answers an unknown route with 404 route_not_found", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["GET", "/api/v1/nothing-here"],
      ["PUT", "/api/v1/keys"],
      ["POST", "/api/v2/keys"],
    ] as const) {
      const res = await request(t.url, path, { method, key: secret });
      assertErrorShape(res, 404, "route_not_found");
      assert.equal(res.body.error.type, "invalid_request_error");
      assert.match(res.body.error.message, new RegExp(`${method} ${path}`));
    }
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    for (const body of ['{"name":', "{'name': 'x'}", "[1,2", '{"__proto__": {"admin": true}}']) {
      const res = await request(t.url, "/api/v1/keys", {
        method: "POST",
        key: secret,
        body,
        headers: { "content-type": "application/json" },
      });
      assertErrorShape(res, 400, "invalid_json");
    }
  });

  it("answers a wrong content type with 415", async () => {
    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded"]) {
      const res = await request(t.url, "/api/v1/keys", {
        method: "POST",
        key: secret,
        body: "name=x",
        headers: { "content-type": type },
      });
      assertErrorShape(res, 415, "unsupported_media_type");
    }
  });

  it("answers a body over the limit with 413", async () => {
    const res = await request(t.url, "/api/v1/keys", {
      method: "POST",
      key: secret,
      json: { name: "x".repeat(4096) },
    });
    assertErrorShape(res, 413, "body_too_large");
  });

  it("accepts an empty body, whatever its content type", async () => {
    const headerSets: Record<string, string>[] = [
      {},
      { "content-type": "application/json" },
      { "content-type": "text/plain" },
    ];
    for (const headers of headerSets) {
      const res = await request(t.url, "/api/v1/keys", {
        method: "POST",
        key: secret,
        body: "",
        headers,
      });
      assert.equal(res.status, 201);
    }
  });

  it("never shows a stack trace or internal detail in a 500", async () => {
    const res = await request(t.url, "/api/v1/test-failure", { key: secret });
    assertErrorShape(res, 500, "internal_error");
    assert.equal(res.body.error.type, "api_error");
    const text = JSON.stringify(res.body);
    assert.ok(!/hunter2|\.js|at /.test(text), text);
  });

  it("puts a unique X-Request-Id on every response", async () => {
    const responses = await Promise.all([
      request(t.url, "/healthz"),
      request(t.url, "/api/v1/keys", { key: secret }),
      request(t.url, "/api/v1/keys"),
      request(t.url, "/nope"),
      request(t.url, "/api/v1/openapi.json"),
      request(t.url, "/docs"),
    ]);
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    for (const id of ids) assert.match(id ?? "", /^req_[0-9A-Za-z]{24}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("sends protective headers; API answers are never cached", async () => {
    for (const path of ["/api/v1/keys", "/api/v1/openapi.json", "/nope", "/healthz"]) {
      const res = await request(t.url, path, { key: secret });
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    }
    const api = await request(t.url, "/api/v1/keys", { method: "POST", key: secret });
    assert.equal(api.headers.get("cache-control"), "no-store");
  });

  it("ignores a client's X-Request-Id", async () => {
    const res = await request(t.url, "/healthz", {
      headers: { "x-request-id": "client-chosen-id" },
    });
    assert.match(res.headers.get("x-request-id") ?? "", /^req_/);
  });
});

describe("health checks", () => {
  it("reports liveness and database readiness", async () => {
    const t = await startTestServer();
    try {
      assert.deepEqual((await request(t.url, "/healthz")).body, { status: "ok" });
      assert.deepEqual((await request(t.url, "/readyz")).body, { status: "ok" });
      await t.app.database.close();
      const down = await request(t.url, "/readyz");
      assert.equal(down.status, 503);
      assert.equal(down.body.status, "unavailable");
      assert.equal((await request(t.url, "/healthz")).status, 200);
    } finally {
      await t.server.close();
      await t.database.drop();
    }
  });
});
