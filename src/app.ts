import path from "node:path";
import { blobStore, messageSenders } from "./app-io.js";
import type { Config } from "./config.js";
import { type Database, openDatabase, SQLITE_FILE_NAME } from "./db/database.js";
import { SqliteCommits } from "./db/sqlite-commits.js";
import { WriteLock } from "./db/write-lock.js";
import { type Clock, systemClock } from "./domain/clock.js";
import { wireEnvelopeServices } from "./envelope-services.js";
import { timedHandlers } from "./metered.js";
import type { Metrics } from "./metrics.js";
import { DEFAULT_PNG_LIMITS } from "./pdf/png-limits.js";
import type { PlatformPki } from "./pki/platform-pki.js";
import { RateLimiter } from "./rate-limit/limiter.js";
import { MemoryRateLimitStore } from "./rate-limit/memory-store.js";
import { PostgresRateLimitStore } from "./rate-limit/postgres-store.js";
import type { RateLimitStore } from "./rate-limit/store.js";
import { ensurePrivateDir } from "./security/private-files.js";
import { SecretBox } from "./security/secret-box.js";
import { loadSecretKey } from "./security/secret-key.js";
import type { AccountSettingsService } from "./services/account-settings.js";
import { AccountService } from "./services/accounts.js";
import { API_KEY_CHANGES_FILE_NAME, ApiKeyCache } from "./services/api-key-cache.js";
import { ApiKeyService } from "./services/api-keys.js";
import { AuditTrailService } from "./services/audit-trail.js";
import { BrandingService } from "./services/branding.js";
import type { DocumentService } from "./services/documents.js";
import type { EnvelopeService } from "./services/envelopes/index.js";
import { KeptEnvelopes } from "./services/envelopes/kept-envelopes.js";
import { EnvelopeWriter } from "./services/envelopes/writer.js";
import type { EventLog } from "./services/event-log.js";
import { EvidenceRenewalService, RENEWAL_INTERVAL_MS } from "./services/evidence-renewal.js";
import { ExpiryService } from "./services/expiry.js";
import { IdempotencyStore } from "./services/idempotency.js";
import type { JobKind, JobQueue } from "./services/job-queue/index.js";
import { JobSequence } from "./services/job-sequence.js";
import { LastUsedTracker } from "./services/last-used.js";
import type { NotificationService } from "./services/notifications/index.js";
import { ReminderService } from "./services/reminders.js";
import { SandboxService } from "./services/sandbox.js";
import { SealingService } from "./services/sealing/index.js";
import { SessionService } from "./services/sessions.js";
import { SignInMail } from "./services/sign-in-mail.js";
import {
  DEFAULT_SIGNING_LIMITS,
  type SigningLimits,
  SigningService,
} from "./services/signing/index.js";
import { UserService } from "./services/users.js";
import { VerificationService } from "./services/verification.js";
import type { WebhookService } from "./services/webhooks/index.js";
import type { BlobStore } from "./storage/blob-store.js";
import { sweepStaging } from "./storage/staging.js";
import { VERIFY_PATH } from "./verify/page.js";
import { listenForJobs } from "./workers/job-wakeups.js";
import { type JobHandler, JobWorker, type WorkerLog } from "./workers/job-worker.js";
import { PdfPool } from "./workers/pdf-pool.js";

/** Longest an email or SMS job may take: above SMTP's own 30 s connect and 60 s idle timeouts. */
const NOTIFICATION_TIME_LIMIT_MS = 5 * 60_000;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Finished jobs are pruned at most this often: not on every pass of every instance. */
const PRUNE_INTERVAL_MS = 60 * 1000;

/** `task`, run when called at most once per `intervalMs` of `clock`. */
function atMostEvery(intervalMs: number, clock: Clock, task: () => Promise<unknown>) {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now().getTime();
    if (now - last < intervalMs) return;
    last = now;
    await task();
  };
}

export interface AppOptions {
  clock?: Clock;
}

/** Everything a running Certyneo needs, wired once; the CLI and the tests both start from here. */
export interface App {
  config: Config;
  database: Database;
  /** Where stored files are kept (`CERTYNEO_BLOB_STORE`). */
  blobs: BlobStore;
  clock: Clock;
  accounts: AccountService;
  settings: AccountSettingsService;
  keys: ApiKeyService;
  /** The people of each account, and how they sign in to the dashboard. */
  users: UserService;
  sessions: SessionService;
  /** Sign-in links and invitations, by email. */
  signInMail: SignInMail;
  branding: BrandingService;
  documents: DocumentService;
  envelopes: EnvelopeService;
  events: EventLog;
  idempotency: IdempotencyStore;
  signing: SigningService;
  verification: VerificationService;
  /** What `GET /metrics` exposes, when `CERTYNEO_METRICS_TOKEN` is set. */
  metrics: Metrics | undefined;
  /** Empties an account's test environment. */
  sandbox: SandboxService;
  /** The platform's signing identity, created on first use. */
  pki(): Promise<PlatformPki>;
  jobs: JobQueue;
  sealing: SealingService;
  auditTrails: AuditTrailService;
  webhooks: WebhookService;
  reminders: ReminderService;
  notifications: NotificationService;
  /** Sealed PDFs timestamped again before their last timestamp expires. */
  evidence: EvidenceRenewalService;
  /** Runs background jobs; started by `startWorker` (`serve`), driven by `runDue` in tests. */
  worker: JobWorker;
  /** The threads that stamp, seal and render PDFs. */
  pdf: PdfPool;
  /** Starts the worker: woken by enqueues (on PostgreSQL, every instance's), polling besides. */
  startWorker(log: WorkerLog): void;
  lastUsed: LastUsedTracker;
  limiter: RateLimiter;
  close(): Promise<void>;
}

