import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../../src/config.js";
import { openDatabase, SQLITE_FILE_NAME } from "../../src/db/database.js";
import { WRITE_LOCK_SLOTS, WriteLock } from "../../src/db/write-lock.js";
import { CertyneoError } from "../../src/domain/errors.js";
import { SYSTEM_CONTEXT } from "../../src/services/event-log.js";
import { createTestDatabase, testDatabaseKind } from "../helpers/database.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

/** Whether `promise` has settled within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(ms);
  return done;
}

// The envelope writer is SQLite's: PostgreSQL's writers never sleep a thread.
describe("the envelope writer's thread (SQLite)", { skip: testDatabaseKind !== "sqlite" }, () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: { id: string };
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key, ["a4"]);
  });
  after(() => t.close());

  const createEnvelope = () =>
    request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Writer", documentIds: [doc.id], recipients: [signer(1)] },
    });
  /** The process's write lock, taken as a third thread would: every writer waits for it. */
  const holdWriteLock = async () => {
    const lock = new WriteLock(t.app.database.writeLock!.buffer, WRITE_LOCK_SLOTS.other);
    await lock.acquire();
    return lock;
  };

  it("makes writes of both threads wait their turn while requests go on being answered", async () => {
    const lock = await holdWriteLock();
    const onWriter = createEnvelope();
    const onMain = request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key,
      json: { url: "http://127.0.0.1:9/hooks" },
    });
    try {
      assert.equal(await settledWithin(onWriter, 200), false, "the writer's create waits");
      assert.equal(await settledWithin(onMain, 0), false, "the main thread's write waits");
      // The thread serving HTTP waits for the lock without sleeping: reads are answered meanwhile.
      assert.equal((await request(t.url, "/healthz")).status, 200);
      assert.equal((await request(t.url, `/api/v1/documents/${doc.id}`, { key })).status, 200);
    } finally {
      lock.release();
    }
    const [created, webhook] = await Promise.all([onWriter, onMain]);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(webhook.status, 201, JSON.stringify(webhook.body));
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, "SENT");
  });

  it("answers the contract's errors from the thread, as the service's own", async () => {
    const scope = { accountId, environment: "test" as const };
    await assert.rejects(
      t.app.envelopes.send(scope, "env_000000000000000000000000", SYSTEM_CONTEXT),
      (error: unknown) =>
        error instanceof CertyneoError &&
        error.kind === "not_found" &&
        error.code === "envelope_not_found" &&
        error.param === "id" &&
        error.message === 'No envelope with id "env_000000000000000000000000".',
    );
    const created = await createEnvelope();
    await t.app.envelopes.send(scope, created.body.id, SYSTEM_CONTEXT);
    const again = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "envelope_not_draft");
  });

  it("answers writes sent together once their group has committed; one failing leaves the rest", async () => {
    /** `writes` started while the write lock is held: in the thread, they run as groups. */
    const together = async <T>(writes: () => Promise<T>[]): Promise<T[]> => {
      const lock = await holdWriteLock();
      let started: Promise<T>[];
      try {
        started = writes();
        await sleep(200); // Every call is in the thread, the first waiting for the lock.
      } finally {
        lock.release();
      }
      return Promise.all(started);
    };
    const created = await together(() => Array.from({ length: 10 }, () => createEnvelope()));
    // Each answer means committed: the main thread's connection, which sees only committed rows,
    // reads each envelope.
    const read = (id: string) => request(t.url, `/api/v1/envelopes/${id}`, { key });
    for (const response of created) {
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal((await read(response.body.id)).status, 200);
    }
    const ids = created.map((response) => response.body.id as string);
    const send = (id: string) =>
      request(t.url, `/api/v1/envelopes/${id}/send`, { method: "POST", key });
    // The same envelope twice, in the middle: its second send is refused, within a group.
    const sends = await together(() => [
      ...ids.slice(0, 5).map(send),
      send(ids[0]!),
      ...ids.slice(5).map(send),
    ]);
    assert.deepEqual(
      sends.map((response) => response.status),
      [...Array(5).fill(200), 409, ...Array(5).fill(200)],
    );
    for (const id of ids) assert.equal((await read(id)).body.status, "SENT");
  });

  it("refuses the calls of a thread that ended, skips its turn for the lock, and starts another", async () => {
    const lock = await holdWriteLock();
    try {
      // Not through `request`: a server fault (500) is in no operation's contract.
      const waiting = fetch(`${t.url}/api/v1/envelopes`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ subject: "Cut", documentIds: [doc.id], recipients: [signer(1)] }),
      });
      await sleep(100); // The call is in the thread, waiting for the lock.
      const writer = (
        t.app.envelopes as unknown as {
          writes: { pool: { threads: { terminate(): Promise<number> }[] } };
        }
      ).writes;
      assert.equal(writer.pool.threads.length, 1);
      await writer.pool.threads[0]!.terminate();
      const refused = await waiting;
      assert.equal(refused.status, 500);
      assert.equal(((await refused.json()) as any).error.code, "internal_error");
    } finally {
      lock.release();
    }
    // The ended thread's ticket was skipped: the next write does not wait for it forever.
    const created = await createEnvelope();
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
});

describe("closing the app (SQLite)", { skip: testDatabaseKind !== "sqlite" }, () => {
  it("waits for the envelope writes in flight, then closes the writer's connection first", async () => {
    const database = await createTestDatabase();
    try {
      const t = await startTestServer({ database });
      const { secret, accountId } = await t.newAccount();
      const document = await uploadDocument(t.url, secret, ["a4"]);
      const scope = { accountId, environment: "test" as const };
      const writes = Array.from({ length: 5 }, (_, n) =>
        t.app.envelopes.create(
          scope,
          {
            subject: `Close ${n}`,
            documentIds: [document.id],
            recipients: [{ ...signer(n), role: "SIGNER" as const }],
          },
          SYSTEM_CONTEXT,
        ),
      );
      const outcomes = Promise.allSettled(writes);
      await t.close();
      const settled = await outcomes;
      assert.deepEqual(
        settled.map((s) => s.status),
        Array(5).fill("fulfilled"),
      );
      // A write after the close is refused, not run on a thread started anew.
      await assert.rejects(
        t.app.envelopes.create(
          scope,
          {
            subject: "Too late",
            documentIds: [document.id],
            recipients: [{ ...signer(9), role: "SIGNER" as const }],
          },
          SYSTEM_CONTEXT,
        ),
        /The envelope writer is closed/,
      );
      // Both connections closed, the writer's first: the last emptied the log and removed it.
      const dataDir = database.env.CERTYNEO_DATA_DIR;
      assert.equal(existsSync(path.join(dataDir, `${SQLITE_FILE_NAME}-wal`)), false);
      const reopened = openDatabase(loadConfig({ LOG_LEVEL: "silent", ...database.env }));
      try {
        const rows = await reopened.db
          .selectFrom("envelopes")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("account_id", "=", accountId)
          .executeTakeFirstOrThrow();
        assert.equal(Number(rows.n), 5);
      } finally {
        await reopened.close();
      }
    } finally {
      await database.drop();
    }
  });
});
