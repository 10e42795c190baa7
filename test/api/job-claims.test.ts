import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { JobKind } from "../../src/services/job-queue/index.js";
import type { ManualClock } from "../helpers/clock.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * Claims seek each kind's first job (`firstClaimableQuery`): what they take, and in which order,
 * is that of one queue over the kinds claimed together, on both databases.
 */
describe("claiming jobs of several kinds", () => {
  let t: TestServer;
  const envelope = {
    id: "env_claims",
    scope: { accountId: "acct_claims", environment: "test" as const },
  };
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());
  beforeEach(async () => {
    await t.app.database.db.deleteFrom("jobs").execute();
  });

  const clock = () => t.clock as ManualClock;
  async function enqueue(kind: JobKind, subjectId: string, runAfter?: Date) {
    await t.app.database.db
      .transaction()
      .execute((trx) => t.app.jobs.enqueue(trx, kind, envelope, subjectId, { runAfter }));
  }
  const later = (seconds: number) => new Date(clock().now().getTime() + seconds * 1000);
  const NOTIFICATIONS: JobKind[] = ["send_notification", "send_invitation"];

  it("takes the earliest due job across the kinds, then the next, never one of another kind", async () => {
    await enqueue("send_invitation", "inv-1");
    await enqueue("seal_envelope", "seal-1");
    await enqueue("send_notification", "ntf-1");
    await enqueue("send_invitation", "inv-2");
    await enqueue("send_notification", "ntf-later", later(60));
    const taken: string[] = [];
    for (
      let job = await t.app.jobs.claim(NOTIFICATIONS);
      job;
      job = await t.app.jobs.claim(NOTIFICATIONS)
    ) {
      taken.push(job.subject_id);
      await t.app.jobs.complete(job);
    }
    assert.deepEqual(taken, ["inv-1", "ntf-1", "inv-2"]);
    clock().advance(61_000);
    assert.equal((await t.app.jobs.claim(NOTIFICATIONS))?.subject_id, "ntf-later");
    assert.equal((await t.app.jobs.claim(["seal_envelope"]))?.subject_id, "seal-1");
    assert.equal(await t.app.jobs.claim(["seal_envelope", ...NOTIFICATIONS]), undefined);
  });

  it("orders jobs due at the same moment by when they were enqueued, whatever their kind", async () => {
    for (const [kind, subject] of [
      ["send_notification", "a"],
      ["send_invitation", "b"],
      ["send_notification", "c"],
      ["send_invitation", "d"],
    ] as const)
      await enqueue(kind, subject);
    const taken = [];
    for (let n = 0; n < 4; n++) taken.push((await t.app.jobs.claim(NOTIFICATIONS))?.subject_id);
    assert.deepEqual(taken, ["a", "b", "c", "d"]);
  });

  it("takes over a job whose worker died before any due one, once its lock has run out", async () => {
    await enqueue("send_notification", "abandoned");
    const running = await t.app.jobs.claim(NOTIFICATIONS);
    assert.equal(running?.subject_id, "abandoned");
    await enqueue("send_invitation", "due");
    clock().advance(t.app.jobs.lockMs + 1);
    const first = await t.app.jobs.claim(NOTIFICATIONS);
    assert.equal(first?.subject_id, "abandoned");
    assert.equal(first?.attempts, 2);
    assert.equal((await t.app.jobs.claim(NOTIFICATIONS))?.subject_id, "due");
  });

  it("never gives one job to two claims made at the same time", async () => {
    for (let n = 0; n < 20; n++)
      await enqueue(n % 2 ? "send_notification" : "send_invitation", `job-${n}`);
    const claims = await Promise.all(
      Array.from({ length: 30 }, () => t.app.jobs.claim(NOTIFICATIONS)),
    );
    const taken = claims.flatMap((job) => (job ? [job.subject_id] : []));
    assert.equal(taken.length, 20);
    assert.equal(new Set(taken).size, 20);
  });
});
