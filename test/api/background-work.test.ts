import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { testDatabaseKind } from "../helpers/database.js";
import { signerWithSignatureField, signToCompletion, uploadDocument } from "../helpers/fixtures.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.js";
import { until } from "../helpers/wait.js";

const SILENT = { info: () => {}, error: () => {} };
/** What the worker reported: shown when a test waits in vain for its work. */
const workerLog: string[] = [];
const RECORDED = {
  info: (details: object, message: string) => {
    workerLog.push(`${message} ${JSON.stringify(details)}`);
  },
  error: (details: object, message: string) => {
    const { err, ...rest } = details as { err?: unknown };
    workerLog.push(
      `${message} ${JSON.stringify(rest)}: ${err instanceof Error ? err.stack : String(err)}`,
    );
  },
};
/** `until`, failing with what the worker did so far and the jobs of `envelopeId`. */
async function untilDone(
  t: TestServer,
  envelopeId: string,
  condition: () => Promise<boolean>,
  what: string,
): Promise<void> {
  try {
    await until(condition, what);
  } catch (error) {
    const jobs = await t.app.database.db
      .selectFrom("jobs")
      .selectAll()
      .where("envelope_id", "=", envelopeId)
      .execute();
    throw new Error(
      [
        (error as Error).message,
        `the envelope's jobs: ${JSON.stringify(jobs)}`,
        `the worker's log:\n${workerLog.join("\n")}`,
      ].join("\n"),
    );
  }
}

