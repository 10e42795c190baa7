import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createTestDatabase, type TestDatabase, testDatabaseKind } from "./helpers/database.js";
import { signer, uploadDocument } from "./helpers/fixtures.js";
import { freePort } from "./helpers/ports.js";
import { startReceiver } from "./helpers/receiver.js";
import { request, startTestServer } from "./helpers/server.js";

const BIN = new URL("../bin/certyneo", import.meta.url).pathname;

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("webhook delivery survives a crash", () => {
  let db: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let child: ChildProcess | undefined;
  before(async () => {
    db = await createTestDatabase();
    receiver = await startReceiver();
  });
  after(async () => {
    child?.kill("SIGKILL");
    await receiver.close();
    await db.drop();
  });

  async function serve(workerIntervalMs: number) {
    const port = await freePort();
    const proc = spawn(process.execPath, [BIN, "serve"], {
      env: {
        PATH: process.env.PATH,
        LOG_LEVEL: "silent",
        PORT: String(port),
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_WORKER_INTERVAL_MS: String(workerIntervalMs),
        ...db.env,
      },
      stdio: "ignore",
    });
    child = proc;
    const url = `http://127.0.0.1:${port}`;
    await until(
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      20_000,
    );
    return { url, proc };
  }

  it("delivers an event committed just before a kill -9, after the restart", async () => {
    const app = await createApp(loadConfig({ LOG_LEVEL: "silent", ...db.env }));
    const account = await app.accounts.create("Crash test");
    const { secret } = await app.keys.create({ accountId: account.id, environment: "test" }, {});
    await app.close();

    // A worker that would not look for work for a minute: the event is committed, not delivered.
    const first = await serve(60_000);
    const hook = await request(first.url, "/api/v1/webhooks", {
      method: "POST",
      key: secret,
      json: { url: `${receiver.url}/crash`, events: ["envelope.created"] },
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const doc = await uploadDocument(first.url, secret);
    const created = await request(first.url, "/api/v1/envelopes", {
      method: "POST",
      key: secret,
      json: { subject: "Crash", documentIds: [doc.id], recipients: [signer(1)] },
    });
    assert.equal(created.status, 201);
    first.proc.kill("SIGKILL");
    await new Promise((resolve) => first.proc.once("exit", resolve));
    assert.equal(receiver.received.length, 0);

    await serve(100);
    await until(() => receiver.received.length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(receiver.received.length, 1, "delivered, exactly once");
    assert.equal(JSON.parse(receiver.received[0]!.body).data.envelope.id, created.body.id);
  });
});

describe("two instances on one PostgreSQL", {
  skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
}, () => {
  it("never send the same delivery twice", async () => {
    const receiver = await startReceiver();
    const env = { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" };
    const one = await startTestServer({ env });
    const two = await startTestServer({ env, database: one.database });
    try {
      const { secret } = await one.newAccount();
      await request(one.url, "/api/v1/webhooks", {
        method: "POST",
        key: secret,
        json: { url: `${receiver.url}/shared`, events: ["envelope.created"] },
      });
      const doc = await uploadDocument(one.url, secret);
      for (let i = 0; i < 12; i++) {
        await request(one.url, "/api/v1/envelopes", {
          method: "POST",
          key: secret,
          json: { subject: `E${i}`, documentIds: [doc.id], recipients: [signer(1)] },
        });
      }
      await Promise.all([
        one.app.worker.runDue(),
        two.app.worker.runDue(),
        one.app.worker.runDue(),
        two.app.worker.runDue(),
      ]);
      const ids = receiver.received.map((r) => JSON.parse(r.body).id);
      assert.equal(ids.length, 12);
      assert.equal(new Set(ids).size, 12);
    } finally {
      await two.close();
      await one.close();
      await receiver.close();
    }
  });
});
