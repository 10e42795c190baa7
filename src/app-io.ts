import path from "node:path";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import { countedSender } from "./metered.js";
import type { Metrics } from "./metrics.js";
import type { Mailer } from "./notify/mailer.js";
import { createHttpSms, createOutboxSms, type SmsSender } from "./notify/sms.js";
import type { BlobStore } from "./storage/blob-store.js";
import { DatabaseBlobStore } from "./storage/database-blob-store.js";
import { FilesystemBlobStore } from "./storage/filesystem-blob-store.js";
import { S3BlobStore } from "./storage/s3-blob-store.js";
import { createThreadedMailer } from "./workers/mail-pool.js";

/** The store of `CERTYNEO_BLOB_STORE`; every one stages uploads in `dataDir/blobs/tmp`. */
export async function blobStore(config: Config, database: Database): Promise<BlobStore> {
  const localBlobs = new FilesystemBlobStore(path.join(config.dataDir, "blobs"));
  const stagingDir = path.join(config.dataDir, "blobs", "tmp");
  // In the database, files stored on this disk before are still read from it.
  if (config.blobStore === "database")
    return new DatabaseBlobStore(database.db, stagingDir, {
      earlier: localBlobs,
      copyOut: database.copyOut,
      databaseUrl: config.databaseUrl,
    });
  // The AWS SDK is loaded at the store's first operation: it is large.
  if (config.blobStore === "s3" && config.s3) return new S3BlobStore({ ...config.s3, stagingDir });
  return localBlobs;
}

/** How emails and SMS leave, by configuration (the outbox directory when none is set). */
export function messageSenders(
  config: Config,
  metrics: Metrics | undefined,
): { mailer: Mailer; sms: SmsSender } {
  const outboxDir = path.join(config.dataDir, "outbox");
  const mailer = countedSender(
    createThreadedMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir }),
    "email",
    metrics,
  );
  const sms = countedSender(
    config.sms ? createHttpSms({ ...config.sms, timeoutMs: 10_000 }) : createOutboxSms(outboxDir),
    "sms",
    metrics,
  );
  return { mailer, sms };
}
