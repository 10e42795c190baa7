// `npm run bench`: what authentication and rate limiting cost per request, measured against a
// baseline in the same run. Numbers are ratios to read side by side, never thresholds.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PDF } from "@libpdf/core";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { inspectPdf } from "../src/pdf/inspect.js";
import { MemoryRateLimitStore } from "../src/rate-limit/memory-store.js";
import { PostgresRateLimitStore } from "../src/rate-limit/postgres-store.js";
import { RedisRateLimitStore } from "../src/rate-limit/redis-store.js";
import type { RateLimitStore } from "../src/rate-limit/store.js";
import { buildServer } from "../src/server.js";
import { createPostgresDatabase } from "../test/helpers/database.js";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = 16;

async function load(url: string, headers: Record<string, string>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next++ < REQUESTS) {
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      await response.arrayBuffer();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return REQUESTS / ((performance.now() - start) / 1000);
}

async function perSecond(
  count: number,
  operation: (i: number) => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await operation(i);
  return count / ((performance.now() - start) / 1000);
}

function takes(store: RateLimitStore, count: number): Promise<number> {
  const policy = { perMinute: 1e6, burst: 1e6 };
  return perSecond(count, (i) => store.take(`bench-${i % 100}`, policy, Date.now()));
}

function row(name: string, perSecond: number, baseline: number): string {
  return `${name.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s   ${(perSecond / baseline).toFixed(2)}x`;
}

/** A server on an ephemeral port, and a test key whose rate limit will not get in the way. */
async function benchServer(env: Record<string, string>) {
  const config = loadConfig({ LOG_LEVEL: "silent", PORT: "0", ...env });
  const app = await createApp(config);
  const server = await buildServer(app);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const base = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  const account = await app.accounts.create("bench");
  const { key, secret } = await app.keys.create({ accountId: account.id, environment: "test" }, {});
  await app.keys.setRateLimit(key.id, { perMinute: 1_000_000, burst: 1_000_000 });
  return {
    base,
    secret,
    async close() {
      await server.close();
      await app.close();
    },
  };
}

async function httpBench(label: string, env: Record<string, string>) {
  const { base, secret, close } = await benchServer(env);
  try {
    await load(`${base}/healthz`, {}); // warm-up
    const baseline = await load(`${base}/healthz`, {});
    const authed = await load(`${base}/api/v1/keys?limit=1`, { authorization: `Bearer ${secret}` });
    console.log(`\nHTTP on ${label}, ${REQUESTS} requests, ${CONCURRENCY} concurrent`);
    console.log(row("GET /healthz (baseline: no auth, no db)", baseline, baseline));
    console.log(row("GET /api/v1/keys (auth + rate limit + list)", authed, baseline));
  } finally {
    await close();
  }
}

/** A 32-page PDF of about 5 MB, mostly text that does not compress. */
async function largePdf(): Promise<Buffer> {
  const pdf = PDF.create();
  for (let p = 0; p < 32; p++) {
    const page = pdf.addPage({ size: "a4" });
    for (let i = 0; i < 800; i++) {
      page.drawText(randomBytes(24).toString("base64"), { x: 20, y: 10 + (i % 80) * 10, size: 6 });
    }
  }
  return Buffer.from(await pdf.save());
}

async function uploadBench(env: Record<string, string>) {
  const { base, secret, close } = await benchServer(env);
  try {
    const pdf = await largePdf();
    const count = 20;
    const auth = { authorization: `Bearer ${secret}` };
    const check = async (response: Response) => {
      if (response.status !== 201)
        throw new Error(`upload: ${response.status} ${await response.text()}`);
    };
    const inspected = await perSecond(count, () => inspectPdf(pdf));
    const multipart = await perSecond(count, async () => {
      const form = new FormData();
      form.append("file", new Blob([pdf], { type: "application/pdf" }), "big.pdf");
      await check(
        await fetch(`${base}/api/v1/documents`, { method: "POST", headers: auth, body: form }),
      );
    });
    const json = JSON.stringify({ name: "big.pdf", content: pdf.toString("base64") });
    const base64 = await perSecond(count, async () => {
      await check(
        await fetch(`${base}/api/v1/documents`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: json,
        }),
      );
    });
    const mb = (pdf.length / 1024 / 1024).toFixed(1);
    console.log(`\nDocument upload, ${mb} MB / 32 pages, ${count} sequential uploads (SQLite)`);
    console.log(row("inspect the PDF in memory (baseline)", inspected, inspected));
    console.log(row("POST /documents multipart (streamed)", multipart, inspected));
    console.log(row("POST /documents JSON base64", base64, inspected));
  } finally {
    await close();
  }
}

/**
 * The scheduler runs before every worker pass (each second) on every instance: what does one
 * pass cost when thousands of envelopes are waiting and nothing is due?
 */
