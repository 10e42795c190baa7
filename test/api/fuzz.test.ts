/**
 * Property-based tests of every write endpoint: random, mutated and hostile bodies, headers and
 * path segments. Whatever is sent, the server never answers 5xx, every error has the documented
 * shape and a documented code, and a refused request (4xx) stores nothing.
 *
 * A failure prints its seed; replay it with `CERTYNEO_FUZZ_SEED=<seed>` (and
 * `--test-name-pattern` for one group). `CERTYNEO_FUZZ_RUNS=<n>` multiplies the number of runs.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { sql } from "kysely";
import { ERROR_TYPES } from "../../src/http/errors.js";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const SEED = process.env.CERTYNEO_FUZZ_SEED
  ? Number(process.env.CERTYNEO_FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.CERTYNEO_FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Every snake_case code the documentation names (`code` values are documented in docs/). */
const DOCUMENTED_CODES = new Set(
  readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .flatMap((name) => [
      ...readFileSync(`docs/${name}`, "utf8").matchAll(/`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/g),
    ])
    .map((match) => match[1] as string),
);

// ---------------------------------------------------------------------------------------------
// Raw HTTP: the path is sent byte for byte (no URL normalisation), headers as given.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Attempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function send(baseUrl: string, attempt: Attempt): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: attempt.method,
        path: attempt.path,
        headers: {
          ...attempt.headers,
          ...(attempt.body && { "content-length": String(attempt.body.length) }),
        },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(attempt.body);
  });
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

/** A JSON object with an own property named `key`, even "__proto__". */
function withKey(object: Record<string, unknown>, key: string, value: unknown) {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

const hugeString = fc.constantFrom(100_000, 1_100_000).map((n) => "x".repeat(n));
const unicodeString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("\u0000", "\ud800", "e\u0301", "🙂".repeat(300), "\u202e", "' OR 1=1 --", "%00"),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: unicodeString },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      true,
      -1,
      0,
      1e308,
      -0,
      2 ** 53 + 1,
      "",
      [],
      {},
      "2026-13-45T99:99:99Z",
    ),
  },
);

/** A valid body, then zero to three mutations: drop, retype, add (hostile) keys, nest. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  const mutation = fc.oneof(
    fc.record({ op: fc.constant("drop" as const), key: fc.constantFrom(...keys) }),
    fc.record({ op: fc.constant("set" as const), key: fc.constantFrom(...keys), value: anyValue }),
    fc.record({
      op: fc.constant("add" as const),
      key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
      value: anyValue,
    }),
  );
  return fc.array(mutation, { maxLength: 3 }).map((mutations) => {
    let body: Record<string, unknown> = { ...valid };
    for (const m of mutations) {
      if (m.op === "drop") {
        const { [m.key]: _dropped, ...rest } = body;
        body = rest;
      } else body = withKey(body, m.key, m.value);
    }
    return body;
  });
}

type BodySpec =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "raw"; text: string }
  | { kind: "bytes"; bytes: Uint8Array };

function bodies(valid: Record<string, unknown> | null): fc.Arbitrary<BodySpec> {
  const options: fc.WeightedArbitrary<BodySpec>[] = [
    { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
    { weight: 3, arbitrary: anyValue.map((value) => ({ kind: "json" as const, value })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.string({ maxLength: 60 }),
          fc.constantFrom(
            '{"a":',
            "[1,2",
            "{'a':1}",
            '{"__proto__":{"x":1}}',
            '{"constructor":{"prototype":{"x":1}}}',
            "\ufeff{}",
            "NaN",
            '{"a":"\\u0000"}',
            `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
            `${'{"a":'.repeat(20_000)}{"__proto__":1}${"}".repeat(20_000)}`,
          ),
        )
        .map((text) => ({ kind: "raw" as const, text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((bytes) => ({ kind: "bytes" as const, bytes })),
    },
  ];
  if (valid) {
    options.push({
      weight: 6,
      arbitrary: mutated(valid).map((value) => ({ kind: "json" as const, value })),
    });
  }
  return fc.oneof(...options);
}

const contentTypes = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8"),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      "APPLICATION/JSON",
      "application/json; charset=latin1",
      "application/json;;",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "multipart/form-data; boundary=x",
      "application/problem+json",
      "*/*",
      "application/json, text/plain",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: printableLatin1(), maxLength: 30 }) },
);