/** Verifications that may wait for a PDF thread before the next is refused (503). */
const VERIFICATIONS_WAITING = 8;

async function rateLimitStore(config: Config, database: Database): Promise<RateLimitStore> {
  if (config.redisUrl) {
    const { RedisRateLimitStore } = await import("./rate-limit/redis-store.js");
    return new RedisRateLimitStore(config.redisUrl);
  }
  if (database.dialect === "postgres") return new PostgresRateLimitStore(database.db);
  return new MemoryRateLimitStore();
}

/** The limits of the signing links: the configured ones, and fixed ones derived from them. */
function signingLimits(config: Config): SigningLimits {
  const perIp = config.signingRateLimit;
  return {
    ...DEFAULT_SIGNING_LIMITS,
    png: { ...DEFAULT_PNG_LIMITS, ...config.signatureImage },
    writesPerIp: perIp,
    readsPerIp: { perMinute: perIp.perMinute * 5, burst: perIp.burst * 5 },
  };
}

/** Opens the database and applies pending migrations. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  // Owner-only, created or tightened before anything is written in it (docs/security.md).
  ensurePrivateDir(config.dataDir);
  // On SQLite, the envelopes' writes run on a thread of their own, which shares the write lock.
  const writeLock = !config.databaseUrl && config.sqliteWriterThread ? new WriteLock() : undefined;
  const database = openDatabase(config, { writeLock });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  const lastUsed = new LastUsedTracker(database.db);
  const keptEnvelopes =
    database.dialect === "sqlite"
      ? new KeptEnvelopes(new SqliteCommits(path.join(config.dataDir, SQLITE_FILE_NAME)))
      : undefined;
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const blobs = await blobStore(config, database);
  let pkiLoading: Promise<PlatformPki> | undefined;
  let renewAt = Number.POSITIVE_INFINITY;
  const pki = () => {
    // A certificate due for renewal is issued anew by loading again (`loadPlatformPki`).
    if (clock.now().getTime() >= renewAt) pkiLoading = undefined;
    const now = clock.now();
    // Its modules (X.509, CMS, the PDF library) are loaded at the first use, which most CLI
    // commands never make.
    pkiLoading ??= import("./pki/platform-pki.js")
      .then(({ loadPlatformPki }) =>
        loadPlatformPki({
          dataDir: config.dataDir,
          secret: secretKey,
          organization: config.organization,
          publicUrl: config.publicUrl,
          pkcs12: config.pkcs12,
          pkcs11: config.pkcs11,
          now,
        }),
      )
      .then((loaded) => {
        renewAt = loaded.renewAt.getTime();
        return loaded;
      });
    return pkiLoading;
  };
  const pdf = new PdfPool(async () => (await pki()).identity, config.pdfThreads);
  // Counted only when they are exposed: no cost otherwise.
  const metrics = config.metricsToken
    ? new (await import("./metrics.js")).Metrics(() => jobs.stats())
    : undefined;
  const { mailer, sms } = messageSenders(config, metrics);
  const jobSequence = new JobSequence();
  const writer =
    writeLock &&
    new EnvelopeWriter({
      config,
      secretKey,
      writeLock,
      jobSequence,
      clock: clock === systemClock ? undefined : clock,
      // Its jobs wake this thread's worker, as this thread's own do.
      onEnqueued: (kind) => jobs.enqueuedElsewhere(kind),
    });
  const { documents, jobs, webhooks, events, settings, notifications, envelopes } =
    wireEnvelopeServices({
      database,
      clock,
      config,
      secretKey,
      blobs,
      inspect: (source, limits = config.documentLimits) => pdf.inspect(source, limits),
      mailer,
      sms,
      metrics,
      jobSequence,
      writes: writer,
      keptEnvelopes,
    });
  const bucketStore = await rateLimitStore(config, database);
  const limiter = new RateLimiter(bucketStore, clock);
  const sealing = new SealingService(
    database.db,
    database.dialect,
    clock,
    blobs,
    events,
    pdf,
    config.tsaUrl,
  );
  const reminders = new ReminderService(database.db, database.dialect, clock, events);
  const expiry = new ExpiryService(database.db, database.dialect, clock, events);
  const handlers: Record<JobKind, JobHandler> = {
    seal_envelope: (job, signal) =>
      sealing.sealJob(
        job.envelope_id,
        job.attempts,
        jobs.nextAttemptAt("seal_envelope", job.attempts),
        signal,
      ),
    send_invitation: (job) =>
      database.db.transaction().execute(async (trx) => {
        const scope = { accountId: job.account_id, environment: job.environment };
        for (const message of await notifications.planStored(trx, job.subject_id))
          await jobs.enqueue(trx, "send_notification", { id: job.envelope_id, scope }, message);
      }),
    send_notification: (job) =>
      notifications.deliver(
        job.subject_id,
        job.attempts,
        jobs.nextAttemptAt("send_notification", job.attempts),
      ),
    deliver_webhook: (job, signal) =>
      webhooks.delivery.deliverRun(
        job,
        jobs.nextAttemptAt("deliver_webhook", job.attempts),
        signal,
      ),
  };
  const evidence = new EvidenceRenewalService(
    database.db,
    database.dialect,
    clock,
    blobs,
    events,
    pdf,
    config.tsaUrl,
  );
  const worker = new JobWorker(
    jobs,
    timedHandlers(handlers, metrics),
    [
      {
        name: "sealing",
        kinds: ["seal_envelope"],
        concurrency: config.pdfThreads,
        timeLimitMs: config.sealingTimeLimitMs,
      },
      {
        name: "notifications",
        kinds: ["send_notification", "send_invitation"],
        concurrency: config.notificationConcurrency,
        timeLimitMs: NOTIFICATION_TIME_LIMIT_MS,
      },
      {
        name: "webhooks",
        kinds: ["deliver_webhook"],
        concurrency: config.webhookConcurrency,
        // The request's own timeout, and the recording of its outcome.
        timeLimitMs: config.webhookTimeoutMs + 30_000,
      },
    ],
    [
      () => expiry.expireDue(),
      () => reminders.remindDue(),
      atMostEvery(RENEWAL_INTERVAL_MS, clock, () => evidence.scheduled()),
      atMostEvery(PRUNE_INTERVAL_MS, clock, () =>
        jobs.pruneDone(new Date(clock.now().getTime() - config.jobRetentionDays * DAY_MS)),
      ),
      // Files' own times are the system's, whatever the app's clock says.
      atMostEvery(PRUNE_INTERVAL_MS, clock, () =>
        sweepStaging(blobs.stagingDir, new Date(Date.now() - DAY_MS)),
      ),
    ],
  );
  const stopLocalWakeups = jobs.onEnqueued((kind) => worker.wake(kind));
  let wakeups: { close(): Promise<void> } | undefined;
  const accounts = new AccountService(database.db, clock);
  const keys = new ApiKeyService(
    database.db,
    clock,
    lastUsed,
    config.rateLimit,
    bucketStore instanceof PostgresRateLimitStore,
    database.dialect === "sqlite"
      ? new ApiKeyCache(path.join(config.dataDir, API_KEY_CHANGES_FILE_NAME))
      : undefined,
  );
  return {
    config,
    database,
    clock,
    accounts,
    settings,
    keys,
    users: new UserService(database.db, clock),
    sessions: new SessionService(database.db, clock, secretKey),
    signInMail: new SignInMail(mailer, database.db, config.publicUrl),
    branding: new BrandingService(database.db, clock),
    documents,
    events,
    idempotency: new IdempotencyStore(
      database.db,
      clock,
      new SecretBox(secretKey, "certyneo idempotent responses v1"),
    ),
    pki,
    jobs,
    sealing,
    evidence,
    auditTrails: new AuditTrailService(
      database.db,
      clock,
      events,
      pdf,
      config.tsaUrl,
      `${config.publicUrl.replace(/\/+$/, "")}${VERIFY_PATH}`,
    ),
    blobs,
    worker,
    pdf,
    startWorker(log) {
      pdf.warm();
      worker.start(config.workerIntervalMs, log);
      if (database.dialect === "postgres" && config.databaseUrl)
        wakeups ??= listenForJobs(config.databaseUrl, (kind) => worker.wake(kind), log);
    },
    signing: new SigningService(
      database.db,
      database.dialect,
      clock,
      events,
      documents,
      blobs,
      mailer,
      sms,
      limiter,
      secretKey,
      signingLimits(config),
    ),
    metrics,
    sandbox: new SandboxService(database.db, database.dialect, blobs),
    verification: new VerificationService(documents, pdf, pki, limiter, {
      perIp: config.verifyRateLimit,
      // One thread stays free for sealing, when there are two or more.
      concurrent: Math.max(1, config.pdfThreads - 1),
      waiting: VERIFICATIONS_WAITING,
    }),
    envelopes,
    webhooks,
    reminders,
    notifications,
    lastUsed,
    limiter,
    async close() {
      stopLocalWakeups();
      await wakeups?.close();
      await worker.stop(config.shutdownGraceMs);
      await lastUsed.stop();
      await limiter.close();
      keys.close();
      keptEnvelopes?.close();
      // Its connection first: the last to close checkpoints the whole log.
      await writer?.close();
      await database.close();
    },
  };
}