async function schedulerBench(env: Record<string, string>, label: string, waiting: number) {
  const app = await createApp(loadConfig({ LOG_LEVEL: "silent", ...env }));
  try {
    const db = app.database.db;
    const account = await app.accounts.create("bench");
    const now = Date.now();
    const later = (days: number) => new Date(now + days * 86_400_000).toISOString();
    for (let start = 0; start < waiting; start += 500) {
      const ids = Array.from({ length: Math.min(500, waiting - start) }, (_, i) => start + i);
      await db
        .insertInto("envelopes")
        .values(
          ids.map((i) => ({
            id: `env_bench${i}`,
            account_id: account.id,
            environment: "test" as const,
            status: "SENT",
            subject: "Bench",
            message: null,
            signing_order: "parallel",
            metadata: "{}",
            expires_at: later(30),
            reminders: JSON.stringify({ firstAfterDays: 3, everyDays: 3, max: 3 }),
            created_at: later(0),
            updated_at: later(0),
            sent_at: later(0),
            completed_at: null,
            declined_at: null,
            voided_at: null,
            void_reason: null,
            expired_at: null,
          })),
        )
        .execute();
      await db
        .insertInto("recipients")
        .values(
          ids.flatMap((i) =>
            [0, 1].map((position) => ({
              id: `rcp_bench${i}_${position}`,
              envelope_id: `env_bench${i}`,
              position,
              email: `signer${position}@example.com`,
              name: "Signer",
              role: "SIGNER",
              routing_order: 1,
              status: "SENT",
              auth: "none",
              phone: null,
              locale: null,
              channels: null,
              token_hash: null,
              invited_at: later(0),
              viewed_at: null,
              signed_at: null,
              declined_at: null,
              decline_reason: null,
              otp_hash: null,
              otp_expires_at: null,
              otp_attempts: null,
              otp_verified_at: null,
              signature_type: null,
              signature_text: null,
              signature_image_sha256: null,
              reminders_sent: 0,
              last_reminded_at: null,
              next_reminder_at: later(3),
            })),
          ),
        )
        .execute();
    }
    const count = 500;
    const select1 = await perSecond(count, () => sql`select 1`.execute(db));
    const pass = await perSecond(count, () => app.worker.runDue());
    console.log(
      `\nScheduler pass on ${label}, ${waiting} envelopes (${2 * waiting} recipients) waiting, none due`,
    );
    console.log(row("select 1 (baseline)", select1, select1));
    console.log(row("worker pass: expiry + reminders + job claim", pass, select1));
    // A backlog, as after an SMTP outage: notifications due by the thousand. The notification
    // lane claims two kinds; each claim takes the first due of them.
    const scope = { accountId: account.id, environment: "test" as const };
    await db.transaction().execute((trx) =>
      app.jobs.enqueueAll(
        trx,
        "send_notification",
        { id: "env_bench0", scope },
        Array.from({ length: waiting }, (_, i) => ({ subjectId: `ntf_bench${i}` })),
      ),
    );
    const claim = await perSecond(count, () =>
      app.jobs.claim(["send_notification", "send_invitation"]),
    );
    console.log(row(`claim of a notification, ${waiting} due`, claim, select1));
  } finally {
    await app.close();
  }
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-bench-"));
try {
  await httpBench("SQLite", { CERTYNEO_DATA_DIR: dataDir });
  await uploadBench({ CERTYNEO_DATA_DIR: dataDir });
  await schedulerBench({ CERTYNEO_DATA_DIR: path.join(dataDir, "scheduler") }, "SQLite", 10_000);
  const postgres = await createPostgresDatabase(dataDir);
  try {
    await httpBench("PostgreSQL", { ...postgres.env });
    await schedulerBench(postgres.env, "PostgreSQL", 10_000);
  } finally {
    await postgres.drop();
  }

  console.log("\nRate-limit stores, sequential takes; baseline: the store's cheapest round trip");
  const memory = new MemoryRateLimitStore();
  const memoryRate = await takes(memory, 100_000);
  console.log(row("memory", memoryRate, memoryRate));

  const redis = new RedisRateLimitStore(REDIS_URL, "certyneo-bench:");
  const redisClient = new Redis(REDIS_URL);
  try {
    const ping = await perSecond(5_000, () => redisClient.ping());
    console.log(row("redis PING (baseline)", ping, ping));
    console.log(row("redis take (one EVAL)", await takes(redis, 5_000), ping));
  } finally {
    redisClient.disconnect();
    await redis.close();
  }

  const pgDatabase = await createPostgresDatabase(dataDir);
  const app = await createApp(loadConfig({ LOG_LEVEL: "silent", ...pgDatabase.env }));
  try {
    const select1 = await perSecond(2_000, () => sql`select 1`.execute(app.database.db));
    console.log(row("postgres select 1 (baseline)", select1, select1));
    const store = new PostgresRateLimitStore(app.database.db);
    console.log(row("postgres take (one upsert)", await takes(store, 2_000), select1));
  } finally {
    await app.close();
    await pgDatabase.drop();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
