import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import type { Clock } from "./domain/clock.js";
import type { Metrics } from "./metrics.js";
import type { Mailer } from "./notify/mailer.js";
import type { SmsSender } from "./notify/sms.js";
import { SecretBox } from "./security/secret-box.js";
import { SigningTokens } from "./security/signing-tokens.js";
import { AccountSettingsService } from "./services/account-settings.js";
import { DocumentService } from "./services/documents.js";
import { EnvelopeService, type EnvelopeWrites } from "./services/envelopes/index.js";
import type { InputChecks } from "./services/envelopes/input-checks.js";
import { type KeptEnvelopes, RevisedEnvelopes } from "./services/envelopes/kept-envelopes.js";
import { loadInputChecks } from "./services/envelopes/load-input-checks.js";
import { EventLog } from "./services/event-log.js";
import { JobQueue } from "./services/job-queue/index.js";
import type { JobSequence } from "./services/job-sequence.js";
import { NotificationService } from "./services/notifications/index.js";
import { WebhookService } from "./services/webhooks/index.js";
import type { BlobStore } from "./storage/blob-store.js";

export interface EnvelopeServicesOptions {
  database: Database;
  clock: Clock;
  config: Config;
  secretKey: Buffer;
  blobs: BlobStore;
  /** Where PDFs are inspected (the app's PDF threads). */
  inspect?: ConstructorParameters<typeof DocumentService>[6];
  mailer: Mailer;
  sms: SmsSender;
  metrics?: Metrics | undefined;
  /** The order of enqueued jobs, shared by the process's threads. */
  jobSequence?: JobSequence | undefined;
  /** Where the envelopes' writes run, when not on this thread (`EnvelopeWriter`). */
  writes?: EnvelopeWrites | undefined;
  /** On SQLite, where envelopes read are kept while nothing is committed. */
  keptEnvelopes?: KeptEnvelopes | undefined;
  /** The envelope checks' modules, when already loaded; otherwise imported at the first check. */
  inputChecks?: InputChecks | undefined;
}

/** The envelope service, and what its events call for: jobs, notifications, webhooks. */
export interface EnvelopeServices {
  documents: DocumentService;
  jobs: JobQueue;
  webhooks: WebhookService;
  events: EventLog;
  settings: AccountSettingsService;
  tokens: SigningTokens;
  notifications: NotificationService;
  envelopes: EnvelopeService;
}

/**
 * The services an envelope's writes reach, wired as the app wires them: by the app on its main
 * thread, and by the envelope writer's thread on its own connection (`services/envelopes/writer`).
 */
export function wireEnvelopeServices(options: EnvelopeServicesOptions): EnvelopeServices {
  const { database, clock, config, secretKey, blobs, metrics } = options;
  const { db, dialect } = database;
  const documents = new DocumentService(
    db,
    dialect,
    blobs,
    clock,
    config.maxDocumentBytes,
    config.documentLimits,
    options.inspect,
  );
  const jobs = new JobQueue(
    db,
    dialect,
    clock,
    { deliver_webhook: config.webhookRetrySchedule },
    config.jobLockMs,
    options.jobSequence,
  );
  const webhooks = new WebhookService(
    db,
    clock,
    jobs,
    new SecretBox(secretKey, "certyneo webhook secrets v1"),
    {
      allowPrivate: config.webhookAllowPrivate,
      timeoutMs: config.webhookTimeoutMs,
      ...(metrics && { onAttempt: (delivered: boolean) => metrics.webhookAttempt(delivered) }),
    },
  );
  // Declared below; the reaction runs only once all are built.
  let envelopes: EnvelopeService | undefined;
  let notifications: NotificationService | undefined;
  const events = new EventLog(clock, [
    // Work that an event calls for is enqueued in the event's transaction: delayed, never lost.
    async (trx, envelope, appended) => {
      if (appended.some((e) => e.type === "envelope.completed"))
        await jobs.enqueue(trx, "seal_envelope", envelope);
      // Each message is a job, sent by the worker once the events are committed.
      const messages = await notifications!.plan(trx, envelope, appended);
      await jobs.enqueueAll(
        trx,
        "send_notification",
        envelope,
        messages.map((subjectId) => ({ subjectId })),
      );
      const snapshot =
        envelope.snapshot ?? (() => envelopes!.get(envelope.scope, envelope.id, trx));
      const deliveries = await webhooks.fanOut(trx, envelope.scope, appended, async () => ({
        object: "envelope",
        ...(await snapshot()),
      }));
      // One lane per endpoint: its deliveries go one at a time, in order, backing off together.
      await jobs.enqueueAll(
        trx,
        "deliver_webhook",
        envelope,
        deliveries.map((d) => ({ subjectId: d.id, lane: d.webhookId, runAfter: d.retryAt })),
      );
    },
  ]);
  const settings = new AccountSettingsService(db, clock, config.expiryDays);
  const tokens = new SigningTokens(secretKey);
  notifications = new NotificationService(
    db,
    dialect,
    clock,
    events,
    options.mailer,
    options.sms,
    tokens,
    settings,
    blobs,
    { publicUrl: config.publicUrl, attachmentMaxBytes: config.mailAttachmentMaxBytes },
  );
  const given = options.inputChecks && Promise.resolve(options.inputChecks);
  envelopes = new EnvelopeService(
    {
      db,
      dialect,
      clock,
      documents,
      events,
      tokens,
      settings,
      publicUrl: config.publicUrl,
      inputChecks: given ? () => given : loadInputChecks,
      kept: options.keptEnvelopes,
      revised: dialect === "postgres" ? new RevisedEnvelopes() : undefined,
    },
    options.writes,
  );
  return { documents, jobs, webhooks, events, settings, tokens, notifications, envelopes };
}
