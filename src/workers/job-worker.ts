import {
  type Job,
  JobHandedBackError,
  type JobKind,
  type JobQueue,
  JobTimeoutError,
} from "../services/job-queue/index.js";

export interface WorkerLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

const SILENT: WorkerLog = { info: () => {}, error: () => {} };

/** A kind of work with workers of its own: what happens in one lane never waits for another. */
export interface WorkLane {
  name: string;
  kinds: readonly JobKind[];
  /** Jobs of this lane running at once in this process. */
  concurrency: number;
  /** How long one job may run; past it, its signal aborts and the job fails (and is retried). */
  timeLimitMs: number;
}

/**
 * Runs one job; stops what it can when `signal` aborts (time limit, shutdown). Resolving with
 * `"completed"`: the handler ended the job itself, in the transaction of its outcome.
 */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<unknown>;

interface RunningJob {
  job: Job;
  controller: AbortController;
  handedBack: boolean;
  done: Promise<void>;
}

interface LaneState {
  lane: WorkLane;
  running: Map<string, RunningJob>;
  pump: Promise<void> | undefined;
  again: boolean;
}

/**
 * Runs due jobs, each lane (kind of work) with its own concurrency, so a slow webhook endpoint
 * never holds up sealing or emails. Started, it takes new work as soon as it is enqueued (`wake`)
 * and polls as a safety net; before each poll, the scheduled tasks (reminders, expiry, pruning)
 * that turn the passing of time into events. Safe on several instances.
 */
