import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { JOB_KINDS, type JobStats } from "./services/job-queue/index.js";

/** Seconds: from a fast read to a slow upload or a seal of a large envelope. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * What `GET /metrics` exposes (Prometheus text): requests by route and status with their
 * latency, rate-limit refusals, background jobs (queued, by state, and each run's duration and
 * outcome, sealing included), webhook attempts, emails and SMS, and the process's own (CPU,
 * memory, event loop lag). One registry per app: counters are this instance's, gauges of the
 * queue read from the database at each scrape (the queue is every instance's).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "certyneo_http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: "certyneo_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route template",
    labelNames: ["method", "route"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: "certyneo_rate_limit_refusals_total",
    help: "Requests refused with 429 by a rate limit, by route template",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  private readonly jobRuns = new Counter({
    name: "certyneo_job_runs_total",
    help: "Background job runs on this instance, by kind and outcome (done, failed)",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly jobSeconds = new Histogram({
    name: "certyneo_job_duration_seconds",
    help: "Duration of a background job run, by kind (seal_envelope: the sealing duration)",
    labelNames: ["kind"] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly webhookAttempts = new Counter({
    name: "certyneo_webhook_attempts_total",
    help: "Webhook delivery attempts by outcome (delivered, failed)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: "certyneo_messages_total",
    help: "Emails and text messages handed to the mail server or SMS provider, by outcome (sent, failed)",
    labelNames: ["channel", "outcome"] as const,
    registers: [this.registry],
  });

  /** The queue as read for the scrape under way: both of its gauges show the same read. */
  private queue: Promise<Map<string, JobStats>> | undefined;

  constructor(private readonly jobs: () => Promise<JobStats[]>) {
    collectDefaultMetrics({ register: this.registry, prefix: "certyneo_" });
    const read = () => this.queue ?? this.readQueue();
    new Gauge({
      name: "certyneo_jobs",
      help: "Background jobs in the queue (all instances), by kind and state (due, pending, running, failed)",
      labelNames: ["kind", "state"] as const,
      registers: [this.registry],
      async collect() {
        const byKind = await read();
        // Every kind, at zero when none is queued: a series never vanishes.
        for (const kind of JOB_KINDS)
          for (const state of ["due", "pending", "running", "failed"] as const)
            this.set({ kind, state }, byKind.get(kind)?.[state] ?? 0);
      },
    });
    new Gauge({
      name: "certyneo_jobs_oldest_due_age_seconds",
      help: "How long the oldest due job of each kind has waited for a worker (0: none waits)",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      async collect() {
        const byKind = await read();
        for (const kind of JOB_KINDS) this.set({ kind }, byKind.get(kind)?.oldestDueSeconds ?? 0);
      },
    });
  }

  private async readQueue(): Promise<Map<string, JobStats>> {
    return new Map((await this.jobs()).map((stats) => [stats.kind, stats]));
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestSeconds.observe({ method, route }, seconds);
    if (status === 429) this.refusals.inc({ route });
  }

  job(kind: string, outcome: "done" | "failed", seconds: number): void {
    this.jobRuns.inc({ kind, outcome });
    this.jobSeconds.observe({ kind }, seconds);
  }

  webhookAttempt(delivered: boolean): void {
    this.webhookAttempts.inc({ outcome: delivered ? "delivered" : "failed" });
  }

  message(channel: "email" | "sms", outcome: "sent" | "failed"): void {
    this.messages.inc({ channel, outcome });
  }

  /** The text a Prometheus server scrapes. */
  async scrape(): Promise<string> {
    this.queue = this.readQueue();
    try {
      return await this.registry.metrics();
    } finally {
      this.queue = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
