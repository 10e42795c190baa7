import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { type App, createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createTestDatabase, type TestDatabase, testDatabaseKind } from "./helpers/database.js";
import {
  signer,
  signerWithSignatureField,
  signToCompletion,
  uploadDocument,
} from "./helpers/fixtures.js";
import { freePort } from "./helpers/ports.js";
import { startReceiver } from "./helpers/receiver.js";
import { request, startTestServer } from "./helpers/server.js";
import { startTestTsa, type TestTsa } from "./helpers/tsa.js";
import { until } from "./helpers/wait.js";

const BIN = new URL("../bin/certyneo", import.meta.url).pathname;

/** An HTTP server that accepts requests and never answers them: a black hole. */
async function startBlackHole(): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server = createServer(() => {
    state.hits++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("background work survives kill -9 and SIGTERM", () => {
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  let tsa: TestTsa;
  let hole: Awaited<ReturnType<typeof startBlackHole>>;
  let secret: string;
  before(async () => {
    db = await createTestDatabase();
    tsa = await startTestTsa();
    hole = await startBlackHole();
    const app = await createApp(loadConfig({ LOG_LEVEL: "silent", ...db.env }));
    const account = await app.accounts.create("Crash test");
    ({ secret } = await app.keys.create({ accountId: account.id, environment: "test" }, {}));
    await app.close();
  });
  after(async () => {
    for (const child of children) child.kill("SIGKILL");
    await hole.close();
    await tsa.close();
    await db.drop();
  });

  async function serve(env: Record<string, string> = {}) {
    const port = await freePort();
    const proc = spawn(process.execPath, [BIN, "serve"], {
      env: {
        PATH: process.env.PATH,
        LOG_LEVEL: "silent",
        PORT: String(port),
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_JOB_LOCK_MS: "1500",
        ...db.env,
        ...env,
      },
      stdio: "ignore",
    });
    children.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await until(
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      "the instance to start",
      20_000,
    );
    const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
    return { url, proc, exited };
  }

  /** What the database holds, read by an app of its own (no worker started). */
  async function inspect<T>(read: (app: App) => Promise<T>): Promise<T> {
    const app = await createApp(loadConfig({ LOG_LEVEL: "silent", ...db.env }));
    try {
      return await read(app);
    } finally {
      await app.close();
    }
  }

  /** A sent and completed envelope (one signer), through the API of `url`. */
  async function completeEnvelope(url: string, subject: string): Promise<string> {
    const doc = await uploadDocument(url, secret);
    const created = await request(url, "/api/v1/envelopes", {
      method: "POST",
      key: secret,
      json: {
        subject,
        documentIds: [doc.id],
        recipients: [signerWithSignatureField(1, doc.id)],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await request(url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key: secret,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    await signToCompletion(url, token);
    return created.body.id;
  }

  async function sealedState(envelopeId: string) {
    return inspect(async (app) => {
      const parts = await app.database.db
        .selectFrom("sealed_documents")
        .select("part")
        .where("envelope_id", "=", envelopeId)
        .execute();
      const events = await app.database.db
        .selectFrom("events")
        .select("type")
        .where("envelope_id", "=", envelopeId)
        .where("type", "=", "envelope.sealed")
        .execute();
      const job = await app.jobs.find("seal_envelope", envelopeId);
      return { parts: parts.length, sealedEvents: events.length, job };
    });
  }

  it("seals exactly once after a kill -9 during sealing on a worker thread", async () => {
    // The timestamp authority never answers: the seal is in flight on a thread when killed.
    const first = await serve({ CERTYNEO_TSA_URL: hole.url });
    const hitsBefore = hole.hits;
    const id = await completeEnvelope(first.url, "Killed while sealing");
    await until(() => hole.hits > hitsBefore, "the seal to reach the authority", 20_000);
    first.proc.kill("SIGKILL");
    await first.exited;
    assert.equal((await sealedState(id)).parts, 0);

    const second = await serve({ CERTYNEO_TSA_URL: tsa.url });
    await until(async () => (await sealedState(id)).parts > 0, "the seal after the restart");
    // Give a second (wrong) run every chance to show itself.
    await new Promise((r) => setTimeout(r, 1000));
    const state = await sealedState(id);
    assert.equal(state.parts, 2, "one document and the combined PDF");
    assert.equal(state.sealedEvents, 1, "sealed exactly once");
    assert.equal(state.job?.state, "done");
    const pdf = await fetch(`${second.url}/api/v1/envelopes/${id}/signed-document`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(pdf.status, 200);
    second.proc.kill("SIGKILL");
    await second.exited;
  });

  it("hands the sealing back on SIGTERM within the grace period, and a restart finishes it", async () => {
    const first = await serve({ CERTYNEO_TSA_URL: hole.url, CERTYNEO_SHUTDOWN_GRACE_MS: "300" });
    const hitsBefore = hole.hits;
    const id = await completeEnvelope(first.url, "Stopped while sealing");
    await until(() => hole.hits > hitsBefore, "the seal to reach the authority", 20_000);
    const stopping = Date.now();
    first.proc.kill("SIGTERM");
    assert.equal(await first.exited, 0);
    assert.ok(Date.now() - stopping < 10_000, "stopped within its bound");
    const handedBack = await sealedState(id);
    assert.equal(handedBack.parts, 0);
    assert.equal(handedBack.job?.state, "pending", "handed back, not failed");
    assert.equal(handedBack.job?.attempts, 0, "the interrupted attempt does not count");

    const second = await serve({ CERTYNEO_TSA_URL: tsa.url });
    await until(async () => (await sealedState(id)).parts > 0, "the seal after the restart");
    assert.equal((await sealedState(id)).sealedEvents, 1);
    second.proc.kill("SIGKILL");
    await second.exited;
  });

  it("delivers a webhook again after a kill -9 during its delivery", async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 60_000 }));
    try {
      const first = await serve();
      const hook = await request(first.url, "/api/v1/webhooks", {
        method: "POST",
        key: secret,
        json: { url: `${receiver.url}/crash`, events: ["envelope.created"] },
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const doc = await uploadDocument(first.url, secret);
      const created = [];
      for (const subject of ["Crash 1", "Crash 2", "Crash 3"]) {
        const res = await request(first.url, "/api/v1/envelopes", {
          method: "POST",
          key: secret,
          json: { subject, documentIds: [doc.id], recipients: [signer(1)] },
        });
        assert.equal(res.status, 201);
        created.push(res.body.id);
      }
      // The first delivery is in flight (the receiver holds it); the others wait behind it.
      await until(() => receiver.received.length === 1, "the first delivery in flight", 20_000);
      first.proc.kill("SIGKILL");
      await first.exited;
      receiver.answer(() => ({ status: 200 }));

      const second = await serve();
      await until(() => receiver.received.length >= 4, "every delivery after the restart");
      await new Promise((r) => setTimeout(r, 500));
      const envelopes = receiver.received.map((r) => JSON.parse(r.body).data.envelope.id);
      assert.deepEqual(envelopes, [created[0], ...created], "again after the crash, then in order");
      second.proc.kill("SIGKILL");
      await second.exited;
    } finally {
      await receiver.close();
    }
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
