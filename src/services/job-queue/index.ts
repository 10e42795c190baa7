import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { insertRows } from "../../db/insert-rows.js";
import { lockLane } from "../../db/locks.js";
import type { JobsTable, Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { Scope } from "../../domain/environment.js";
import { newOrderedId } from "../../security/random.js";
import { JobSequence } from "../job-sequence.js";
import {
  JOB_LOCK_MS,
  JOBS_CHANNEL,
  type Job,
  type JobKind,
  type JobStats,
  PermanentJobError,
  RETRY_SCHEDULE_SECONDS,
} from "./definitions.js";
import { endRun } from "./end-run.js";
import { type LaneContext, laneBusy, promoteNext } from "./lanes.js";
import {
  type Claimable,
  doneBeforeQuery,
  failedNewestFirstQuery,
  firstClaimableQuery,
} from "./queries.js";
import { jobStats } from "./report-stats.js";
import { retryJob } from "./retry-job.js";

export * from "./definitions.js";
export {
  type Claimable,
  doneBeforeQuery,
  failedNewestFirstQuery,
  firstClaimableQuery,
  unfinishedInLaneQuery,
} from "./queries.js";

/**
 * Durable jobs in the database. A job is enqueued in the transaction of the event that calls for
 * it, so it is never lost; a crashed worker's job is taken over when its lock expires; on
 * PostgreSQL several instances claim jobs with `FOR UPDATE SKIP LOCKED` and never run one twice
 * at the same time.
 */
export class JobQueue {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    /** Retry delays in seconds by kind, where a kind needs its own. */
    private readonly schedules: Partial<Record<JobKind, readonly number[]>> = {},
    readonly lockMs: number = JOB_LOCK_MS,
    /** Shared with the process's other threads that enqueue (the envelope writer). */
    private readonly sequence: JobSequence = new JobSequence(),
  ) {}

  /** What the lane functions (`lanes.ts`) need, within `trx`. */
  private lanes(trx: Kysely<Tables>): LaneContext {
    return { trx, dialect: this.dialect, clock: this.clock };
  }

  /** When each set of kinds (a lane's) last looked for a dead worker's job. */
  private readonly lastTakeover = new Map<string, number>();

  /** Increasing within a process, and with the clock across processes. */
  private nextSeq(): number {
    return this.sequence.next(this.clock.now().getTime());
  }

  /** When the attempt after `attempts` failed ones would run, or `null` once the schedule is spent. */
  nextAttemptAt(kind: JobKind, attempts: number): Date | null {
    const delay = (this.schedules[kind] ?? RETRY_SCHEDULE_SECONDS)[attempts - 1];
    return delay === undefined ? null : new Date(this.clock.now().getTime() + delay * 1000);
  }

  /** Called after each enqueue in this process, with the kind (see `onEnqueued`). */
  private readonly listeners = new Set<(kind?: JobKind) => void>();

  /**
   * Tells `listener` of each job enqueued by this process. On SQLite the listener's own queries
   * wait for the enqueuing transaction to commit (one connection); on PostgreSQL, where they
   * would not, the transaction's `NOTIFY` wakes every instance once it commits instead.
   */
  onEnqueued(listener: (kind?: JobKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** At most one job of a kind per subject (the envelope by default): enqueueing twice is harmless. */
  async enqueue(
    trx: Kysely<Tables>,
    kind: JobKind,
    envelope: { id: string; scope: Scope },
    subjectId: string = envelope.id,
    options: { lane?: string; runAfter?: Date | null } = {},
  ): Promise<void> {
    await this.enqueueAll(trx, kind, envelope, [{ subjectId, ...options }]);
  }

  /** {@link enqueue} for several subjects, in one statement; those of one lane run in this order. */
  async enqueueAll(
    trx: Kysely<Tables>,
    kind: JobKind,
    envelope: { id: string; scope: Scope },
    subjects: readonly { subjectId: string; lane?: string; runAfter?: Date | null }[],
  ): Promise<void> {
    if (subjects.length === 0) return;
    const now = this.clock.now();
    // Lanes with an unfinished job: a job waits its turn behind it (promoted when that one ends).
    const busy = new Set<string>();
    const seen = new Set<string>();
    const rows: JobsTable[] = [];
    for (const { subjectId, lane = null, runAfter } of subjects) {
      let state: "pending" | "waiting" = "pending";
      if (lane) {
        if (!seen.has(lane)) {
          seen.add(lane);
          await lockLane(trx, this.dialect, lane);
          if (await laneBusy(trx, lane)) busy.add(lane);
        }
        if (busy.has(lane)) state = "waiting";
        busy.add(lane);
      }
      rows.push({
        id: newOrderedId("job"),
        kind,
        subject_id: subjectId,
        envelope_id: envelope.id,
        account_id: envelope.scope.accountId,
        environment: envelope.scope.environment,
        state,
        attempts: 0,
        run_after: (runAfter && runAfter > now ? runAfter : now).toISOString(),
        seq: this.nextSeq(),
        lane,
        locked_until: null,
        last_error: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
    }
    await insertRows(trx, "jobs", rows, ["kind", "subject_id"]);
    if (this.dialect !== "postgres") return this.wakeLocally(kind);
    // Once per kind and transaction: PostgreSQL would fold the duplicates anyway.
    if (trx.isTransaction) {
      const notified = this.notified.get(trx) ?? new Set<JobKind>();
      if (notified.has(kind)) return;
      notified.add(kind);
      this.notified.set(trx, notified);
    }
    await sql`select pg_notify(${JOBS_CHANNEL}, ${kind})`.execute(trx);
  }

  private readonly notified = new WeakMap<Kysely<Tables>, Set<JobKind>>();

  /**
   * The next due job of one of `kinds`, now locked to the caller; `undefined` when none is due.
   * Pending ones in order; a dead worker's job (its lock ran out) is looked for first, every third
   * of the lock time for each set of kinds, so that a pass with nothing due costs one statement.
   * Each statement seeks each kind's first job in the index on (kind, state, run_after, seq):
   * finished jobs, and jobs of other kinds, however many, are never read.
   */
  async claim(kinds: readonly JobKind[]): Promise<Job | undefined> {
    const nowIso = this.clock.now().toISOString();
    const now = Date.parse(nowIso);
    const key = kinds.join(",");
    if (now - (this.lastTakeover.get(key) ?? 0) >= this.lockMs / 3) {
      this.lastTakeover.set(key, now);
      const taken = await this.claimIn(kinds, "abandoned", nowIso);
      if (taken) {
        // More may have died with it: looked for again at the next claim.
        this.lastTakeover.delete(key);
        return taken;
      }
    }
    return this.claimIn(kinds, "due", nowIso);
  }

  private async claimIn(
    kinds: readonly JobKind[],
    claimable: Claimable,
    nowIso: string,
  ): Promise<Job | undefined> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + this.lockMs).toISOString();
    const { rows } = await sql<Job>`
      update jobs set state = 'running', attempts = attempts + 1, locked_until = ${lockedUntil}, updated_at = ${now.toISOString()}
      where id = (${firstClaimableQuery(this.dialect, kinds, claimable, nowIso)})
      returning *`.execute(this.db);
    return rows[0];
  }

  /** Runs `change` and, for a job of a lane, hands the lane to its next job, in one transaction. */
  private async ending(job: Job, change: (trx: Kysely<Tables>) => Promise<void>): Promise<void> {
    if (!job.lane) return change(this.db);
    const lane = job.lane;
    await this.db.transaction().execute(async (trx) => {
      await change(trx);
      await promoteNext(this.lanes(trx), lane);
    });
  }

  async complete(job: Job): Promise<void> {
    if (!job.lane) return this.completeIn(this.db, job);
    await this.db.transaction().execute((trx) => this.completeIn(trx, job));
  }

  /** Ends a job as done within `trx` (a transaction for a job of a lane: its next one's turn). */
  private async completeIn(trx: Kysely<Tables>, job: Job): Promise<void> {
    await trx
      .updateTable("jobs")
      .set({
        state: "done",
        locked_until: null,
        last_error: null,
        updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", job.id)
      .where("state", "=", "running")
      .where("attempts", "=", job.attempts)
      .execute();
    if (job.lane) await promoteNext(this.lanes(trx), job.lane);
  }

  /** The jobs waiting in `lane` behind its first one, in their turn: at most `limit`. */
  async waitingInLane(lane: string, limit: number): Promise<Job[]> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("lane", "=", lane)
      .where("state", "=", "waiting")
      .orderBy("seq")
      .limit(limit)
      .execute();
  }

  /**
   * Ends, within `trx`, a run of a lane's jobs (see `endRun` in `end-run.ts`): `owned: false` when
   * `head` is no longer this worker's.
   */
  endRun(
    trx: Kysely<Tables>,
    head: Job,
    followers: readonly Job[],
    failed?: Job,
  ): Promise<{ owned: false } | { owned: true; claimed: Job | undefined }> {
    return endRun(this.lanes(trx), this.lockMs, head, followers, failed);
  }

  /**
   * Gives a running job back untouched, for another worker or a restart to run: the attempt does
   * not count. For a shutdown that cannot wait for the job to finish.
   */
  async release(job: Job): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({
        state: "pending",
        attempts: job.attempts - 1,
        locked_until: null,
        updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", job.id)
      .where("state", "=", "running")
      .where("attempts", "=", job.attempts)
      .execute();
  }

  /** Pushes a running job's lock forward; `false` when another worker has taken it over. */
  async renewLock(job: Job): Promise<boolean> {
    const lockedUntil = new Date(this.clock.now().getTime() + this.lockMs).toISOString();
    const result = await this.db
      .updateTable("jobs")
      .set({ locked_until: lockedUntil })
      .where("id", "=", job.id)
      .where("state", "=", "running")
      .where("attempts", "=", job.attempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Schedules the next attempt, or gives up: at once for a `PermanentJobError`, otherwise once the
   * schedule is spent.
   */
  async fail(job: Job, error: unknown): Promise<"retry" | "failed"> {
    const now = this.clock.now();
    const next =
      error instanceof PermanentJobError
        ? null
        : this.nextAttemptAt(job.kind as JobKind, job.attempts);
    const message = error instanceof Error ? error.message : String(error);
    const update = async (trx: Kysely<Tables>) => {
      await trx
        .updateTable("jobs")
        .set({
          state: next ? "pending" : "failed",
          run_after: (next ?? now).toISOString(),
          locked_until: null,
          last_error: message.slice(0, 2000),
          updated_at: now.toISOString(),
        })
        .where("id", "=", job.id)
        .where("state", "=", "running")
        .where("attempts", "=", job.attempts)
        .execute();
    };
    // Retried, it stays the first of its lane: the others keep waiting for it (the endpoint backs
    // off as a whole). Failed for good, the next one gets its turn.
    if (next) await update(this.db);
    else await this.ending(job, update);
    return next ? "retry" : "failed";
  }

  /** Makes a held lane's first job due now (its endpoint answered again). */
  async resumeLane(lane: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.db
      .updateTable("jobs")
      .set({ run_after: now })
      .where("lane", "=", lane)
      .where("state", "=", "pending")
      .where("run_after", ">", now)
      .execute();
    await this.wake("deliver_webhook");
  }

  /** Wakes the workers of this instance (and, on PostgreSQL, of every instance) now. */
  private async wake(kind?: JobKind): Promise<void> {
    if (this.dialect === "postgres")
      await sql`select pg_notify(${JOBS_CHANNEL}, ${kind ?? ""})`.execute(this.db);
    else this.wakeLocally(kind);
  }

  /**
   * Tells this process's listeners (`onEnqueued`) of jobs of `kind` that another thread of the
   * process enqueued on its own connection (the envelope writer's).
   */
  enqueuedElsewhere(kind: JobKind): void {
    this.wakeLocally(kind);
  }

  private wakeLocally(kind?: JobKind): void {
    for (const listener of this.listeners) listener(kind);
  }

  /** Jobs waiting or running in each of `lanes`. */
  async laneDepths(lanes: readonly string[]): Promise<Map<string, number>> {
    if (lanes.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("jobs")
      .select((eb) => ["lane", eb.fn.countAll<number>().as("count")])
      .where("lane", "in", lanes)
      .where("state", "in", ["pending", "running", "waiting"])
      .groupBy("lane")
      .execute();
    return new Map(rows.map((r) => [r.lane ?? "", Number(r.count)]));
  }

  /** Deletes finished jobs last touched before `before`, at most `batch` of them; how many. */
  async pruneDone(before: Date, batch = 1000): Promise<number> {
    const result = await this.db
      .deleteFrom("jobs")
      .where("id", "in", doneBeforeQuery(this.db, before.toISOString(), batch))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** By kind: jobs due now, running, and failed for good, and the age of the oldest due one. */
  stats(): Promise<JobStats[]> {
    return jobStats(this.db, this.clock);
  }

  /** Jobs that failed for good, newest first: what an operator has to look at. */
  async listFailed(limit = 100): Promise<Job[]> {
    return failedNewestFirstQuery(this.db, limit).execute();
  }

  /** Runs a failed job again now, with a fresh schedule; `false` when no such failed job. */
  async retry(jobId: string): Promise<boolean> {
    const retried = await retryJob(this.db, this.dialect, this.clock, jobId);
    if (retried) await this.wake();
    return retried;
  }

  async find(kind: JobKind, subjectId: string): Promise<Job | undefined> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("kind", "=", kind)
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
  }
}
