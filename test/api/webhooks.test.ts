import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { verifyWebhook } from "../../src/index.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("webhooks", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
    t = await startTestServer({
      env: {
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_WEBHOOK_RETRY_SCHEDULE: "1,2,4",
        CERTYNEO_WEBHOOK_TIMEOUT_MS: "300",
      },
    });
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  async function register(path: string, body: Record<string, unknown> = {}, secret = key) {
    const res = await request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key: secret,
      json: { url: `${receiver.url}${path}`, ...body },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }
  const at = (path: string) => receiver.received.filter((r) => r.path === path);
  /** Signing happens at the clock's time; verify against the same clock. */
  const verify = (body: string, header: string, secret: string) =>
    verifyWebhook(body, header, secret, 300, t.clock.now().getTime()) as any;

  it("registers a webhook and shows its secret only once, encrypted at rest", async () => {
    const created = await register("/register", {
      description: "CRM",
      events: ["envelope.completed"],
    });
    assert.match(created.id, /^whk_/);
    assert.match(created.secret, /^whsec_[0-9A-Za-z]{43}$/);
    assert.deepEqual(created.events, ["envelope.completed"]);
    const list = await request(t.url, "/api/v1/webhooks", { key });
    const listed = list.body.data.find((w: any) => w.id === created.id);
    assert.equal(listed.secret, undefined);
    assert.equal(listed.disabledAt, null);
    const row = await t.app.database.db
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(created.secret.slice(6)));
    const bad = await request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key,
      json: { url: `${receiver.url}/x`, events: ["envelope.exploded"] },
    });
    assert.equal(bad.status, 400);
    const deleted = await request(t.url, `/api/v1/webhooks/${created.id}`, {
      method: "DELETE",
      key,
    });
    assert.deepEqual(deleted.body, { id: created.id, object: "webhook", deleted: true });
  });

  it("delivers a whole lifecycle, in order, signed", async () => {
    const { secret } = await register("/lifecycle");
    const filtered = await register("/completed-only", { events: ["envelope.completed"] });
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Hooks", documentIds: [doc.id], recipients: [signer(1)] },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    await request(t.url, `/api/v1/signing/${token}`);
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "One" } },
    });
    await t.app.worker.runDue();

    const deliveries = at("/lifecycle");
    assert.deepEqual(
      deliveries.map((d) => JSON.parse(d.body).type),
      [
        "envelope.created",
        "envelope.sent",
        "recipient.viewed",
        "recipient.signed",
        "envelope.completed",
      ],
    );
    for (const delivery of deliveries) {
      const event = verify(delivery.body, String(delivery.headers["certyneo-signature"]), secret);
      assert.equal(delivery.headers["certyneo-event-id"], event.id);
      assert.equal(delivery.headers["content-type"], "application/json");
      assert.match(String(delivery.headers["user-agent"]), /^Certyneo-Webhooks\//);
      assert.equal(event.object, "event");
      assert.equal(event.environment, "test");
      assert.equal(event.data.envelope.object, "envelope");
      assert.equal(event.data.envelope.id, created.body.id);
    }
    assert.equal(JSON.parse(deliveries.at(-1)!.body).data.envelope.status, "COMPLETED");
    assert.throws(
      () =>
        verify(
          deliveries[0]!.body,
          String(deliveries[0]!.headers["certyneo-signature"]),
          "whsec_wrong",
        ),
      /No signature matches/,
    );
    assert.throws(
      () =>
        verify(
          `${deliveries[0]!.body} `,
          String(deliveries[0]!.headers["certyneo-signature"]),
          secret,
        ),
      /No signature matches/,
    );
    assert.throws(
      () =>
        verifyWebhook(
          deliveries[0]!.body,
          String(deliveries[0]!.headers["certyneo-signature"]),
          secret,
          300,
          t.clock.now().getTime() + 301_000,
        ),
      /tolerance/,
    );
    assert.deepEqual(
      at("/completed-only").map((d) => JSON.parse(d.body).type),
      ["envelope.completed"],
    );
    const log = await request(t.url, `/api/v1/webhooks/${filtered.id}/deliveries`, { key });
    assert.equal(log.body.data.length, 1);
    assert.equal(log.body.data[0].statusCode, 200);
    assert.equal(log.body.data[0].eventType, "envelope.completed");
  });

  it("retries a 500, then delivers once; does not follow redirects; gives up on timeouts", async () => {
    let calls = 0;
    receiver.answer((r) => {
      if (r.path === "/flaky") return { status: ++calls === 1 ? 500 : 200 };
      if (r.path === "/redirect")
        return { status: 302, headers: { location: `${receiver.url}/elsewhere` } };
      if (r.path === "/slow") return { status: 200, delayMs: 2000 };
      return { status: 200 };
    });
    const flaky = await register("/flaky", { events: ["envelope.created"] });
    const redirect = await register("/redirect", { events: ["envelope.created"] });
    const slow = await register("/slow", { events: ["envelope.created"] });
    await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Retry", documentIds: [doc.id], recipients: [signer(1)] },
    });
    await t.app.worker.runDue();
    t.clock.advance(1_000);
    await t.app.worker.runDue();
    assert.equal(at("/flaky").length, 2);
    const flakyLog = (await request(t.url, `/api/v1/webhooks/${flaky.id}/deliveries`, { key })).body
      .data;
    assert.deepEqual(
      flakyLog.map((a: any) => [a.attempt, a.statusCode]),
      [
        [2, 200],
        [1, 500],
      ],
    );
    assert.ok(flakyLog[1].nextRetryAt);
    assert.equal(at("/elsewhere").length, 0, "the redirect is not followed");
    const redirectLog = (
      await request(t.url, `/api/v1/webhooks/${redirect.id}/deliveries`, { key })
    ).body.data;
    assert.equal(redirectLog[0].statusCode, 302);
    assert.match(redirectLog[0].error, /redirect .* not followed/);
    const slowLog = (await request(t.url, `/api/v1/webhooks/${slow.id}/deliveries`, { key })).body
      .data;
    assert.match(slowLog.at(-1).error, /timed out after 300 ms/);
    receiver.answer(() => ({ status: 200 }));
  });

  it("disables an endpoint that failed for three days straight", async () => {
    receiver.answer((r) => ({ status: r.path === "/down" ? 503 : 200 }));
    const down = await register("/down", { events: ["envelope.created"] });
    const create = () =>
      request(t.url, "/api/v1/envelopes", {
        method: "POST",
        key,
        json: { subject: "Down", documentIds: [doc.id], recipients: [signer(1)] },
      });
    await create();
    await t.app.worker.runDue();
    t.clock.advance(3 * 24 * 3600 * 1000);
    await create();
    await t.app.worker.runDue();
    const listed = (await request(t.url, "/api/v1/webhooks?limit=100", { key })).body.data.find(
      (w: any) => w.id === down.id,
    );
    assert.ok(listed.disabledAt);
    assert.match(listed.disabledReason, /failed since/);
    const before = at("/down").length;
    await create();
    await t.app.worker.runDue();
    assert.equal(at("/down").length, before, "a disabled endpoint gets nothing");
    receiver.answer(() => ({ status: 200 }));
  });

  it("reports declines and voids, in order", async () => {
    await register("/endings", {
      events: ["envelope.sent", "recipient.declined", "envelope.declined", "envelope.voided"],
    });
    const make = async () => {
      const created = await request(t.url, "/api/v1/envelopes", {
        method: "POST",
        key,
        json: { subject: "Ends", documentIds: [doc.id], recipients: [signer(1)] },
      });
      return (
        await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, { method: "POST", key })
      ).body;
    };
    const declined = await make();
    await request(
      t.url,
      `/api/v1/signing/${declined.recipients[0].signUrl.split("/sign/")[1]}/decline`,
      { method: "POST", json: { reason: "No" } },
    );
    const voided = await make();
    await request(t.url, `/api/v1/envelopes/${voided.id}`, {
      method: "DELETE",
      key,
      json: { reason: "Oops" },
    });
    await t.app.worker.runDue();
    const types = (id: string) =>
      at("/endings")
        .map((d) => JSON.parse(d.body))
        .filter((e) => e.data.envelope.id === id)
        .map((e) => e.type);
    assert.deepEqual(types(declined.id), [
      "envelope.sent",
      "recipient.declined",
      "envelope.declined",
    ]);
    assert.deepEqual(types(voided.id), ["envelope.sent", "envelope.voided"]);
  });

  it("pings, retries by hand, and signs with both secrets for a day after a rotation", async () => {
    const hook = await register("/manual", { events: ["envelope.created"] });
    const ping = await request(t.url, `/api/v1/webhooks/${hook.id}/test`, { method: "POST", key });
    assert.equal(ping.status, 200, JSON.stringify(ping.body));
    assert.equal(ping.body.delivered, true);
    assert.equal(ping.body.statusCode, 200);
    const pinged = at("/manual").at(-1)!;
    assert.equal(
      verify(pinged.body, String(pinged.headers["certyneo-signature"]), hook.secret).type,
      "ping",
    );

    const rotated = await request(t.url, `/api/v1/webhooks/${hook.id}/rotate-secret`, {
      method: "POST",
      key,
    });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, hook.secret);
    await request(t.url, `/api/v1/webhooks/${hook.id}/test`, { method: "POST", key });
    const both = at("/manual").at(-1)!;
    const header = String(both.headers["certyneo-signature"]);
    assert.equal(header.match(/v1=/g)?.length, 2);
    verify(both.body, header, rotated.body.secret);
    verify(both.body, header, hook.secret);
    t.clock.advance(24 * 3600 * 1000 + 1000);
    await request(t.url, `/api/v1/webhooks/${hook.id}/test`, { method: "POST", key });
    const later = at("/manual").at(-1)!;
    assert.equal(
      String(later.headers["certyneo-signature"]).match(/v1=/g)?.length,
      1,
      "the old secret has expired",
    );
    assert.throws(() =>
      verify(later.body, String(later.headers["certyneo-signature"]), hook.secret),
    );

    receiver.answer((r) => ({ status: r.path === "/manual" ? 500 : 200 }));
    await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Manual", documentIds: [doc.id], recipients: [signer(1)] },
    });
    await t.app.worker.runDue();
    const log = (await request(t.url, `/api/v1/webhooks/${hook.id}/deliveries`, { key })).body.data;
    const failed = log.find((a: any) => a.eventType === "envelope.created");
    assert.equal(failed.statusCode, 500);
    receiver.answer(() => ({ status: 200 }));
    const retried = await request(
      t.url,
      `/api/v1/webhooks/${hook.id}/deliveries/${failed.deliveryId}/retry`,
      { method: "POST", key },
    );
    assert.equal(retried.body.delivered, true);
    const again = await request(
      t.url,
      `/api/v1/webhooks/${hook.id}/deliveries/${failed.deliveryId}/retry`,
      { method: "POST", key },
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "delivery_already_delivered");
    const unknown = await request(t.url, `/api/v1/webhooks/${hook.id}/deliveries/dlv_nope/retry`, {
      method: "POST",
      key,
    });
    assert.equal(unknown.status, 404);
  });

  it("never sends one environment's events to the other's webhooks", async () => {
    const live = await t.newKey(accountId, "live");
    await register("/live-only", {}, live.secret);
    await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Test only", documentIds: [doc.id], recipients: [signer(1)] },
    });
    await t.app.worker.runDue();
    assert.equal(at("/live-only").length, 0);
  });

  it("pages through the delivery log with nextCursor", async () => {
    const hook = await register("/paged");
    // Seven attempts, some at the same instant: the order is (createdAt, id), newest first.
    for (let i = 0; i < 7; i++) {
      if (i % 3 === 0) t.clock.advance(1000);
      const ping = await request(t.url, `/api/v1/webhooks/${hook.id}/test`, {
        method: "POST",
        key,
      });
      assert.equal(ping.status, 200, JSON.stringify(ping.body));
    }
    const everything = await request(t.url, `/api/v1/webhooks/${hook.id}/deliveries?limit=100`, {
      key,
    });
    assert.equal(everything.body.data.length, 7);
    assert.equal(everything.body.hasMore, false);
    assert.equal(everything.body.nextCursor, null);

    const seen: string[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    do {
      const query: string = `limit=3${after ? `&after=${after}` : ""}`;
      const page = await request(t.url, `/api/v1/webhooks/${hook.id}/deliveries?${query}`, {
        key,
      });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      pages.push(page.body.data.length);
      seen.push(...page.body.data.map((a: any) => a.id));
      assert.equal(page.body.hasMore, page.body.nextCursor !== null);
      if (page.body.hasMore) assert.equal(page.body.nextCursor, page.body.data.at(-1).id);
      after = page.body.nextCursor;
    } while (after);
    assert.deepEqual(pages, [3, 3, 1]);
    assert.deepEqual(
      seen,
      everything.body.data.map((a: any) => a.id),
    );

    const other = await register("/paged-other");
    for (const cursor of ["att_nope", seen[0]]) {
      const bad = await request(t.url, `/api/v1/webhooks/${other.id}/deliveries?after=${cursor}`, {
        key,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "invalid_cursor");
      assert.equal(bad.body.error.param, "after");
    }
  });
});

describe("webhook destinations", () => {
  it("refuses private, loopback, link-local and metadata addresses unless allowed", async () => {
    const t = await startTestServer();
    try {
      const { secret } = await t.newAccount();
      for (const url of [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[64:ff9b::169.254.169.254]/hook",
        "http://[2002:a01:203::1]/hook",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
        "ftp://example.com/hook",
        "https://user:pass@example.com/hook",
      ]) {
        const res = await request(t.url, "/api/v1/webhooks", {
          method: "POST",
          key: secret,
          json: { url },
        });
        assert.equal(res.status, 422, url);
        assert.equal(res.body.error.code, "webhook_url_refused", url);
        assert.equal(res.body.error.param, "url");
      }
    } finally {
      await t.close();
    }
  });
});