export class JobWorker {
  private readonly lanes: LaneState[];
  private readonly byKind = new Map<JobKind, LaneState>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** The jobs whose lock renewal is in flight. */
  private readonly renewing = new Set<string>();
  private scheduledRun: Promise<void> | undefined;
  private draining: Promise<number> | undefined;
  private started = false;
  private stopping = false;
  private finished = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<JobKind, JobHandler>,
    lanes: readonly WorkLane[],
    private readonly scheduled: readonly (() => Promise<unknown>)[] = [],
    private log: WorkerLog = SILENT,
    private readonly heartbeatMs = queue.lockMs / 3,
  ) {
    this.lanes = lanes.map((lane) => ({ lane, running: new Map(), pump: undefined, again: false }));
    for (const state of this.lanes)
      for (const kind of state.lane.kinds) this.byKind.set(kind, state);
  }

  /** Jobs running now in this process, by lane. */
  running(): Record<string, number> {
    return Object.fromEntries(this.lanes.map((s) => [s.lane.name, s.running.size]));
  }

  /** Work of `kind` (or of any kind) may be due: look now rather than at the next poll. */
  wake(kind?: JobKind): void {
    if (!this.started || this.stopping) return;
    const lane = kind && this.byKind.get(kind);
    for (const state of lane ? [lane] : this.lanes) void this.pump(state);
  }

  /** Runs the scheduled tasks, then every job due now and what they enqueue; how many ran. */
  runDue(): Promise<number> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<number> {
    await this.runScheduled();
    const first = this.finished;
    for (;;) {
      const before = this.finished;
      await Promise.all(this.lanes.map((state) => this.pump(state)));
      await this.settled();
      if (this.finished === before) return this.finished - first;
    }
  }

  private runScheduled(): Promise<void> {
    this.scheduledRun ??= (async () => {
      for (const task of this.scheduled) {
        // A failing task (a database hiccup) must not hold up the jobs: it runs again next pass.
        try {
          await task();
        } catch (error) {
          this.log.error({ err: error }, "scheduled task failed");
        }
      }
    })().finally(() => {
      this.scheduledRun = undefined;
    });
    return this.scheduledRun;
  }

  /** Claims jobs for a lane while it has free workers; one pump per lane at a time. */
  private pump(state: LaneState): Promise<void> {
    if (state.pump) {
      state.again = true;
      return state.pump;
    }
    const pump: Promise<void> = (async () => {
      try {
        do {
          state.again = false;
          while (!this.stopping && state.running.size < state.lane.concurrency) {
            const job = await this.queue.claim(state.lane.kinds);
            if (!job) break;
            this.launch(state, job);
          }
        } while (state.again && !this.stopping);
      } catch (error) {
        this.log.error({ err: error, lane: state.lane.name }, "job queue unavailable");
      }
    })().finally(() => {
      // Cleared after the assignment below, even when the pass had nothing to await; a wake that
      // came after the pass's last claim starts another pass.
      if (state.pump === pump) {
        state.pump = undefined;
        if (state.again && !this.stopping) void this.pump(state);
      }
      this.notifyIdle();
    });
    state.pump = pump;
    return pump;
  }

  private launch(state: LaneState, job: Job): void {
    const entry: RunningJob = {
      job,
      controller: new AbortController(),
      handedBack: false,
      done: Promise.resolve(),
    };
    state.running.set(job.id, entry);
    this.startHeartbeat();
    entry.done = this.execute(state.lane, entry).finally(() => {
      state.running.delete(job.id);
      this.finished++;
      this.notifyIdle();
      if (!this.stopping) void this.pump(state);
    });
  }

  private async execute(lane: WorkLane, entry: RunningJob): Promise<void> {
    const { job, controller } = entry;
    const details = {
      job: job.id,
      kind: job.kind,
      envelope: job.envelope_id,
      attempt: job.attempts,
    };
    const timer = setTimeout(
      () => controller.abort(new JobTimeoutError(lane.timeLimitMs)),
      lane.timeLimitMs,
    );
    try {
      const outcome = await Promise.race([
        this.handlers[job.kind as JobKind](job, controller.signal),
        rejectWhenAborted(controller.signal),
      ]);
      if (outcome !== "completed") await this.queue.complete(job);
      this.log.info(details, "job done");
    } catch (error) {
      if (entry.handedBack) {
        this.log.info(details, "job handed back");
        return;
      }
      try {
        const outcome = await this.queue.fail(job, error);
        // A job given up needs a person: `certyneo jobs failed` lists them, `jobs retry` reruns one.
        this.log.error(
          { ...details, outcome, err: error },
          outcome === "failed" ? "job failed for good" : "job failed",
        );
      } catch (failError) {
        // Its lock expires and another pass takes it over.
        this.log.error({ ...details, err: failError }, "job failure not recorded");
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps the running jobs' locks, so that only a dead worker's job is taken over. */
  private startHeartbeat(): void {
    this.heartbeatTimer ??= setInterval(() => {
      const running = this.lanes.flatMap((s) => [...s.running.values()]);
      if (running.length === 0) {
        clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = undefined;
        return;
      }
      for (const { job } of running) {
        // One renewal of a job at a time: on PostgreSQL's pool, one sent earlier could commit
        // after the next and move the lock back (a slow database makes them overlap).
        if (this.renewing.has(job.id)) continue;
        this.renewing.add(job.id);
        this.queue
          .renewLock(job)
          .catch((error: unknown) => {
            this.log.error({ job: job.id, err: error }, "job lock not renewed");
          })
          .finally(() => this.renewing.delete(job.id));
      }
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private busy(): boolean {
    return this.lanes.some((s) => s.running.size > 0 || s.pump !== undefined);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no job runs and no lane is claiming. */
  private async settled(): Promise<void> {
    while (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  start(intervalMs: number, log?: WorkerLog): void {
    if (log) this.log = log;
    this.started = true;
    this.stopping = false;
    this.timer ??= setInterval(() => {
      void this.runScheduled().then(() => this.wake());
    }, intervalMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Stops taking work and waits up to `graceMs` for the jobs running; those still running then
   * are handed back (pending again, the attempt not counted) and cancelled where they can be.
   */
  async stop(graceMs = 0): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const all = () => this.lanes.flatMap((s) => [...s.running.values()]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([
        ...all().map((r) => r.done),
        ...this.lanes.map((s) => s.pump),
        this.scheduledRun,
      ]),
      new Promise((resolve) => {
        timeout = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timeout);
    const left = all();
    for (const entry of left) {
      entry.handedBack = true;
      try {
        await this.queue.release(entry.job);
      } catch (error) {
        // Its lock expires and it is taken over then.
        this.log.error({ job: entry.job.id, err: error }, "job not handed back");
      }
      entry.controller.abort(new JobHandedBackError());
    }
    await Promise.allSettled([...left.map((r) => r.done), this.draining]);
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.started = false;
  }
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
