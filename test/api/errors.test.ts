import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { makePdf } from "../helpers/pdf.js";
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
    for (const body of [
      '{"name":',
      "{'name': 'x'}",
      "[1,2",
      '{"__proto__": {"admin": true}}',
      `${"[".repeat(1000)}${"]".repeat(1000)}`,
    ]) {
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

  it("answers a malformed percent-encoding in the path with 400 invalid_url", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/envelopes/%E0%A4%A"],
      ["POST", "/api/v1/envelopes/%E0%A4%A/send"],
      ["DELETE", "/api/v1/webhooks/%ZZ"],
      ["POST", "/api/v1/signing/%C0%AF/sign"],
      ["GET", "/%"],
    ] as const) {
      const res = await request(t.url, path, { method, key: secret });
      assertErrorShape(res, 400, "invalid_url");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    }
  });

  it("answers a path segment longer than any id with 414 url_too_long", async () => {
    for (const path of [
      `/api/v1/envelopes/${"a".repeat(101)}`,
      `/api/v1/signing/${"t".repeat(500)}`,
    ]) {
      const res = await request(t.url, path, { key: secret });
      assertErrorShape(res, 414, "url_too_long");
    }
  });

  it("answers over-long headers and non-HTTP input in the error shape, then closes", async () => {
    const longUrl = `GET /api/v1/keys?${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const longHeader = `GET /api/v1/keys HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`;
    const manyHeaders = `GET /api/v1/keys HTTP/1.1\r\nHost: x\r\n${Array.from(
      { length: 2000 },
      (_, i) => `X-H${i}: ${i}\r\n`,
    ).join("")}\r\n`;
    for (const [payload, status, code] of [
      [longUrl, 431, "headers_too_large"],
      [longHeader, 431, "headers_too_large"],
      [manyHeaders, 431, "headers_too_large"],
      ["HELLO\r\n\r\n", 400, "malformed_request"],
      [
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        400,
        "malformed_request",
      ],
    ] as const) {
      const answer = await rawHttp(t.url, payload);
      const [head = "", text = ""] = answer.split("\r\n\r\n");
      const headers = new Headers(
        head
          .split("\r\n")
          .slice(1)
          .map((line) => line.split(/:\s*/, 2) as [string, string]),
      );
      assert.match(head, new RegExp(`^HTTP/1.1 ${status} `), code);
      assertErrorShape({ status, headers, body: JSON.parse(text) }, status, code);
      assert.equal(headers.get("connection"), "close");
    }
  });
});

/** Writes `payload` on a fresh connection and returns all the server answered. */
function rawHttp(baseUrl: string, payload: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(payload));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server closes after answering; a reset after the answer is fine.
      if (answer && error.code === "ECONNRESET") resolve(answer);
      else reject(error);
    });
    socket.on("close", () => resolve(answer));
  });
}

describe("malformed uploads", () => {
  let t: TestServer;
  let secret: string;
  let pdf: Buffer;
  before(async () => {
    t = await startTestServer();
    ({ secret } = await t.newAccount());
    pdf = await makePdf();
  });
  after(() => t.close());

  const documentCount = async () =>
    Number(
      (
        await t.app.database.db
          .selectFrom("documents")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function upload(contentType: string, body: string | Buffer | FormData) {
    const response = await fetch(`${t.url}/api/v1/documents`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${secret}`,
        ...(contentType && { "content-type": contentType }),
      },
      body,
    });
    const json: any = await response.json();
    return { status: response.status, headers: response.headers, body: json };
  }

  const filePart = (boundary: string, name = "file") =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;

  it("answers a broken multipart body with 400 invalid_multipart, storing nothing", async () => {
    const full = `${filePart("XX")}${pdf.toString("latin1")}\r\n--XX--\r\n`;
    for (const [contentType, body] of [
      ["multipart/form-data", "garbage"],
      ["multipart/form-data; boundary=", "garbage"],
      ["multipart/form-data; boundary=XX", "garbage without any boundary"],
      ["multipart/form-data; boundary=XX", `${filePart("XX")}%PDF-1.4 cut short`],
      ["multipart/form-data; boundary=XX", Buffer.from(full.slice(0, full.length - 40), "latin1")],
      ["multipart/form-data; boundary=XX", "--XX\r\n"],
      ["multipart/form-data; boundary=YY", Buffer.from(full, "latin1")],
    ] as const) {
      const res = await upload(contentType, body);
      assertErrorShape(res, 400, "invalid_multipart");
    }
    assert.equal(await documentCount(), 0);
  });

  it("refuses two files in one upload with 400 too_many_files, storing nothing", async () => {
    for (const second of ["file", "other"]) {
      const form = new FormData();
      form.append("file", new Blob([pdf], { type: "application/pdf" }), "a.pdf");
      form.append(second, new Blob([pdf], { type: "application/pdf" }), "b.pdf");
      const res = await upload("", form);
      assertErrorShape(res, 400, "too_many_files");
      assert.equal(res.body.error.type, "invalid_request_error");
    }
    assert.equal(await documentCount(), 0);
  });

  it("refuses too many fields, and prototype keys, storing nothing", async () => {
    const many = new FormData();
    for (let i = 0; i < 30; i++) many.append("name", `n${i}`);
    many.append("file", new Blob([pdf], { type: "application/pdf" }), "a.pdf");
    assertErrorShape(await upload("", many), 400, "too_many_parts");
    for (const key of ["__proto__", "constructor"]) {
      const form = new FormData();
      form.append(key, "x");
      form.append("file", new Blob([pdf], { type: "application/pdf" }), "a.pdf");
      assertErrorShape(await upload("", form), 400, "parameter_unknown");
    }
    assert.equal(await documentCount(), 0);
    const good = new FormData();
    good.append("file", new Blob([pdf], { type: "application/pdf" }), "a.pdf");
    assert.equal((await upload("", good)).status, 201);
    assert.equal(await documentCount(), 1);
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
