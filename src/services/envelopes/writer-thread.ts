// The envelope writer's thread (see `writer.ts`): the envelope service on a connection of its own,
// each call a task of a Piscina pool of one thread, answered with its reply (never thrown).

import { AsyncLocalStorage } from "node:async_hooks";
import { workerData } from "node:worker_threads";
import { blobStore, messageSenders } from "../../app-io.js";
import { openDatabase } from "../../db/database.js";
import { WriteLock } from "../../db/write-lock.js";
import type { Clock } from "../../domain/clock.js";
import { wireEnvelopeServices } from "../../envelope-services.js";
import type { JobKind } from "../job-queue/index.js";
import { JobSequence } from "../job-sequence.js";
import type { EnvelopeWrites } from "./index.js";
import { INPUT_CHECKS } from "./input-checks.js";
import { sentError, type WriteReply, type WriterData, type WriterTask } from "./writer-messages.js";

const data = workerData as WriterData;
const { config } = data;

/**
 * Each call's own: the main thread's clock at the call, the kinds of job it enqueued, and the
 * commits of the groups its writes joined (group commit).
 */
const calls = new AsyncLocalStorage<{
  now: number | undefined;
  enqueued: Set<JobKind>;
  commits: Set<Promise<void>>;
}>();
const clock: Clock = {
  now: () => {
    const now = calls.getStore()?.now;
    return now === undefined ? new Date() : new Date(now);
  },
};

const ready = (async () => {
  const database = openDatabase(config, {
    writeLock: new WriteLock(data.lock, data.slot),
    groupCommit: true,
    checkpoints: false,
  });
  const services = wireEnvelopeServices({
    // A Node 20 worker run by tsx (the tests) cannot import a module once started: imported above.
    inputChecks: INPUT_CHECKS,
    database,
    clock,
    config,
    secretKey: Buffer.from(data.secretKey),
    blobs: await blobStore(config, database),
    ...messageSenders(config, undefined),
    jobSequence: new JobSequence(data.jobSequence),
  });
  services.jobs.onEnqueued((kind) => {
    if (kind) calls.getStore()?.enqueued.add(kind);
  });
  database.commitGroups?.onJoined((committed) => calls.getStore()?.commits.add(committed));
  return { database, envelopes: services.envelopes as EnvelopeWrites };
})();

// A thread that could not open its connection answers each call with that error.
ready.catch(() => {});

export default async function run(task: WriterTask): Promise<WriteReply | undefined> {
  if ("close" in task) {
    // Sent once every call is answered: the connection closes before the main thread's.
    const opened = await ready.catch(() => undefined);
    await opened?.database.close();
    return undefined;
  }
  const state = { now: task.now, enqueued: new Set<JobKind>(), commits: new Set<Promise<void>>() };
  try {
    const { envelopes } = await ready;
    const method = envelopes[task.method] as (...args: unknown[]) => Promise<unknown>;
    const result = await calls.run(state, () => method.apply(envelopes, task.args));
    // The call's writes commit with their turn's others (group commit): only then is it done.
    await Promise.all(state.commits);
    return { enqueued: [...state.enqueued], result };
  } catch (error) {
    return { enqueued: [...state.enqueued], error: sentError(error) };
  }
}
