import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Job, JobQueue } from "../../src/services/job-queue/index.js";
import { JobWorker } from "../../src/workers/job-worker.js";
import { until } from "../helpers/wait.js";

/** A queue in memory with what the worker uses of one: due jobs handed out in order. */
function memoryQueue(count: number) {
  const due = Array.from(
    { length: count },
    (_, i) => ({ id: `job_${i}`, kind: "deliver_webhook", attempts: 1 }) as Job,
  );
  const done: string[] = [];
  const queue = {
    lockMs: 30_000,
    claims: 0,
    async claim() {
      queue.claims++;
      return due.shift();
    },
    async complete(job: Job) {
      done.push(job.id);
    },
    async fail() {
      return "retry" as const;
    },
    async renewLock() {
      return true;
    },
    async release() {},
  };
  return { queue, done, due };
}

describe("the job worker's lanes", () => {
  it("keeps claiming when woken while every worker of the lane is busy", async () => {
    const { queue, done } = memoryQueue(3);
    let finish: (() => void) | undefined;
    const worker = new JobWorker(
      queue as unknown as JobQueue,
      {
        deliver_webhook: () =>
          new Promise<void>((resolve) => {
            finish = resolve;
          }),
      } as never,
      [{ name: "webhooks", kinds: ["deliver_webhook"], concurrency: 1, timeLimitMs: 60_000 }],
    );
    worker.start(60_000);
    await until(() => finish !== undefined, "the first job");
    // Woken while its only worker is busy: the pass has nothing to await.
    worker.wake("deliver_webhook");
    worker.wake("deliver_webhook");
    for (let i = 1; i <= 3; i++) {
      await until(() => finish !== undefined, `job ${i}`);
      const current = finish!;
      finish = undefined;
      current();
      await until(() => done.length === i, `job ${i} done`);
    }
    await worker.stop();
    assert.deepEqual(done, ["job_0", "job_1", "job_2"]);
    assert.equal(await worker.runDue(), 0, "runDue after stop returns");
  });

  it("runs a lane's jobs concurrently up to its limit", async () => {
    const { queue, done } = memoryQueue(10);
    let running = 0;
    let most = 0;
    const worker = new JobWorker(
      queue as unknown as JobQueue,
      {
        deliver_webhook: async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
        },
      } as never,
      [{ name: "webhooks", kinds: ["deliver_webhook"], concurrency: 4, timeLimitMs: 60_000 }],
    );
    assert.equal(await worker.runDue(), 10);
    assert.equal(done.length, 10);
    assert.equal(most, 4);
  });
});
