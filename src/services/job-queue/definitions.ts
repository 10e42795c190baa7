import type { JobsTable } from "../../db/schema.js";

export const JOB_KINDS = [
  "seal_envelope",
  "send_notification",
  "deliver_webhook",
  /** Queued by versions before notifications were recorded: an invitation event's id. */
  "send_invitation",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Seconds to wait before the next attempt, by attempts made so far; then the job fails. */
export const RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800];
/**
 * A running job's lock (the default of `CERTYNEO_JOB_LOCK_MS`): its worker renews it every third
 * of it while it works, so a job whose process died (kill -9, a lost host) is taken over this
 * long after its last renewal.
 */
export const JOB_LOCK_MS = 30 * 1000;

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

/** A job that ran past its lane's time limit: it fails, and is retried on its schedule. */
export class JobTimeoutError extends Error {
  constructor(limitMs: number) {
    super(`The job ran past its time limit of ${Math.round(limitMs / 1000)} s.`);
    this.name = "JobTimeoutError";
  }
}

/** A job given back at shutdown, to run again elsewhere: not a failure. */
export class JobHandedBackError extends Error {
  constructor() {
    super("The worker is shutting down: the job was handed back.");
    this.name = "JobHandedBackError";
  }
}

export type Job = JobsTable;

/** PostgreSQL's channel on which an enqueue wakes every instance's workers (the kind as payload). */
export const JOBS_CHANNEL = "certyneo_jobs";

export interface JobStats {
  kind: JobKind;
  /** Pending and due now: waiting for a free worker. */
  due: number;
  /** Pending, due now or later (retries), or waiting behind another job of their lane. */
  pending: number;
  running: number;
  failed: number;
  /** How long the oldest due job has been waiting; `null` when none is due. */
  oldestDueSeconds: number | null;
}
