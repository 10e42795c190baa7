import { availableParallelism } from "node:os";
import path from "node:path";
import { DEFAULT_PNG_LIMITS, PNG_HARD_LIMITS } from "./pdf/png-limits.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface RateLimitPolicy {
  /** Sustained refill rate of the token bucket. */
  perMinute: number;
  /** Bucket capacity: how many requests may be made in a burst. */
  burst: number;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** `undefined` selects the embedded SQLite database in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * Where stored files (documents, sealed PDFs, signature images) are kept: `filesystem`, under
   * `dataDir/blobs`, or `database`, in the database, shared by every host using it. Default:
   * `database` on PostgreSQL, `filesystem` on SQLite.
   */
  blobStore: "filesystem" | "database" | "s3";
  /** With `blobStore` s3: the bucket, a key prefix, and whether to address it by path. */
  s3: { bucket: string; prefix: string; forcePathStyle: boolean } | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  logLevel: LogLevel;
  /** `json` (one object a line), `pretty` (for a person), or `auto`: pretty on a terminal. */
  logFormat: "auto" | "json" | "pretty";
  /** Largest accepted request body, in bytes, for JSON endpoints. */
  bodyLimit: number;
  /** Largest accepted PDF, in bytes. */
  maxDocumentBytes: number;
  /** How large, in structure, an accepted PDF and an envelope may be. */
  documentLimits: {
    /** Most pages in one PDF. */
    maxPages: number;
    /** Most indirect objects in one PDF. */
    maxObjects: number;
    /** Most bytes the object and cross-reference streams of one PDF may inflate to. */
    maxInflatedBytes: number;
    /** Most pages of all the documents of one envelope together. */
    maxEnvelopePages: number;
  };
  /** A drawn or uploaded signature (PNG) larger than this is refused before it is decoded. */
  signatureImage: {
    /** Most pixels on each side. */
    maxDimension: number;
    /** Most bytes of the decoded image (width × height × bytes per pixel). */
    maxDecodedBytes: number;
  };
  /** Write actions through signing links, per client IP (reads may be five times as many). */
  signingRateLimit: RateLimitPolicy;
  /** Verifications (`POST /api/v1/verify`, the `/verify` page) per client IP. */
  verifyRateLimit: RateLimitPolicy;
  rateLimit: RateLimitPolicy;
  trustProxy: boolean;
  /** Master secret; unset, one is generated in `dataDir`. */
  secretKey: string | undefined;
  /** Set: `GET /metrics` answers, to a bearer of this token. Unset: 404. */
  metricsToken: string | undefined;
  /** `smtp://` or `smtps://`; unset, messages are written to the outbox in `dataDir`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The email of the owner created on the first start (who changes it in the dashboard). */
  ownerEmail: string;
  /** A signed PDF up to this size is attached to the completed email; larger, it is linked. */
  mailAttachmentMaxBytes: number;
  /** A generic HTTP SMS provider; unset, text messages are written to the outbox. */
  sms: { url: string; token: string | undefined; from: string | undefined } | undefined;
  /** Days after sending when an envelope without `expiresAt` expires (accounts may change it). */
  expiryDays: number;
  /** Origins allowed to embed the signing pages in a frame; empty: none. */
  frameAncestors: string[];
  /** Named in the platform certificates. */
  organization: string;
  /** An operator's signing certificate, instead of the generated platform one. */
  pkcs12: { path: string; password: string } | undefined;
  /** An operator's seal key in a PKCS#11 token (HSM), with its certificate and chain (PEM file). */
  pkcs11:
    | { module: string; token: string; pin: string; key: string; certificate: string }
    | undefined;
  /** RFC 3161 timestamp authority: signatures become PAdES B-T. */
  tsaUrl: string | undefined;
  /** How often background jobs are looked for, besides being woken when one is enqueued. */
  workerIntervalMs: number;
  /** Worker threads that stamp, seal and render PDFs (sealing jobs running at once). */
  pdfThreads: number;
  /** Notifications (emails, SMS) sent at once by one instance. */
  notificationConcurrency: number;
  /** Webhook deliveries in flight at once by one instance (one per endpoint at most). */
  webhookConcurrency: number;
  /** How long a sealing job may run before it is stopped and retried. */
  sealingTimeLimitMs: number;
  /** How long a stopping instance waits for running jobs before handing them back. */
  shutdownGraceMs: number;
  /** Finished jobs are deleted this many days after they finished. */
  jobRetentionDays: number;
  /** A running job's lock, renewed while it runs: how soon a dead instance's job is taken over. */
  jobLockMs: number;
  /** Deliver webhooks to private, loopback and link-local addresses too (development only). */
  webhookAllowPrivate: boolean;
  /** On SQLite, the envelopes' writes run on a thread of their own (`CERTYNEO_SQLITE_WRITER_THREAD`). */
  sqliteWriterThread: boolean;
  /**
   * On SQLite, when a commit reaches the disk (`CERTYNEO_SQLITE_SYNCHRONOUS`): `normal`, at the
   * next checkpoint; `full`, before the write is answered.
   */
  sqliteSynchronous: "normal" | "full";
  /** Seconds between delivery attempts; its length is the number of retries. */
  webhookRetrySchedule: number[];
  webhookTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the configuration from environment variables; every problem is reported at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      if (!protocols.includes(new URL(raw).protocol)) throw new Error("protocol");
      return raw;
    } catch {
      problems.push(
        `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
      );
      return undefined;
    }
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["true", "1", "yes"].includes(raw)) return true;
    if (["false", "0", "no"].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const port = integer("PORT", 3000, 0, 65535);
  const host = read("HOST") ?? "127.0.0.1";
  const publicUrl = url("PUBLIC_URL", ["http:", "https:"]);
  const databaseUrl = url("DATABASE_URL", ["postgres:", "postgresql:"]);
  const redisUrl = url("REDIS_URL", ["redis:", "rediss:"]);
  const blobStore = (read("CERTYNEO_BLOB_STORE") ??
    (databaseUrl ? "database" : "filesystem")) as Config["blobStore"];
  if (blobStore !== "filesystem" && blobStore !== "database" && blobStore !== "s3") {
    problems.push(`CERTYNEO_BLOB_STORE must be filesystem, database or s3 (got "${blobStore}")`);
  }
  const s3Bucket = read("CERTYNEO_S3_BUCKET");
  if (blobStore === "s3" && !s3Bucket) {
    problems.push("CERTYNEO_BLOB_STORE=s3 needs CERTYNEO_S3_BUCKET (the bucket's name)");
  }
  const s3 =
    blobStore === "s3" && s3Bucket
      ? {
          bucket: s3Bucket,
          prefix: read("CERTYNEO_S3_PREFIX") ?? "",
          forcePathStyle: read("CERTYNEO_S3_FORCE_PATH_STYLE") === "true",
        }
      : undefined;
  const logLevel = (read("LOG_LEVEL") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);
  }
  const logFormat = (read("LOG_FORMAT") ?? "auto") as Config["logFormat"];
  if (!["auto", "json", "pretty"].includes(logFormat)) {
    problems.push(`LOG_FORMAT must be auto, json or pretty (got "${logFormat}")`);
  }
  const bodyLimit = integer("CERTYNEO_BODY_LIMIT", 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const maxDocumentBytes = integer(
    "CERTYNEO_MAX_DOCUMENT_BYTES",
    25 * 1024 * 1024,
    1024,
    1024 * 1024 * 1024,
  );
  const maxPdfPages = integer("CERTYNEO_MAX_PDF_PAGES", 1000, 1, 100_000);
  const maxPdfObjects = integer("CERTYNEO_MAX_PDF_OBJECTS", 200_000, 100, 10_000_000);
  const maxPdfInflatedBytes = integer(
    "CERTYNEO_MAX_PDF_INFLATED_BYTES",
    256 * 1024 * 1024,
    1024 * 1024,
    2 * 1024 * 1024 * 1024,
  );
  const maxEnvelopePages = integer("CERTYNEO_MAX_ENVELOPE_PAGES", 2000, 1, 1_000_000);
  // The upper bounds are the ceilings the sealing step re-checks every image against.
  const maxSignatureDimension = integer(
    "CERTYNEO_MAX_SIGNATURE_DIMENSION",
    DEFAULT_PNG_LIMITS.maxDimension,
    16,
    PNG_HARD_LIMITS.maxDimension,
  );
  const maxSignatureDecodedBytes = integer(
    "CERTYNEO_MAX_SIGNATURE_DECODED_BYTES",
    DEFAULT_PNG_LIMITS.maxDecodedBytes,
    64 * 1024,
    PNG_HARD_LIMITS.maxDecodedBytes,
  );
  const signingPerMinute = integer("CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE", 60, 1, 1_000_000);
  const signingBurst = integer("CERTYNEO_SIGNING_RATE_LIMIT_BURST", 120, 1, 1_000_000);
  const verifyPerMinute = integer("CERTYNEO_VERIFY_RATE_LIMIT_PER_MINUTE", 20, 1, 1_000_000);
  const verifyBurst = integer("CERTYNEO_VERIFY_RATE_LIMIT_BURST", 10, 1, 1_000_000);
  const perMinute = integer("CERTYNEO_RATE_LIMIT_PER_MINUTE", 100, 1, 1_000_000);
  const burst = integer("CERTYNEO_RATE_LIMIT_BURST", 200, 1, 1_000_000);
  const trustProxy = boolean("CERTYNEO_TRUST_PROXY", false);
  const smtpUrl = url("SMTP_URL", ["smtp:", "smtps:"]);
  const mailFrom = read("CERTYNEO_MAIL_FROM") ?? "Certyneo <no-reply@certyneo.localhost>";
  const ownerEmail = read("CERTYNEO_OWNER_EMAIL") ?? "owner@localhost";
  if (!/^[^@\s]+@[^@\s]+$/.test(ownerEmail))
    problems.push(`CERTYNEO_OWNER_EMAIL must be an email address, not "${ownerEmail}".`);
  const mailAttachmentMaxBytes = integer(
    "CERTYNEO_MAIL_ATTACHMENT_MAX_BYTES",
    10 * 1024 * 1024,
    0,
    100 * 1024 * 1024,
  );
  const smsUrl = url("CERTYNEO_SMS_URL", ["http:", "https:"]);
  const expiryDays = integer("CERTYNEO_EXPIRY_DAYS", 30, 1, 3650);
  const frameAncestors = (read("CERTYNEO_FRAME_ANCESTORS") ?? "").split(/[\s,]+/).filter(Boolean);
  for (const origin of frameAncestors) {
    if (!/^https?:\/\/[^/\s;]+$/.test(origin)) {
      problems.push(
        `CERTYNEO_FRAME_ANCESTORS must list origins like https://app.example.com (got "${origin}")`,
      );
    }
  }
  const organization = read("CERTYNEO_ORGANIZATION") ?? "Certyneo";
  const pkcs12Path = read("CERTYNEO_PKCS12_PATH");
  const pkcs12Password = read("CERTYNEO_PKCS12_PASSWORD") ?? "";
  const pkcs11Settings = {
    module: read("CERTYNEO_PKCS11_MODULE"),
    token: read("CERTYNEO_PKCS11_TOKEN"),
    pin: read("CERTYNEO_PKCS11_PIN"),
    key: read("CERTYNEO_PKCS11_KEY"),
    certificate: read("CERTYNEO_PKCS11_CERTIFICATE"),
  };
  const pkcs11Missing = Object.entries(pkcs11Settings).filter(([, value]) => value === undefined);
  if (pkcs11Missing.length > 0 && pkcs11Missing.length < 5) {
    problems.push(
      `A seal key in a PKCS#11 token needs CERTYNEO_PKCS11_MODULE, _TOKEN, _PIN, _KEY and _CERTIFICATE together (missing: ${pkcs11Missing.map(([name]) => `CERTYNEO_PKCS11_${name.toUpperCase()}`).join(", ")}).`,
    );
  }
  const pkcs11 =
    pkcs11Missing.length === 0
      ? {
          ...(pkcs11Settings as Record<keyof typeof pkcs11Settings, string>),
          module: path.resolve(pkcs11Settings.module!),
          certificate: path.resolve(pkcs11Settings.certificate!),
        }
      : undefined;
  if (pkcs11 && pkcs12Path) {
    problems.push("Set either CERTYNEO_PKCS12_PATH or the CERTYNEO_PKCS11_ settings, not both.");
  }
  const tsaUrl = url("CERTYNEO_TSA_URL", ["http:", "https:"]);
  const workerIntervalMs = integer("CERTYNEO_WORKER_INTERVAL_MS", 1000, 50, 60_000);
  const pdfThreads = integer(
    "CERTYNEO_PDF_THREADS",
    // One core is left to the thread that serves HTTP.
    Math.max(1, availableParallelism() - 1),
    1,
    256,
  );
  const notificationConcurrency = integer("CERTYNEO_NOTIFICATION_CONCURRENCY", 4, 1, 256);
  const webhookConcurrency = integer("CERTYNEO_WEBHOOK_CONCURRENCY", 32, 1, 1024);
  const sealingTimeLimitMs = integer(
    "CERTYNEO_SEALING_TIME_LIMIT_MS",
    10 * 60_000,
    1000,
    24 * 3600_000,
  );
  const shutdownGraceMs = integer("CERTYNEO_SHUTDOWN_GRACE_MS", 20_000, 0, 10 * 60_000);
  const jobRetentionDays = integer("CERTYNEO_JOB_RETENTION_DAYS", 7, 1, 3650);
  const jobLockMs = integer("CERTYNEO_JOB_LOCK_MS", 30_000, 1000, 3600_000);
  const webhookAllowPrivate = boolean("CERTYNEO_WEBHOOK_ALLOW_PRIVATE", false);
  const sqliteWriterThread = boolean("CERTYNEO_SQLITE_WRITER_THREAD", true);
  const sqliteSynchronous = (read("CERTYNEO_SQLITE_SYNCHRONOUS") ?? "normal") as "normal" | "full";
  if (sqliteSynchronous !== "normal" && sqliteSynchronous !== "full") {
    problems.push(
      `CERTYNEO_SQLITE_SYNCHRONOUS must be normal or full (got "${sqliteSynchronous}")`,
    );
  }
  const webhookTimeoutMs = integer("CERTYNEO_WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000);
  const scheduleText =
    read("CERTYNEO_WEBHOOK_RETRY_SCHEDULE") ?? "60,300,1800,7200,21600,43200,86400,86400";
  const webhookRetrySchedule = scheduleText.split(",").map((s) => Number(s.trim()));
  if (webhookRetrySchedule.some((s) => !Number.isInteger(s) || s < 0 || s > 7 * 86400)) {
    problems.push(
      `CERTYNEO_WEBHOOK_RETRY_SCHEDULE must list seconds, like 60,300,1800 (got "${scheduleText}")`,
    );
  }
  const secretKey = read("CERTYNEO_SECRET_KEY");
  if (secretKey !== undefined && secretKey.length < 32) {
    problems.push(
      "CERTYNEO_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`)",
    );
  }
  const metricsToken = read("CERTYNEO_METRICS_TOKEN");
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push(
      "CERTYNEO_METRICS_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 16`)",
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host,
    publicUrl: (publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    databaseUrl,
    blobStore,
    s3,
    dataDir: path.resolve(read("CERTYNEO_DATA_DIR") ?? "data"),
    redisUrl,
    logFormat,
    logLevel,
    bodyLimit,
    maxDocumentBytes,
    documentLimits: {
      maxPages: maxPdfPages,
      maxObjects: maxPdfObjects,
      maxInflatedBytes: maxPdfInflatedBytes,
      maxEnvelopePages,
    },
    signatureImage: {
      maxDimension: maxSignatureDimension,
      maxDecodedBytes: maxSignatureDecodedBytes,
    },
    signingRateLimit: { perMinute: signingPerMinute, burst: signingBurst },
    verifyRateLimit: { perMinute: verifyPerMinute, burst: verifyBurst },
    rateLimit: { perMinute, burst },
    trustProxy,
    secretKey,
    metricsToken,
    smtpUrl,
    mailFrom,
    ownerEmail,
    mailAttachmentMaxBytes,
    sms: smsUrl
      ? { url: smsUrl, token: read("CERTYNEO_SMS_TOKEN"), from: read("CERTYNEO_SMS_FROM") }
      : undefined,
    expiryDays,
    frameAncestors,
    organization,
    pkcs12: pkcs12Path ? { path: path.resolve(pkcs12Path), password: pkcs12Password } : undefined,
    pkcs11,
    tsaUrl,
    workerIntervalMs,
    pdfThreads,
    notificationConcurrency,
    webhookConcurrency,
    sealingTimeLimitMs,
    shutdownGraceMs,
    jobRetentionDays,
    jobLockMs,
    webhookAllowPrivate,
    sqliteWriterThread,
    sqliteSynchronous,
    webhookRetrySchedule,
    webhookTimeoutMs,
  };
}
