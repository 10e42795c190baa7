import { JOB_HEARTBEAT_MS, type Job, type JobKind, type JobQueue } from "../services/job-queue.js";

export interface WorkerLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

const SILENT: WorkerLog = { info: () => {}, error: () => {} };

/**
 * Runs due jobs, one at a time per process, polling the queue; before each pass, the scheduled
 * tasks (reminders, expiry) that turn the passing of time into events. Safe on several instances.
 */
export class JobWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<JobKind, (job: Job) => Promise<void>>,
    private readonly scheduled: readonly (() => Promise<unknown>)[] = [],
    private log: WorkerLog = SILENT,
    private readonly heartbeatMs = JOB_HEARTBEAT_MS,
  ) {}

  /** Runs the scheduled tasks, then every job due now; resolves with how many jobs ran. */
  runDue(): Promise<number> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<number> {
    for (const task of this.scheduled) {
      // A failing task (a database hiccup) must not hold up the jobs: it runs again next pass.
      try {
        await task();
      } catch (error) {
        this.log.error({ err: error }, "scheduled task failed");
      }
    }
    let count = 0;
    for (let job = await this.queue.claim(); job; job = await this.queue.claim()) {
      count++;
      const heartbeat = this.heartbeat(job);
      try {
        await this.handlers[job.kind as JobKind](job);
        clearInterval(heartbeat);
        await this.queue.complete(job);
        this.log.info({ job: job.id, kind: job.kind, envelope: job.envelope_id }, "job done");
      } catch (error) {
        clearInterval(heartbeat);
        const outcome = await this.queue.fail(job, error);
        const details = {
          job: job.id,
          kind: job.kind,
          envelope: job.envelope_id,
          attempt: job.attempts,
          outcome,
          err: error,
        };
        // A job given up needs a person: `certyneo jobs failed` lists them, `jobs retry` reruns one.
        if (outcome === "failed") this.log.error(details, "job failed for good");
        else this.log.error(details, "job failed");
      }
    }
    return count;
  }

  /** Keeps the job's lock while it runs, so that only a dead worker's job is taken over. */
  private heartbeat(job: Job): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.queue.renewLock(job).catch((error: unknown) => {
        this.log.error({ job: job.id, err: error }, "job lock not renewed");
      });
    }, this.heartbeatMs);
    timer.unref();
    return timer;
  }

  start(intervalMs: number, log?: WorkerLog): void {
    if (log) this.log = log;
    this.timer ??= setInterval(() => {
      this.runDue().catch((error: unknown) =>
        this.log.error({ err: error }, "job queue unavailable"),
      );
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