const idempotencyKeys = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uuid() },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.string({ unit: printableLatin1(), maxLength: 20 }),
      fc.constantFrom("", " ", "x".repeat(256), "é", "a b", "fixed-key"),
    ),
  },
);

/** Header values Node will send: latin-1, no control characters. */
function printableLatin1(): fc.Arbitrary<string> {
  return fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((code) => String.fromCharCode(code));
}

/** A path segment: the real one most of the time, else garbage, encoded or not. */
function segment(real: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: real },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s) || "x"),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "%E0%A4%A",
        "%",
        "%ZZ",
        "%C0%AF",
        "%ED%A0%80",
        "%00",
        "__proto__",
        "constructor",
        "..",
        "%2e%2e",
        "a".repeat(101),
        "t".repeat(2000),
        "env_%F0%9F%99%82",
        "doc_'--",
      ),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The properties.

interface Snapshot {
  [table: string]: number;
}

function encode(spec: BodySpec): Buffer | undefined {
  switch (spec.kind) {
    case "none":
      return undefined;
    case "json":
      return Buffer.from(JSON.stringify(spec.value) ?? "null");
    case "raw":
      return Buffer.from(spec.text);
    case "bytes":
      return Buffer.from(spec.bytes);
  }
}

describe("fuzzing every write endpoint", () => {
  let t: TestServer;
  let key: string;
  let keyId: string;
  let accountId: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tables: string[];
  let documentId: string;
  let webhookId: string;
  let deliveryId: string;
  const started = Date.now();
  /** Answers by status, per group: shows what the runs reached. */
  const statuses: Record<string, Record<number, number>> = {};
  let group = "";

  before(async () => {
    receiver = await startReceiver();
    t = await startTestServer({
      env: {
        CERTYNEO_RATE_LIMIT_PER_MINUTE: "1000000",
        CERTYNEO_RATE_LIMIT_BURST: "1000000",
        CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE: "1000000",
        CERTYNEO_SIGNING_RATE_LIMIT_BURST: "1000000",
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_WEBHOOK_TIMEOUT_MS: "500",
      },
    });
    ({ secret: key, keyId, accountId } = await t.newAccount());
    documentId = (await uploadDocument(t.url, key)).id;
    const hook = await request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key,
      json: { url: `${receiver.url}/hook` },
    });
    webhookId = hook.body.id;
    const ping = await request(t.url, `/api/v1/webhooks/${webhookId}/test`, {
      method: "POST",
      key,
    });
    deliveryId = ping.body.deliveryId;
    tables = (await t.app.database.db.introspection.getTables())
      .map((table) => table.name)
      // Rate-limit buckets change with every authenticated request, by design.
      .filter((name) => !name.startsWith("kysely_") && name !== "rate_limit_buckets")
      .sort();
  });
  after(async () => {
    agent.destroy();
    await t.close();
    await receiver.close();
    console.log(
      `# fuzz seed ${SEED} (CERTYNEO_FUZZ_SEED=${SEED} to replay), ${Date.now() - started} ms`,
    );
    for (const [name, tally] of Object.entries(statuses)) {
      console.log(`# ${name}: ${JSON.stringify(tally)}`);
    }
  });

  async function snapshot(): Promise<Snapshot> {
    const counts = sql.join(
      tables.map((name) => sql`(select count(*) from ${sql.table(name)}) as ${sql.ref(name)}`),
    );
    const { rows } = await sql<Record<string, unknown>>`select ${counts}`.execute(
      t.app.database.db,
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  }

  /** Sends `attempt` and checks the three properties; returns the answer for more checks. */
  async function check(attempt: Attempt): Promise<Answer> {
    const before = await snapshot();
    const answer = await send(t.url, attempt);
    const tally = statuses[group] ?? {};
    tally[answer.status] = (tally[answer.status] ?? 0) + 1;
    statuses[group] = tally;
    const label = `${attempt.method} ${attempt.path.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`;
    assert.ok(answer.status < 500, `a server error: ${label}`);
    if (answer.status >= 300) {
      assert.match(String(answer.headers["content-type"]), /^application\/json/, label);
      const body = JSON.parse(answer.text);
      assert.deepEqual(Object.keys(body), ["error"], label);
      const error = body.error;
      for (const field of Object.keys(error)) {
        assert.ok(["type", "code", "message", "param", "requestId"].includes(field), label);
      }
      assert.ok(ERROR_TYPES.includes(error.type), label);
      assert.equal(typeof error.code, "string", label);
      assert.ok(
        DOCUMENTED_CODES.has(error.code) || /^[a-z_]+_not_found$/.test(error.code),
        `undocumented code ${error.code}: ${label}`,
      );
      assert.equal(typeof error.message, "string", label);
      if ("param" in error) assert.equal(typeof error.param, "string", label);
      assert.match(error.requestId, /^req_[0-9A-Za-z]{24}$/, label);
      // A replay repeats the first answer, request id included.
      if (!answer.headers["idempotent-replayed"]) {
        assert.equal(error.requestId, answer.headers["x-request-id"], label);
      }
    }
    if (answer.status >= 400) {
      const after = await snapshot();
      // A replayable record of the answer is the one thing an errored request may leave.
      if (
        attempt.headers["idempotency-key"] !== undefined &&
        !answer.headers["idempotent-replayed"]
      ) {
        assert.ok(after.idempotency_keys! - before.idempotency_keys! <= 1, label);
        after.idempotency_keys = before.idempotency_keys!;
      }
      assert.deepEqual(after, before, `a refused request stored something: ${label}`);
    }
    return answer;
  }

  function headersFor(spec: {
    contentType: string;
    idempotencyKey: string | undefined;
    auth?: boolean;
  }): Record<string, string> {
    return {
      ...(spec.auth !== false && { authorization: `Bearer ${key}` }),
      ...(spec.contentType && { "content-type": spec.contentType }),
      ...(spec.idempotencyKey !== undefined && { "idempotency-key": spec.idempotencyKey }),
    };
  }

  /** Runs the property; on failure, says how to replay it. */
  async function property<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    numRuns: number,
    run: (value: T) => Promise<void>,
  ) {
    group = name;
    try {
      await fc.assert(fc.asyncProperty(arbitrary, run), { seed: SEED, numRuns: runs(numRuns) });
    } catch (error) {
      (error as Error).message =
        `Replay with CERTYNEO_FUZZ_SEED=${SEED}\n${(error as Error).message}`;
      throw error;
    }
  }

  const common = (valid: Record<string, unknown> | null) =>
    fc.record({
      body: bodies(valid),
      contentType: contentTypes,
      idempotencyKey: idempotencyKeys,
      auth: fc.oneof(
        { weight: 15, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    });

  it("POST /documents with JSON bodies", async () => {
    const pdf = (await makePdf()).toString("base64");
    const valid = { name: "contrat.pdf", content: pdf };
    const contents = fc.oneof(
      fc.constant(pdf),
      fc.constant(`data:application/pdf;base64,${pdf}`),
      fc.constant(pdf.slice(0, 200)),
      fc.constant(Buffer.from("%PDF-1.7 not really").toString("base64")),
      fc.string({ maxLength: 40 }),
    );
    await property(
      "POST /documents with JSON bodies",
      fc.record({ request: common(valid), content: contents }),
      200,
      async ({ request: r, content }) => {
        const body =
          r.body.kind === "json" &&
          typeof r.body.value === "object" &&
          r.body.value &&
          "content" in r.body.value
            ? { kind: "json" as const, value: { ...(r.body.value as object), content } }
            : r.body;
        await check({
          method: "POST",
          path: "/api/v1/documents",
          headers: headersFor(r),
          body: encode(body),
        });
      },
    );
  });

  it("POST /documents with multipart bodies", async () => {
    const pdf = await makePdf();
    const part = (name: string, value: Buffer | string, filename?: string, type?: string) =>
      Buffer.concat([
        Buffer.from(
          `Content-Disposition: form-data; name="${name}"${filename === undefined ? "" : `; filename="${filename}"`}\r\n${type ? `Content-Type: ${type}\r\n` : ""}\r\n`,
        ),
        Buffer.from(value),
      ]);
    // Parts are described (so that a counterexample reads well), then built.
    type PartSpec =
      | { file: string }
      | { field: string; value: string; json?: true }
      | { raw: Uint8Array };
    const build = (spec: PartSpec): Buffer =>
      "file" in spec
        ? part(spec.file, pdf, `${spec.file}.pdf`, "application/pdf")
        : "field" in spec
          ? part(spec.field, spec.value, undefined, spec.json && "application/json")
          : Buffer.from(spec.raw);
    const partSpec: fc.Arbitrary<PartSpec> = fc.oneof(
      { weight: 5, arbitrary: fc.constant({ file: "file" }) },
      { weight: 1, arbitrary: fc.constant({ file: "other" }) },
      { weight: 2, arbitrary: unicodeString.map((value) => ({ field: "name", value })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...HOSTILE_KEYS, "other", "name", "file", "")
          .map((field) => ({ field, value: "x" })),
      },
      { weight: 1, arbitrary: fc.constant({ field: "name", value: '{"a":', json: true as const }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((raw) => ({ raw })) },
    );
    const boundary = "----certyneofuzz";
    const multipart = fc.record({
      parts: fc.array(partSpec, { minLength: 0, maxLength: 4 }),
      cut: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
      closing: fc.boolean(),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`multipart/form-data; boundary=${boundary}`) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=other",
            `multipart/mixed; boundary=${boundary}`,
            `MULTIPART/FORM-DATA; BOUNDARY=${boundary}`,
            `multipart/form-data; boundary="${boundary}"`,
            `multipart/form-data; boundary=${"b".repeat(300)}`,
          ),
        },
      ),
      idempotencyKey: idempotencyKeys,
    });
    await property("POST /documents with multipart bodies", multipart, 200, async (r) => {
      let body = Buffer.concat([
        ...r.parts.flatMap((p) => [
          Buffer.from(`--${boundary}\r\n`),
          build(p),
          Buffer.from("\r\n"),
        ]),
        Buffer.from(r.closing ? `--${boundary}--\r\n` : ""),
      ]);
      if (r.cut !== undefined) body = body.subarray(0, r.cut);
      await check({
        method: "POST",
        path: "/api/v1/documents",
        headers: headersFor({ contentType: r.contentType, idempotencyKey: r.idempotencyKey }),
        body,
      });
    });
  });

  it("envelopes: create, update, send, remind, delete and void", async () => {
    const valid = {
      subject: "Contrat",
      message: "Bonjour",
      documentIds: [documentId],
      recipients: [
        signer(1, {
          fields: [
            { type: "signature", documentId, page: 1, x: 10, y: 10, width: 100, height: 30 },
          ],
        }),
        signer(2, { auth: "email_otp", order: 2 }),
      ],
      signingOrder: "sequential",
      expiresAt: "2027-01-01T00:00:00.000Z",
      reminders: { firstAfterDays: 2, everyDays: 3, max: 2 },
      metadata: { crm: "42" },
    };
    const action = fc.constantFrom(
      { method: "POST", suffix: "" },
      { method: "PATCH", suffix: "/:id" },
      { method: "DELETE", suffix: "/:id" },
      { method: "POST", suffix: "/:id/send" },
      { method: "POST", suffix: "/:id/remind" },
    );
    const state = fc.constantFrom("draft", "sent", "none");
    await property(
      "envelopes: create, update, send, remind, delete and void",
      fc.record({ request: common(valid), action, state, id: segment(fc.constant(":id")) }),
      300,
      async ({ request: r, action: a, state: s, id }) => {
        let envelopeId = "env_doesnotexist";
        if (a.suffix && id === ":id" && s !== "none") {
          const created =
            s === "sent"
              ? await sendEnvelope(t.url, key, {
                  documentIds: [documentId],
                  recipients: [signer(1)],
                })
              : (
                  await request(t.url, "/api/v1/envelopes", {
                    method: "POST",
                    key,
                    json: { subject: "Draft", documentIds: [documentId], recipients: [signer(1)] },
                  })
                ).body;
          envelopeId = created.id;
        }
        const path = `/api/v1/envelopes${a.suffix.replace(":id", id === ":id" ? envelopeId : id)}`;
        await check({
          method: a.method,
          path,
          headers: headersFor(r),
          body: encode(r.body),
        });
      },
    );
  });

  it("keys: create and revoke", async () => {
    await property(
      "keys: create and revoke",
      fc.record({
        request: common({ name: "CI" }),
        action: fc.constantFrom("create", "revoke"),
        id: segment(fc.constant(":id")),
      }),
      150,
      async ({ request: r, action, id }) => {
        let path = "/api/v1/keys";
        if (action === "revoke") {
          let target = id;
          if (id === ":id") target = (await t.newKey(accountId, "test")).keyId;
          // Never the caller's own key: the run would lock itself out.
          if (target === keyId) target = "key_other";
          path = `/api/v1/keys/${target}`;
        }
        await check({
          method: action === "create" ? "POST" : "DELETE",
          path,
          headers: headersFor(r),
          body: encode(r.body),
        });
      },
    );
  });

  it("PATCH /settings", async () => {
    const valid = {
      senderEmails: ["legal@example.com"],
      senderLocale: "fr",
      reminders: { firstAfterDays: 2, everyDays: 3, max: 2 },
      expiresAfterDays: 30,
    };
    await property("PATCH /settings", common(valid), 150, async (r) => {
      await check({
        method: "PATCH",
        path: "/api/v1/settings",
        headers: headersFor(r),
        body: encode(r.body),
      });
    });
  });

  it("webhooks: create, delete, rotate, test and retry", async () => {
    const valid = {
      url: `${receiver.url}/fuzz`,
      events: ["envelope.completed", "recipient.signed"],
      description: "CRM",
    };
    const urls = fc.constantFrom(
      `${receiver.url}/fuzz`,
      "https://[::ffff:127.0.0.1]/x",
      "http://[64:ff9b::a9fe:a9fe]/",
      "ftp://example.com/",
      "https://user:pw@example.com/",
      "javascript:alert(1)",
      "http://%zz/",
      "not a url",
    );
    const action = fc.constantFrom(
      { method: "POST", suffix: "" },
      { method: "DELETE", suffix: "/:id" },
      { method: "POST", suffix: "/:id/rotate-secret" },
      { method: "POST", suffix: "/:id/test" },
      { method: "POST", suffix: "/:id/deliveries/:dlv/retry" },
    );
    await property(
      "webhooks: create, delete, rotate, test and retry",
      fc.record({
        request: common(valid),
        url: urls,
        action,
        id: segment(fc.constantFrom(":id", ":fixed")),
        dlv: segment(fc.constant(":dlv")),
      }),
      200,
      async ({ request: r, url, action: a, id, dlv }) => {
        let target = id;
        if (id === ":fixed") target = webhookId;
        if (id === ":id" && a.suffix) {
          const created = await request(t.url, "/api/v1/webhooks", {
            method: "POST",
            key,
            json: { url: `${receiver.url}/fresh` },
          });
          target = created.body.id;
        }
        // Only the fixture's own delivery may be retried: it is already delivered (409).
        const path = `/api/v1/webhooks${a.suffix
          .replace(":id", target)
          .replace(":dlv", dlv === ":dlv" ? deliveryId : dlv)}`;
        let body = r.body;
        if (
          body.kind === "json" &&
          body.value &&
          typeof body.value === "object" &&
          "url" in body.value
        ) {
          body = { kind: "json", value: { ...(body.value as object), url } };
        }
        await check({ method: a.method, path, headers: headersFor(r), body: encode(body) });
      },
    );
  });

  it("the signer API: otp, verify, sign and decline", async () => {
    const action = fc.constantFrom(
      { suffix: "/otp", valid: null },
      { suffix: "/otp/verify", valid: { code: "123456" } },
      {
        suffix: "/sign",
        valid: { consent: true, signature: { type: "typed", text: "Signer 1" }, fields: {} },
      },
      {
        suffix: "/sign",
        valid: {
          consent: true,
          signature: { type: "drawn", image: "data:image/png;base64,iVBORw0KGgo=" },
        },
      },
      { suffix: "/decline", valid: { reason: "Non merci" } },
    );
    await property(
      "the signer API: otp, verify, sign and decline",
      fc.record({
        action: action.chain((a) =>
          fc.record({ suffix: fc.constant(a.suffix), body: bodies(a.valid) }),
        ),
        auth: fc.constantFrom("none", "email_otp"),
        token: segment(fc.constant(":token")),
        rest: fc.record({ contentType: contentTypes, idempotencyKey: idempotencyKeys }),
      }),
      200,
      async ({ action: { suffix, body }, auth, token, rest }) => {
        let signingToken = token;
        if (token === ":token") {
          const sent = await sendEnvelope(t.url, key, {
            documentIds: [documentId],
            recipients: [signer(1, { auth })],
          });
          signingToken = String(sent.recipients[0].signUrl).split("/").pop() ?? "";
        }
        await check({
          method: "POST",
          path: `/api/v1/signing/${signingToken}${suffix}`,
          headers: headersFor({ ...rest, auth: false }),
          body: encode(body),
        });
      },
    );
  });
});