async function createEnvelope(t: TestServer, key: string, subject: string, send = false) {
  const doc = await uploadDocument(t.url, key);
  const created = await request(t.url, "/api/v1/envelopes", {
    method: "POST",
    key,
    json: {
      subject,
      documentIds: [doc.id],
      recipients: [signerWithSignatureField(1, doc.id)],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (!send) return { id: created.body.id as string, token: "" };
  const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
    method: "POST",
    key,
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return {
    id: created.body.id as string,
    token: sent.body.recipients[0].signUrl.split("/sign/")[1] as string,
  };
}

async function webhook(t: TestServer, key: string, url: string) {
  const hook = await request(t.url, "/api/v1/webhooks", {
    method: "POST",
    key,
    json: { url, events: ["envelope.created", "envelope.sent", "envelope.completed"] },
  });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  return hook.body.id as string;
}

describe("background work: each kind in its own lane", () => {
  let t: TestServer;
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startTestSmtp();
    t = await startTestServer({
      env: {
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_WEBHOOK_TIMEOUT_MS: "60000",
        // Only wake-ups start work: a poll would hide a missing one.
        CERTYNEO_WORKER_INTERVAL_MS: "60000",
        SMTP_URL: smtp.url,
        CERTYNEO_SHUTDOWN_GRACE_MS: "1000",
      },
    });
    t.app.startWorker(RECORDED);
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it("seals and emails for one account while another's endpoints hang", async () => {
    // Two endpoints of other accounts: one holds every request, one never answers at all.
    const slow = await startReceiver(() => ({ status: 200, delayMs: 120_000 }));
    const hole = await startReceiver(() => ({ status: 200, delayMs: 3_600_000 }));
    try {
      const a = await t.newAccount();
      const b = await t.newAccount();
      await webhook(t, a.secret, `${slow.url}/a`);
      await webhook(t, b.secret, `${hole.url}/b`);
      for (let i = 0; i < 5; i++) {
        await createEnvelope(t, a.secret, `A${i}`);
        await createEnvelope(t, b.secret, `B${i}`);
      }
      await until(() => slow.received.length === 1 && hole.received.length === 1, "both hung");

      const c = await t.newAccount();
      const { id, token } = await createEnvelope(t, c.secret, "Unaffected", true);
      await until(
        () => smtp.received.some((m) => m.to.includes("signer1@example.com")),
        "the invitation email",
      );
      await signToCompletion(t.url, token);
      await untilDone(
        t,
        id,
        async () => {
          const res = await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
            headers: { authorization: `Bearer ${c.secret}` },
          });
          return res.status === 200;
        },
        "the sealed PDF",
      );
      // Both endpoints still hold their first request: nothing waited for them.
      assert.equal(slow.received.length, 1);
      assert.equal(hole.received.length, 1);
      const health = await request(t.url, "/api/v1/webhooks", { key: a.secret });
      assert.equal(health.body.data[0].health.state, "healthy");
      assert.equal(health.body.data[0].health.pendingDeliveries, 5);
    } finally {
      await slow.close();
      await hole.close();
    }
  });

  it("starts work as soon as it is enqueued, without waiting for the poll", async () => {
    const receiver = await startReceiver();
    try {
      const { secret } = await t.newAccount();
      await webhook(t, secret, `${receiver.url}/prompt`);
      const { id } = await createEnvelope(t, secret, "Prompt");
      await until(() => receiver.received.length === 1, "the delivery (poll is 60 s)");
      assert.equal(JSON.parse(receiver.received[0]!.body).data.envelope.id, id);
    } finally {
      await receiver.close();
    }
  });
});

describe("a failing endpoint backs off as a whole (circuit breaker)", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", CERTYNEO_WEBHOOK_RETRY_SCHEDULE: "5,30" },
    });
  });
  after(() => t.close());

  it("holds the endpoint's deliveries after a failure, keeps their order, and closes on success", async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    const other = await startReceiver();
    try {
      const { secret } = await t.newAccount();
      const hookId = await webhook(t, secret, `${receiver.url}/down`);
      const otherAccount = await t.newAccount();
      await webhook(t, otherAccount.secret, `${other.url}/up`);
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await createEnvelope(t, secret, `Order ${i}`)).id);
      await createEnvelope(t, otherAccount.secret, "Elsewhere");

      await t.app.worker.runDue();
      assert.equal(receiver.received.length, 1, "one request, not one per queued delivery");
      assert.equal(other.received.length, 1, "another endpoint is not held");
      const open = await request(t.url, `/api/v1/webhooks/${hookId}`, { key: secret });
      assert.equal(open.status, 200);
      assert.equal(open.body.health.state, "backing_off");
      assert.equal(open.body.health.pendingDeliveries, 4);
      assert.equal(
        open.body.health.retryAt,
        new Date(t.clock.now().getTime() + 5000).toISOString(),
      );

      // Still open: nothing is sent before the retry time, not even a new event's delivery.
      ids.push((await createEnvelope(t, secret, "Order 4")).id);
      await t.app.worker.runDue();
      assert.equal(receiver.received.length, 1);

      // Half-open: the first delivery is tried again and fails: held for the next retry.
      t.clock.advance(5000);
      await t.app.worker.runDue();
      assert.equal(receiver.received.length, 2);
      const again = await request(t.url, `/api/v1/webhooks/${hookId}`, { key: secret });
      assert.equal(
        again.body.health.retryAt,
        new Date(t.clock.now().getTime() + 30_000).toISOString(),
      );

      // The endpoint is back: the first success closes the circuit, the rest follow in order.
      receiver.answer(() => ({ status: 200 }));
      t.clock.advance(30_000);
      await t.app.worker.runDue();
      const delivered = receiver.received.map((r) => JSON.parse(r.body).data.envelope.id);
      assert.deepEqual(delivered, [ids[0], ids[0], ...ids]);
      const closed = await request(t.url, `/api/v1/webhooks/${hookId}`, { key: secret });
      assert.equal(closed.body.health.state, "healthy");
      assert.equal(closed.body.health.pendingDeliveries, 0);
      assert.equal(closed.body.health.retryAt, null);
    } finally {
      await receiver.close();
      await other.close();
    }
  });
});

