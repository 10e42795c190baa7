import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("Idempotency-Key", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
  });
  after(() => t.close());

  const body = () => ({ subject: "Idempotent", documentIds: [doc.id], recipients: [signer(1)] });
  const post = (path: string, idempotencyKey: string, json: unknown = body(), secret = key) =>
    request(t.url, path, {
      method: "POST",
      key: secret,
      json,
      headers: { "idempotency-key": idempotencyKey },
    });
  const count = async () =>
    (await request(t.url, "/api/v1/envelopes?limit=100", { key })).body.data.length;

  it("replays the first response for the same key and body, creating nothing more", async () => {
    const before = await count();
    const first = await post("/api/v1/envelopes", "create-1");
    assert.equal(first.status, 201);
    assert.equal(first.headers.get("idempotent-replayed"), null);
    const second = await post("/api/v1/envelopes", "create-1");
    assert.equal(second.status, 201);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(second.body, first.body);
    assert.equal(await count(), before + 1);
  });

  it("refuses the same key with a different body: 422 idempotency_error", async () => {
    await post("/api/v1/envelopes", "create-2");
    const res = await post("/api/v1/envelopes", "create-2", { ...body(), subject: "Other" });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.type, "idempotency_error");
    assert.equal(res.body.error.code, "idempotency_key_reused");
    const elsewhere = await post("/api/v1/keys", "create-2", {});
    assert.equal(elsewhere.status, 422, "another route is another request");
  });

  it("creates once under concurrent requests; the others replay or get 409", async () => {
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () => post("/api/v1/envelopes", "race-1")),
    );
    const statuses = concurrent.map((r) => r.status).sort();
    assert.ok(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(","),
    );
    const created = new Set(concurrent.filter((r) => r.status === 201).map((r) => r.body.id));
    assert.equal(created.size, 1, "one envelope, however many concurrent requests");
    for (const r of concurrent.filter((x) => x.status === 409)) {
      assert.equal(r.body.error.type, "idempotency_error");
      assert.equal(r.body.error.code, "idempotency_key_in_use");
    }
  });

  it("answers 409 while the first is running, and takes over one stuck for minutes", async () => {
    const first = await post("/api/v1/keys", "stale-1", { name: "stale" });
    assert.equal(first.status, 201);
    await t.app.database.db
      .updateTable("idempotency_keys")
      .set({ state: "running" })
      .where("key", "=", "stale-1")
      .execute();
    assert.equal((await post("/api/v1/keys", "stale-1", { name: "stale" })).status, 409);
    t.clock.advance(6 * 60 * 1000);
    const retried = await post("/api/v1/keys", "stale-1", { name: "stale" });
    assert.equal(retried.status, 201);
    assert.notEqual(retried.body.id, first.body.id);
  });

  it("keeps a response 24 hours", async () => {
    const first = await post("/api/v1/envelopes", "ttl-1");
    t.clock.advance(23 * 60 * 60 * 1000);
    assert.equal((await post("/api/v1/envelopes", "ttl-1")).body.id, first.body.id);
    t.clock.advance(2 * 60 * 60 * 1000);
    const fresh = await post("/api/v1/envelopes", "ttl-1");
    assert.equal(fresh.status, 201);
    assert.notEqual(fresh.body.id, first.body.id);
  });

  it("stores nothing for a request refused by validation", async () => {
    const invalid = await post("/api/v1/envelopes", "fix-1", { subject: "" });
    assert.equal(invalid.status, 400);
    const fixed = await post("/api/v1/envelopes", "fix-1");
    assert.equal(fixed.status, 201);
  });

  it("replays errors the handler decided, such as a second send", async () => {
    const envelope = (await post("/api/v1/envelopes", "send-setup")).body;
    const sent = await post(`/api/v1/envelopes/${envelope.id}/send`, "send-1", undefined);
    assert.equal(sent.status, 200);
    const replay = await post(`/api/v1/envelopes/${envelope.id}/send`, "send-1", undefined);
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, sent.body);
    const fresh = await post(`/api/v1/envelopes/${envelope.id}/send`, "send-2", undefined);
    assert.equal(fresh.status, 409);
    assert.equal(
      (await post(`/api/v1/envelopes/${envelope.id}/send`, "send-2", undefined)).body.error.code,
      "envelope_not_draft",
    );
  });

  it("covers multipart uploads", async () => {
    const pdf = await makePdf();
    const upload = async () => {
      const form = new FormData();
      form.append("file", new Blob([pdf], { type: "application/pdf" }), "contrat.pdf");
      const response = await fetch(`${t.url}/api/v1/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "idempotency-key": "upload-1" },
        body: form,
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const first = await upload();
    assert.equal(first.status, 201);
    const second = await upload();
    assert.equal(second.body.id, first.body.id);
  });

  it("is scoped to the account and environment", async () => {
    const other = await t.newAccount();
    const live = await t.newKey(accountId, "live");
    const mine = await post("/api/v1/keys", "shared-key", {});
    const theirs = await post("/api/v1/keys", "shared-key", {}, other.secret);
    const live1 = await post("/api/v1/keys", "shared-key", {}, live.secret);
    assert.deepEqual([mine.status, theirs.status, live1.status], [201, 201, 201]);
    assert.equal(new Set([mine.body.id, theirs.body.id, live1.body.id]).size, 3);
  });

  it("refuses a malformed key", async () => {
    const res = await post("/api/v1/keys", "x".repeat(256), {});
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "idempotency_key_invalid");
  });
});

describe("Idempotency-Key: stored responses at rest", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  const post = (path: string, idempotencyKey: string, json: unknown = {}) =>
    request(t.url, path, {
      method: "POST",
      key,
      json,
      headers: { "idempotency-key": idempotencyKey },
    });
  const storedBody = async (idempotencyKey: string) => {
    const row = await t.app.database.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("key", "=", idempotencyKey)
      .executeTakeFirstOrThrow();
    return row.response_body ?? "";
  };

  it("never stores a new API key's secret in clear, and still replays it", async () => {
    const first = await post("/api/v1/keys", "secret-key-1", { name: "ci" });
    assert.equal(first.status, 201);
    assert.match(first.body.secret, /^sk_test_/);
    const stored = await storedBody("secret-key-1");
    assert.ok(!stored.includes(first.body.secret), "the secret is not in the row");
    assert.ok(!stored.includes("sk_"), "nor any part of it that looks like a key");
    assert.ok(!stored.includes(first.body.id), "the whole body is sealed");
    const replay = await post("/api/v1/keys", "secret-key-1", { name: "ci" });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replay.body, first.body);
  });

  it("never stores a webhook's secret in clear, created or rotated, and still replays it", async () => {
    const created = await post("/api/v1/webhooks", "secret-hook-1", {
      url: "http://127.0.0.1:9/hook",
      events: ["envelope.completed"],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_/);
    const rotated = await post(`/api/v1/webhooks/${created.body.id}/rotate-secret`, "rotate-1");
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.match(rotated.body.secret, /^whsec_/);
    for (const [idempotencyKey, secret] of [
      ["secret-hook-1", created.body.secret],
      ["rotate-1", rotated.body.secret],
    ]) {
      const stored = await storedBody(idempotencyKey);
      assert.ok(!stored.includes(secret), `no secret in the row of ${idempotencyKey}`);
      assert.ok(!stored.includes("whsec_"));
    }
    const replayCreated = await post("/api/v1/webhooks", "secret-hook-1", {
      url: "http://127.0.0.1:9/hook",
      events: ["envelope.completed"],
    });
    assert.equal(replayCreated.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replayCreated.body, created.body);
    const replayRotated = await post(
      `/api/v1/webhooks/${created.body.id}/rotate-secret`,
      "rotate-1",
    );
    assert.equal(replayRotated.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replayRotated.body, rotated.body);
  });

  it("still replays a response stored in clear by an older version", async () => {
    const first = await post("/api/v1/keys", "legacy-1", { name: "legacy" });
    await t.app.database.db
      .updateTable("idempotency_keys")
      .set({ response_body: JSON.stringify(first.body) })
      .where("key", "=", "legacy-1")
      .execute();
    const replay = await post("/api/v1/keys", "legacy-1", { name: "legacy" });
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replay.body, first.body);
  });

  it("treats a body that cannot be opened for its row as expired", async () => {
    const a = await post("/api/v1/keys", "moved-a", { name: "moved" });
    const b = await post("/api/v1/keys", "moved-b", { name: "moved" });
    // The sealed body of one key copied to another: bound to its row, it does not open there.
    await t.app.database.db
      .updateTable("idempotency_keys")
      .set({ response_body: await storedBody("moved-a") })
      .where("key", "=", "moved-b")
      .execute();
    const retried = await post("/api/v1/keys", "moved-b", { name: "moved" });
    assert.equal(retried.status, 201);
    assert.equal(retried.headers.get("idempotent-replayed"), null, "run anew");
    assert.notEqual(retried.body.id, a.body.id);
    assert.notEqual(retried.body.id, b.body.id);
  });

  it("purges every response once its 24 hours are over", async () => {
    await post("/api/v1/keys", "purged-1", { name: "old" });
    t.clock.advance(25 * 60 * 60 * 1000);
    await post("/api/v1/keys", "purging-1", { name: "new" });
    const rows = await t.app.database.db
      .selectFrom("idempotency_keys")
      .select("key")
      .where("key", "=", "purged-1")
      .execute();
    assert.deepEqual(rows, [], "an expired response is deleted, not only ignored");
  });
});
