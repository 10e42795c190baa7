import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { signal } from "../helpers/wait.js";

/** Sends an envelope to one signer and signs it: COMPLETED, with its sealing job queued. */
async function completed(t: TestServer, key: string): Promise<{ id: string; documentSha: string }> {
  const doc = await uploadDocument(t.url, key);
  const sent = await sendEnvelope(t.url, key, { documentIds: [doc.id], recipients: [signer(1)] });
  const token = sent.recipients[0].signUrl.split("/sign/")[1];
  const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
    method: "POST",
    json: { consent: true, signature: { type: "typed", text: "Signer 1" } },
  });
  assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
  return { id: sent.id, documentSha: doc.sha256 };
}

/** Every stored file holding exactly these bytes, whatever the store's layout. */
async function filesWithContent(root: string, sha256: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex") === sha256
    )
      found.push(file);
  }
  return found;
}

describe("sealing that cannot succeed", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_BLOB_STORE: "filesystem" } }); // files removed on disk
    ({ secret: key, accountId } = await t.newAccount());
  });
  after(() => t.close());

  it("fails for good at once on a missing stored file, shows why, and can be retried", async () => {
    const { id, documentSha } = await completed(t, key);
    await t.app.worker.runDue(); // sealed once; then the file goes missing and it is sealed again
    const blobs = path.join(t.app.config.dataDir, "blobs");
    const files = await filesWithContent(blobs, documentSha);
    assert.ok(files.length > 0, "the document's bytes are stored");
    // Not a state the API can reach (that is tested elsewhere): an operator's disk lost the file.
    await t.app.database.db
      .updateTable("jobs")
      .set({ state: "pending", attempts: 0, run_after: t.clock.now().toISOString() })
      .where("envelope_id", "=", id)
      .where("kind", "=", "seal_envelope")
      .execute();
    await t.app.database.db.deleteFrom("sealed_documents").where("envelope_id", "=", id).execute();
    await t.app.database.db
      .updateTable("envelopes")
      .set({ sealed_at: null })
      .where("id", "=", id)
      .execute();
    for (const file of files) await rename(file, `${file}.away`);

    await t.app.worker.runDue();
    const job = await t.app.jobs.find("seal_envelope", id);
    assert.equal(job?.state, "failed", "no retry can bring the file back");
    assert.equal(job?.attempts, 1);
    assert.match(job?.last_error ?? "", /stored file of document doc_\w+ is missing/);
    t.clock.advance(24 * 3600 * 1000);
    await t.app.worker.runDue();
    assert.equal((await t.app.jobs.find("seal_envelope", id))?.attempts, 1, "never tried again");

    const envelope = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(envelope.body.status, "COMPLETED");
    assert.equal(envelope.body.sealedAt, null);
    assert.match(envelope.body.sealingError, /is missing/);
    const download = await request(t.url, `/api/v1/envelopes/${id}/signed-document`, { key });
    assert.equal(download.status, 409);
    assert.equal(download.body.error.code, "envelope_sealing_failed");
    assert.match(download.body.error.message, /operator/);
    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      id,
    );
    const failed = events.filter((e) => e.type === "envelope.sealing_failed");
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.data as { attempts: number }).attempts, 1);
    assert.ok((await t.app.jobs.listFailed()).some((j) => j.envelope_id === id));

    // The operator restores the file and retries: the envelope is sealed, the error cleared.
    for (const file of files) await rename(`${file}.away`, file);
    assert.equal(await t.app.jobs.retry(job!.id), true);
    assert.equal(await t.app.jobs.retry(job!.id), false, "only a failed job is retried");
    await t.app.worker.runDue();
    assert.equal((await t.app.jobs.find("seal_envelope", id))?.state, "done");
    const sealed = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(sealed.body.sealingError, null);
    assert.ok(sealed.body.sealedAt);
    const pdf = await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(pdf.status, 200);
  });

  it("records sealedAt when sealing succeeds", async () => {
    const { id } = await completed(t, key);
    await t.app.worker.runDue();
    const envelope = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(envelope.body.sealedAt, t.clock.now().toISOString());
    assert.equal(envelope.body.sealingError, null);
  });
});

describe("sealing from the database blob store", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_BLOB_STORE: "database" } });
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  // On PostgreSQL the PDF thread reads the document's chunks on its own connection: the row says
  // the file is stored, the thread finds its bytes gone.
  it("fails for good at once when a document's stored bytes are gone", async () => {
    const { id, documentSha } = await completed(t, key);
    await t.app.database.db
      .deleteFrom("stored_blob_chunks")
      .where("sha256", "=", documentSha)
      .execute();
    await t.app.worker.runDue();
    const job = await t.app.jobs.find("seal_envelope", id);
    assert.equal(job?.state, "failed", "no retry can bring the file back");
    assert.equal(job?.attempts, 1);
    assert.match(job?.last_error ?? "", /stored file of document doc_\w+ is missing/);
  });
});

describe("a job's lock", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_BLOB_STORE: "filesystem" } }); // files removed on disk
  });
  after(() => t.close());

  it("is renewed while its worker works, and taken over soon after the worker dies", async () => {
    const { JobQueue, JOB_LOCK_MS, JOB_KINDS } = await import(
      "../../src/services/job-queue/index.js"
    );
    const { JobWorker } = await import("../../src/workers/job-worker.js");
    const queue = new JobQueue(t.app.database.db, t.app.database.dialect, t.clock);
    const { accountId } = await t.newAccount();
    const scope = { accountId, environment: "test" as const };
    await queue.enqueue(t.app.database.db, "seal_envelope", { id: "env_lock", scope });

    const working = signal();
    const running = signal();
    const handler = async () => {
      running.fire();
      await working.promise;
    };
    const worker = new JobWorker(
      queue,
      {
        seal_envelope: handler,
        send_notification: handler,
        deliver_webhook: handler,
        send_invitation: handler,
      },
      [{ name: "all", kinds: JOB_KINDS, concurrency: 1, timeLimitMs: 60_000 }],
      [],
      undefined,
      5,
    );
    const pass = worker.runDue();
    await running.promise;
    const lockOf = async () =>
      (await queue.find("seal_envelope", "env_lock"))?.locked_until ?? "none";
    const first = await lockOf();
    // Time passes while the job runs: the heartbeat moves the lock along with it.
    t.clock.advance(JOB_LOCK_MS - 1000);
    // Within 10 s of real time: a loaded CI machine may take a while to commit an UPDATE.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await lockOf()) === first)
      await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok((await lockOf()) > first, "the lock was renewed");
    t.clock.advance(JOB_LOCK_MS - 1000);
    assert.equal(await queue.claim(JOB_KINDS), undefined, "a live worker's job is not taken over");
    working.fire();
    assert.equal(await pass, 1);
    assert.equal((await queue.find("seal_envelope", "env_lock"))?.state, "done");

    // A worker killed mid-job renews nothing: its job is free once the lock runs out.
    await queue.enqueue(t.app.database.db, "seal_envelope", { id: "env_lock", scope }, "second");
    const claimed = await queue.claim(JOB_KINDS);
    assert.equal(claimed?.subject_id, "second");
    assert.equal(await queue.claim(JOB_KINDS), undefined);
    t.clock.advance(JOB_LOCK_MS + 1);
    assert.equal(
      (await queue.claim(JOB_KINDS))?.subject_id,
      "second",
      "taken over within the lock time",
    );
  });
});