describe("an endpoint's deliveries go in runs", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", CERTYNEO_WEBHOOK_RETRY_SCHEDULE: "5,30" },
    });
  });
  after(() => t.close());

  it("sends the next ones after a success, and a failure midway is that delivery's own attempt", async () => {
    let answered = 0;
    // The first three succeed, then the endpoint fails until told otherwise.
    const receiver = await startReceiver(() => ({ status: ++answered <= 3 ? 200 : 500 }));
    try {
      const { secret } = await t.newAccount();
      const hookId = await webhook(t, secret, `${receiver.url}/run`);
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await createEnvelope(t, secret, `Run ${i}`)).id);
      const deliveries = await t.app.database.db
        .selectFrom("webhook_deliveries")
        .select(["id", "state"])
        .where("webhook_id", "=", hookId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      assert.equal(deliveries.length, 6);

      await t.app.worker.runDue();
      const sent = () => receiver.received.map((r) => JSON.parse(r.body).data.envelope.id);
      assert.deepEqual(sent(), ids.slice(0, 4), "in order, stopped at the first failure");
      const attempts = await t.app.database.db
        .selectFrom("webhook_attempts")
        .innerJoin("webhook_deliveries", "webhook_deliveries.id", "webhook_attempts.delivery_id")
        .select(["webhook_deliveries.payload", "attempt", "status_code", "next_retry_at"])
        .where("webhook_attempts.webhook_id", "=", hookId)
        .execute();
      const of = (id: string) =>
        attempts.filter((a) => JSON.parse(a.payload).data.envelope.id === id);
      for (const id of ids.slice(0, 3))
        assert.deepEqual(
          of(id).map((a) => a.status_code),
          [200],
        );
      assert.deepEqual(
        of(ids[3]!).map((a) => [a.attempt, a.status_code, a.next_retry_at]),
        [[1, 500, new Date(t.clock.now().getTime() + 5000).toISOString()]],
        "the failed one has its attempt, with its retry",
      );
      assert.equal(of(ids[4]!).length + of(ids[5]!).length, 0, "the rest were not tried");
      const open = await request(t.url, `/api/v1/webhooks/${hookId}`, { key: secret });
      assert.equal(open.body.health.state, "backing_off");
      assert.equal(open.body.health.pendingDeliveries, 3);
      const jobs = await t.app.database.db
        .selectFrom("jobs")
        .select(["state", "attempts"])
        .where("lane", "=", hookId)
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        jobs.map((j) => [j.state, j.attempts]),
        [
          ["done", 1],
          ["done", 1],
          ["done", 1],
          ["pending", 1],
          ["waiting", 0],
          ["waiting", 0],
        ],
      );

      // Back on the schedule: the failed one first, then the rest, in order.
      receiver.answer(() => ({ status: 200 }));
      t.clock.advance(5000);
      await t.app.worker.runDue();
      assert.deepEqual(sent(), [...ids.slice(0, 4), ...ids.slice(3)]);
      const closed = await request(t.url, `/api/v1/webhooks/${hookId}`, { key: secret });
      assert.equal(closed.body.health.state, "healthy");
      assert.equal(closed.body.health.pendingDeliveries, 0);
      const left = await t.app.database.db
        .selectFrom("jobs")
        .select("state")
        .where("lane", "=", hookId)
        .where("state", "!=", "done")
        .execute();
      assert.deepEqual(left, []);
    } finally {
      await receiver.close();
    }
  });
});

describe("two instances on one PostgreSQL wake each other", {
  skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
}, () => {
  it("delivers what one instance enqueued from the other's worker, at once", async () => {
    const receiver = await startReceiver();
    const env = { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", CERTYNEO_WORKER_INTERVAL_MS: "60000" };
    const one = await startTestServer({ env });
    const two = await startTestServer({ env, database: one.database });
    try {
      // Only the second instance works; the first only serves the API.
      two.app.startWorker(SILENT);
      const { secret } = await one.newAccount();
      await webhook(one, secret, `${receiver.url}/woken`);
      const { id } = await createEnvelope(one, secret, "Across instances");
      await until(() => receiver.received.length === 1, "the other instance's delivery");
      assert.equal(JSON.parse(receiver.received[0]!.body).data.envelope.id, id);
    } finally {
      await two.close();
      await one.close();
      await receiver.close();
    }
  });
});
