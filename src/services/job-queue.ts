import { type Kysely, sql } from "kysely";
import type { Dialect } from "../db/dialect.js";
import type { JobsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Scope } from "../domain/environment.js";
import { newId } from "../security/random.js";

export type JobKind =
  | "seal_envelope"
  | "send_notification"
  | "deliver_webhook"
  /** Queued by versions before notifications were recorded: an invitation event's id. */
  | "send_invitation";

/** Seconds to wait before the next attempt, by attempts made so far; then the job fails. */
export const RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800];
/**
 * A running job's lock: its worker renews it every `JOB_HEARTBEAT_MS` while it works, so a job
 * whose process died (kill -9, a lost host) is taken over this long after its last renewal.
 */
export const JOB_LOCK_MS = 30 * 1000;
export const JOB_HEARTBEAT_MS = 10 * 1000;

/**
 * A failure that another attempt cannot mend: the job's own input is unusable (a stored file is
 * missing, a document cannot be read). The job fails for good at once instead of retrying.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

export type Job = JobsTable;

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
  ) {}

  private lastSeq = 0;

  /** Increasing within a process, and with the clock across processes. */
  private nextSeq(): number {
    this.lastSeq = Math.max(this.clock.now().getTime() * 1000, this.lastSeq + 1);
    return this.lastSeq;
  }

  /** When the attempt after `attempts` failed ones would run, or `null` once the schedule is spent. */
  nextAttemptAt(kind: JobKind, attempts: number): Date | null {
    const delay = (this.schedules[kind] ?? RETRY_SCHEDULE_SECONDS)[attempts - 1];
    return delay === undefined ? null : new Date(this.clock.now().getTime() + delay * 1000);
  }

  /** At most one job of a kind per subject (the envelope by default): enqueueing twice is harmless. */
  async enqueue(
    trx: Kysely<Tables>,
    kind: JobKind,
    envelope: { id: string; scope: Scope },
    subjectId: string = envelope.id,
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    await trx
      .insertInto("jobs")
      .values({
        id: newId("job"),
        kind,
        subject_id: subjectId,
        envelope_id: envelope.id,
        account_id: envelope.scope.accountId,
        environment: envelope.scope.environment,
        state: "pending",
        attempts: 0,
        run_after: now,
        seq: this.nextSeq(),
        locked_until: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(["kind", "subject_id"]).doNothing())
      .execute();
  }

  /** The next due job, now locked to the caller; `undefined` when none is due. */
  async claim(): Promise<Job | undefined> {
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const lockedUntil = new Date(now.getTime() + JOB_LOCK_MS).toISOString();
    const skipLocked = this.dialect === "postgres" ? sql`for update skip locked` : sql``;
    const { rows } = await sql<Job>`
      update jobs set state = 'running', attempts = attempts + 1, locked_until = ${lockedUntil}, updated_at = ${nowIso}
      where id = (
        select id from jobs
        where (state = 'pending' and run_after <= ${nowIso}) or (state = 'running' and locked_until < ${nowIso})
        order by run_after, seq
        limit 1
        ${skipLocked}
      )
      returning *`.execute(this.db);
    return rows[0];
  }

  async complete(job: Job): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({
        state: "done",
        locked_until: null,
        last_error: null,
        updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", job.id)
      .execute();
  }

  /** Pushes a running job's lock forward; `false` when another worker has taken it over. */
  async renewLock(job: Job): Promise<boolean> {
    const lockedUntil = new Date(this.clock.now().getTime() + JOB_LOCK_MS).toISOString();
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
    await this.db
      .updateTable("jobs")
      .set({
        state: next ? "pending" : "failed",
        run_after: (next ?? now).toISOString(),
        locked_until: null,
        last_error: message.slice(0, 2000),
        updated_at: now.toISOString(),
      })
      .where("id", "=", job.id)
      .execute();
    return next ? "retry" : "failed";
  }

  /** Jobs that failed for good, newest first: what an operator has to look at. */
  async listFailed(limit = 100): Promise<Job[]> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("state", "=", "failed")
      .orderBy("updated_at", "desc")
      .limit(limit)
      .execute();
  }

  /** Runs a failed job again now, with a fresh schedule; `false` when no such failed job. */
  async retry(jobId: string): Promise<boolean> {
    const now = this.clock.now().toISOString();
    const result = await this.db
      .updateTable("jobs")
      .set({ state: "pending", attempts: 0, run_after: now, locked_until: null, updated_at: now })
      .where("id", "=", jobId)
      .where("state", "=", "failed")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
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
