import assert from "node:assert/strict";
import { mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { signaturePngDataUrl } from "../helpers/png.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("job limits: a time limit per job, finished jobs pruned", () => {
  let t: TestServer;
  const blackHole = createServer(() => {});
  before(async () => {
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const address = blackHole.address();
    const port = typeof address === "object" && address ? address.port : 0;
    t = await startTestServer({
      env: {
        // A timestamp authority that never answers: the seal runs until its time limit.
        CERTYNEO_TSA_URL: `http://127.0.0.1:${port}/tsa`,
        CERTYNEO_SEALING_TIME_LIMIT_MS: "1500",
      },
    });
  });
  after(async () => {
    await t.close();
    blackHole.closeAllConnections();
    blackHole.close();
  });

  it("stops a sealing past its time limit and retries it on the schedule", async () => {
    const { secret } = await t.newAccount();
    const doc = await uploadDocument(t.url, secret);
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key: secret,
      json: { subject: "Too slow", documentIds: [doc.id], recipients: [signer(1)] },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key: secret,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "drawn", image: signaturePngDataUrl() } },
    });
    assert.equal(signed.body.envelopeStatus, "COMPLETED");
    await t.app.worker.runDue();
    const job = await t.app.jobs.find("seal_envelope", created.body.id);
    assert.equal(job?.state, "pending", "to be retried");
    assert.equal(job?.attempts, 1);
    assert.match(job?.last_error ?? "", /past its time limit of 2 s/);
    assert.equal(job?.run_after, new Date(t.clock.now().getTime() + 5000).toISOString());
    const envelope = await request(t.url, `/api/v1/envelopes/${created.body.id}`, { key: secret });
    assert.equal(envelope.body.sealedAt, null);
    assert.equal(envelope.body.sealingError, null, "not given up after one attempt");
    const stats = await t.app.jobs.stats();
    const sealing = stats.find((s) => s.kind === "seal_envelope");
    assert.equal(sealing?.pending, 1);
    assert.equal(sealing?.due, 0, "waiting for its retry, not due");
  });

  it("deletes finished jobs after the retention period, keeps the others", async () => {
    const db = t.app.database.db;
    const at = (msAgo: number) => new Date(t.clock.now().getTime() - msAgo).toISOString();
    const row = (id: string, state: "done" | "failed" | "pending", updated: string) => ({
      id,
      kind: "send_notification",
      subject_id: `ntf_${id}`,
      envelope_id: "env_prune",
      account_id: "acct_prune",
      environment: "test" as const,
      state,
      attempts: 1,
      run_after: t.clock.now().toISOString(),
      seq: 1,
      lane: null,
      locked_until: null,
      last_error: null,
      created_at: updated,
      updated_at: updated,
    });
    await db
      .insertInto("jobs")
      .values([
        row("job_old_done", "done", at(8 * DAY_MS)),
        row("job_recent_done", "done", at(6 * DAY_MS)),
        row("job_old_failed", "failed", at(30 * DAY_MS)),
      ])
      .execute();
    // Pruning runs at most once a minute.
    t.clock.advance(60_000);
    await t.app.worker.runDue();
    const left = await db
      .selectFrom("jobs")
      .select("id")
      .where("envelope_id", "=", "env_prune")
      .orderBy("id")
      .execute();
    assert.deepEqual(
      left.map((j) => j.id),
      ["job_old_failed", "job_recent_done"],
      "a failed job stays for the operator; a done one goes after 7 days",
    );
  });

  it("removes staged files left a day ago by a process stopped half-way, keeps recent ones", async () => {
    const dir = t.app.blobs.stagingDir;
    await mkdir(dir, { recursive: true });
    const old = path.join(dir, "1700000000000-left-by-a-killed-upload");
    const recent = path.join(dir, `${Date.now()}-being-written`);
    await writeFile(old, "x");
    await writeFile(recent, "y");
    const dayAndMinuteAgo = new Date(Date.now() - DAY_MS - 60_000);
    await utimes(old, dayAndMinuteAgo, dayAndMinuteAgo);
    t.clock.advance(60_000);
    await t.app.worker.runDue();
    const left = await readdir(dir);
    assert.ok(!left.includes(path.basename(old)), "the old one removed");
    assert.ok(left.includes(path.basename(recent)), "the recent one kept");
    await rm(recent);
  });
});
