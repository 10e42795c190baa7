// `npm run bench:background` (and part of `npm run bench`): the background work, measured
// against baselines taken in the same run and checked against the targets of the issue.
//   1. Sealing a 5 MB / 50-page PDF (stamp, PAdES-seal, merge, seal, store), with 1 and 2 PDF
//      threads, against `@libpdf/core` signing the same file bare; and the audit trail's render.
//   2. Webhook deliveries to a local receiver that answers at once: one endpoint (in order, one
//      at a time) and 8 endpoints (8 accounts).
//   3. 10 envelopes sealed while other accounts' endpoints answer in 3 s or never, against the
//      same without those endpoints.
//   4. p99 of GET /api/v1/envelopes/{id} (autocannon in its own process, bench/load-client.mjs)
//      while envelopes of 5 MB are being sealed (a batch of 100 for each of its two measurements,
//      so that sealing lasts them: at least the 50 in flight), against the same idle.
// BENCH_DATABASES=sqlite,postgres (the default) picks the databases, BENCH_ONLY the measurements.
// BENCH_PROFILE=dir writes a CPU profile and a sampling heap profile (what was allocated) of the
// main thread for each measurement of 4, idle and while sealing
// (dir/<database>-[idle-]<rate|fastest>.cpuprofile and .heapprofile, for DevTools).

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import { PDF, type Signer } from "@libpdf/core";
import { Piscina } from "piscina";
import { type App, createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { LongTermEvidence } from "../src/pki/evidence.js";
import { loadPlatformPki } from "../src/pki/platform-pki.js";
import { buildServer } from "../src/server.js";
import { postJson } from "../src/webhooks/post.js";
import { createPostgresDatabase } from "../test/helpers/database.js";
import { makePdf } from "../test/helpers/pdf.js";
import { signaturePngDataUrl } from "../test/helpers/png.js";
import { until } from "../test/helpers/wait.js";
import { type BareSignTask, signOnce } from "./bare-sign-thread.js";

type DatabaseKind = "sqlite" | "postgres";

const exec = promisify(execFile);
const CLIENT = fileURLToPath(new URL("./load-client.mjs", import.meta.url));
const BARE_SIGN_THREAD = new URL("./bare-sign-thread.ts", import.meta.url).href;
const DATABASES = (process.env.BENCH_DATABASES ?? "sqlite,postgres")
  .split(",")
  .map((d) => d.trim())
  .filter((d): d is DatabaseKind => d === "sqlite" || d === "postgres");
/** `BENCH_ONLY=sealing,webhooks,hanging,latency` (the default: all) picks the measurements. */
const ONLY = (process.env.BENCH_ONLY ?? "sealing,webhooks,hanging,latency").split(",");
const SEAL_ENVELOPES = 8;
const SEAL_RUNS = 3;
/** Signatures by each thread of the bare-signing throughput. */
const BARE_THREAD_SIGNS = 12;
const DELIVERIES = 600;
const ENDPOINTS = 8;
const HELD_ENVELOPES = 10;
const BUSY_ENVELOPES = 100;
const LOAD_CONNECTIONS = 10;
const LOAD_SECONDS = 10;
const SILENT = { info: () => {}, error: () => {} };
const SIGNATURE = signaturePngDataUrl();

// ---------------------------------------------------------------------------------------------
// Results

interface Result {
  database: DatabaseKind;
  measure: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | undefined;
}

const results: Result[] = [];

function record(result: Result): void {
  results.push(result);
  const verdict = result.pass === undefined ? "" : result.pass ? "  PASS" : "  FAIL";
  console.log(
    `  ${result.measure}: ${result.figure} (baseline ${result.baseline}; ${result.ratio})${verdict}`,
  );
}

function printTable(): void {
  const header = ["Database", "Measure", "Figure", "Baseline", "Ratio", "Target", "Result"];
  const rows = results.map((r) => [
    r.database === "sqlite" ? "SQLite" : "PostgreSQL",
    r.measure,
    r.figure,
    r.baseline,
    r.ratio,
    r.target,
    r.pass === undefined ? "-" : r.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n${line(header)}`);
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

// ---------------------------------------------------------------------------------------------
// Servers, accounts and the API

interface Bench {
  app: App;
  url: string;
  /** A new account with a key (test unless asked) whose rate limit will not get in the way. */
  account(environment?: "test" | "live"): Promise<string>;
  close(): Promise<void>;
}

/** A real server on an ephemeral port, on a fresh database; its worker is not started. */
async function startBench(
  kind: DatabaseKind,
  root: string,
  env: Record<string, string> = {},
): Promise<Bench> {
  const dataDir = await mkdtemp(path.join(root, "run-"));
  const database =
    kind === "postgres"
      ? await createPostgresDatabase(dataDir)
      : { env: { CERTYNEO_DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true }) };
  const app = await createApp(
    loadConfig({
      LOG_LEVEL: "silent",
      PORT: "0",
      CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
      CERTYNEO_SHUTDOWN_GRACE_MS: "500",
      CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE: "1000000",
      CERTYNEO_SIGNING_RATE_LIMIT_BURST: "1000000",
      ...database.env,
      ...env,
    }),
  );
  const server = await buildServer(app);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const url = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  const bench: Bench = {
    app,
    url,
    async account(environment = "test") {
      const account = await app.accounts.create("bench");
      const { key, secret } = await app.keys.create({ accountId: account.id, environment }, {});
      await app.keys.setRateLimit(key.id, { perMinute: 1_000_000, burst: 1_000_000 });
      return secret;
    },
    async close() {
      await server.close();
      await app.close();
      await database.drop();
    },
  };
  return bench;
}

async function api<T = { id: string }>(
  base: string,
  route: string,
  expected: number,
  options: { key?: string; method?: string; json?: unknown; body?: FormData } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.json !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(base + route, {
    method: options.method ?? "GET",
    headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${options.method ?? "GET"} ${route}: ${response.status} ${text}`);
  return (response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as T;
}

async function upload(bench: Bench, key: string, pdf: Buffer): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([pdf], { type: "application/pdf" }), "contract.pdf");
  return (await api(bench.url, "/api/v1/documents", 201, { key, method: "POST", body: form })).id;
}

async function createEnvelope(bench: Bench, key: string, documentId: string): Promise<string> {
  const created = await api(bench.url, "/api/v1/envelopes", 201, {
    key,
    method: "POST",
    json: {
      subject: "Bench",
      documentIds: [documentId],
      recipients: [
        {
          email: "signer@example.com",
          name: "Marie Dubois",
          role: "SIGNER",
          fields: [
            { type: "signature", documentId, page: 1, x: 72, y: 650, width: 170, height: 60 },
          ],
        },
      ],
    },
  });
  return created.id;
}

/** An envelope created, sent and signed through the API: COMPLETED, its sealing job queued. */
async function completeEnvelope(bench: Bench, key: string, documentId: string): Promise<string> {
  const id = await createEnvelope(bench, key, documentId);
  const sent = await api<{ recipients: { signUrl: string }[] }>(
    bench.url,
    `/api/v1/envelopes/${id}/send`,
    200,
    { key, method: "POST" },
  );
  const token = sent.recipients[0]!.signUrl.split("/sign/")[1];
  const signed = await api<{ envelopeStatus: string }>(
    bench.url,
    `/api/v1/signing/${token}/sign`,
    200,
    {
      method: "POST",
      json: { consent: true, signature: { type: "drawn", image: SIGNATURE } },
    },
  );
  if (signed.envelopeStatus !== "COMPLETED") throw new Error(`${id}: ${signed.envelopeStatus}`);
  return id;
}

async function completeEnvelopes(
  bench: Bench,
  key: string,
  documentId: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await completeEnvelope(bench, key, documentId));
  return ids;
}

async function sealedCount(app: App, ids: readonly string[]): Promise<number> {
  const row = await app.database.db
    .selectFrom("envelopes")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("id", "in", ids)
    .where("sealed_at", "is not", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function unfinishedJobs(app: App): Promise<number> {
  const row = await app.database.db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("state", "in", ["pending", "running"])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Starts the worker as `serve` does: woken by enqueues (LISTEN on PostgreSQL), polling besides. */
function startWorker(bench: Bench): void {
  bench.app.startWorker(SILENT);
}

/**
 * CPU milliseconds (user + system) of each of this process's threads, by kind: the main thread,
 * our worker threads (PDF, mail: they run at nice 10) and the others (V8's garbage collector and
 * compiler threads, libuv's pool). Linux only (/proc); empty elsewhere.
 */
function threadCpu(): Map<string, { kind: "main" | "workers" | "others"; ms: number }> {
  const threads = new Map<string, { kind: "main" | "workers" | "others"; ms: number }>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return threads;
  }
  const ticks = 1000 / 100; // USER_HZ
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const kind =
        tid === String(process.pid) ? "main" : fields[16] === "10" ? "workers" : "others";
      threads.set(tid, { kind, ms: (Number(fields[11]) + Number(fields[12])) * ticks });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return threads;
}

/** What each kind of thread spent between two `threadCpu()` readings, per envelope. */
function threadCpuSince(before: ReturnType<typeof threadCpu>, envelopes: number): string {
  const spent = { main: 0, workers: 0, others: 0 };
  for (const [tid, now] of threadCpu()) spent[now.kind] += now.ms - (before.get(tid)?.ms ?? 0);
  const per = (value: number) => `${(value / envelopes).toFixed(0)}`;
  return `CPU per envelope: main ${per(spent.main)} ms, PDF and mail threads ${per(spent.workers)} ms, GC/compiler/libuv threads ${per(spent.others)} ms`;
}

/**
 * Starts the worker and waits until every one of `ids` is sealed: the milliseconds it took, how
 * busy the main thread (HTTP, the worker's own work, the emails) was meanwhile, and the CPU time
 * of the whole process (every thread: main, PDF, garbage collector, libuv pool; user + system).
 */
async function sealAll(
  bench: Bench,
  ids: readonly string[],
): Promise<{ elapsedMs: number; mainBusy: number; cpuMs: number; byThread: string }> {
  const start = performance.now();
  const loop = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const threads = threadCpu();
  const pauses = mainThreadPauses();
  startWorker(bench);
  await until(
    async () => (await sealedCount(bench.app, ids)) === ids.length,
    "sealing",
    120_000,
    10,
  );
  return {
    elapsedMs: performance.now() - start,
    mainBusy: performance.eventLoopUtilization(loop).utilization,
    cpuMs: ((used) => (used.user + used.system) / 1000)(process.cpuUsage(cpu)),
    byThread: `${threadCpuSince(threads, ids.length)}; main thread ${pauses.stop()}`,
  };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(0)} %`;

// ---------------------------------------------------------------------------------------------
// A webhook receiver

interface Receiver {
  url: string;
  /** Envelope ids of the deliveries received, by path, in arrival order. */
  received: Map<string, string[]>;
  /** The body of the first delivery. */
  firstBody: string;
  /** Most requests in flight at once, by path. */
  maxInFlight: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** Answers 200 at once, after `delay` ms, or never (`"never"`: holds the request open). */
async function startReceiver(delay: number | "never" = 0): Promise<Receiver> {
  const received = new Map<string, string[]>();
  const maxInFlight = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const held = new Set<ServerResponse>();
  let count = 0;
  const receiver: Receiver = {
    url: "",
    received,
    firstBody: "",
    maxInFlight,
    total: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const route = req.url ?? "/";
    const now = (inFlight.get(route) ?? 0) + 1;
    inFlight.set(route, now);
    maxInFlight.set(route, Math.max(maxInFlight.get(route) ?? 0, now));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (route !== "/floor") {
        const list = received.get(route) ?? [];
        list.push(String(JSON.parse(body).data?.envelope?.id));
        received.set(route, list);
        receiver.firstBody ||= body;
        count++;
      }
      const answer = () => {
        inFlight.set(route, inFlight.get(route)! - 1);
        if (!res.destroyed) res.writeHead(200).end("ok");
      };
      if (delay === "never") held.add(res);
      else if (delay > 0) setTimeout(answer, delay).unref();
      // At once, but after the requests already arrived: the deliveries in flight are counted.
      else setImmediate(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return receiver;
}

async function addWebhook(bench: Bench, key: string, url: string, events?: string[]) {
  await api(bench.url, "/api/v1/webhooks", 201, {
    key,
    method: "POST",
    json: { url, ...(events && { events }) },
  });
}

// ---------------------------------------------------------------------------------------------
// Documents and the bare-signing baseline

/** An RGB PNG of random pixels: incompressible, like the noise of a scanned page. */
function noisePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const stride = 1 + width * 3;
  const rows = randomBytes(height * stride);
  for (let y = 0; y < height; y++) rows[y * stride] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * A 50-page PDF of about 5 MB, as a scanned contract is: each page a block of text (one content
 * stream) and a 100 KB image that does not compress; about 300 objects in all.
 */
async function largePdf(): Promise<Buffer> {
  const pdf = PDF.create();
  for (let p = 0; p < 50; p++) {
    const page = pdf.addPage({ size: "a4" });
    const lines = Array.from({ length: 60 }, () => randomBytes(60).toString("base64"));
    page.drawText(lines.join("\n"), { x: 40, y: 800, size: 8, lineHeight: 10 });
    page.drawImage(pdf.embedPng(noisePng(200, 168)), { x: 40, y: 100, width: 400, height: 336 });
  }
  return Buffer.from(await pdf.save());
}

/** What the product seals with: the platform PKI as `loadPlatformPki` creates it, and the built-in timestamp authority. */
async function platformSeal(root: string): Promise<Seal> {
  const dataDir = await mkdtemp(path.join(root, "pki-"));
  const secret = randomBytes(32);
  const pki = await loadPlatformPki({
    dataDir,
    secret,
    organization: "Bench",
    publicUrl: "http://127.0.0.1:3000",
  });
  return { signer: pki.signer, evidence: await pki.evidence(), files: { dataDir, secret } };
}

interface Seal {
  signer: Signer;
  evidence: LongTermEvidence;
  /** Where the PKI is kept, for threads that load it themselves. */
  files: BareSignTask["pki"];
}

/**
 * Mean milliseconds of `PDF.load` + `sign` of `bytes` at the level the product seals at (PAdES
 * B-LTA, the same timestamp authority and revocation data), after three warm-up signatures.
 */
async function bareSign(bytes: Buffer, { signer, evidence }: Seal, count: number): Promise<number> {
  const sign = () => signOnce(bytes, signer, evidence);
  for (let i = 0; i < 3; i++) await sign();
  const start = performance.now();
  for (let i = 0; i < count; i++) await sign();
  return (performance.now() - start) / count;
}

// ---------------------------------------------------------------------------------------------
// 1. Sealing a 5 MB / 50-page PDF

/**
 * Signatures per second of `threads` worker threads, each signing `bytes` bare (as `bareSign`)
 * `count` times, all started together once each has warmed up; and the process's CPU meanwhile.
 */
async function bareSignRate(
  bytes: Buffer,
  seal: Seal,
  threads: number,
  count: number,
): Promise<{ perSecond: number; cpuMs: number; elapsedMs: number }> {
  const pool = new Piscina<BareSignTask, void>({
    filename: BARE_SIGN_THREAD,
    minThreads: threads,
    maxThreads: threads,
  });
  // One task a thread at a time (piscina's default): `threads` tasks run on as many threads.
  const onEachThread = (signs: number) =>
    Promise.all(
      Array.from({ length: threads }, () =>
        pool.run({ pdf: bytes, pki: seal.files, count: signs }),
      ),
    );
  try {
    await onEachThread(3);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await onEachThread(count);
    const elapsedMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return {
      perSecond: (threads * count) / (elapsedMs / 1000),
      cpuMs: (used.user + used.system) / 1000,
      elapsedMs,
    };
  } finally {
    await pool.destroy();
  }
}

/** Envelopes per second sealed by `threads` PDF threads; the threads warmed up first. */
async function sealingRate(
  kind: DatabaseKind,
  root: string,
  pdf: Buffer,
  threads: number,
  environment: "test" | "live" = "test",
): Promise<{
  elapsedMs: number;
  mainBusy: number;
  cpuMs: number;
  perSecond: number;
  auditTrailMs?: number;
}> {
  const bench = await startBench(kind, root, { CERTYNEO_PDF_THREADS: String(threads) });
  try {
    const key = await bench.account(environment);
    const documentId = await upload(bench, key, pdf);
    // Warm-up: each thread started and its code compiled, like a server that has been running.
    await sealAll(bench, await completeEnvelopes(bench, key, documentId, 2 * threads));
    // Its completed emails (the sealed PDF attached) sent, so that they do not run in the timing.
    await until(
      async () => (await unfinishedJobs(bench.app)) === 0,
      "the warm-up's emails",
      120_000,
      10,
    );
    await bench.app.worker.stop();
    const ids = await completeEnvelopes(bench, key, documentId, SEAL_ENVELOPES);
    const { elapsedMs, mainBusy, cpuMs, byThread } = await sealAll(bench, ids);
    console.log(`  ${threads} thread(s), ${environment}: ${byThread}`);
    const result = { elapsedMs, mainBusy, cpuMs, perSecond: SEAL_ENVELOPES / (elapsedMs / 1000) };
    if (threads === 1) return result;
    // The audit trail is rendered (and sealed) on request, not stored at sealing.
    const times: number[] = [];
    for (const id of ids.slice(0, 5)) {
      const start = performance.now();
      const response = await fetch(`${bench.url}/api/v1/envelopes/${id}/audit-trail`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (response.status !== 200) throw new Error(`audit trail: ${response.status}`);
      await response.arrayBuffer();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { ...result, auditTrailMs: times[Math.floor(times.length / 2)]! };
  } finally {
    await bench.close();
  }
}

/** The run of `runs` taking the median time. */
async function medianRun<T extends { elapsedMs: number }>(
  run: () => Promise<T>,
  runs = SEAL_RUNS,
): Promise<T> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await run());
  results.sort((a, b) => a.elapsedMs - b.elapsedMs);
  return results[Math.floor(results.length / 2)]!;
}

async function sealingBench(kind: DatabaseKind, root: string, pdf: Buffer, seal: Seal) {
  const mb = (pdf.length / 1024 / 1024).toFixed(1);
  console.log(`\n1. Sealing a ${mb} MB / 50-page PDF, ${SEAL_ENVELOPES} envelopes (${kind})`);
  const bare = await bareSign(pdf, seal, 20);
  // What two threads can do on this machine at the floor: the bare signature on 1 and 2 threads.
  const bareOne = await bareSignRate(pdf, seal, 1, BARE_THREAD_SIGNS);
  const bareTwo = await bareSignRate(pdf, seal, 2, BARE_THREAD_SIGNS);
  // The median of three runs each: one run's figure moves by a third from one run to the next.
  const one = await medianRun(() => sealingRate(kind, root, pdf, 1));
  const live = await medianRun(() => sealingRate(kind, root, pdf, 1, "live"));
  const two = await medianRun(() => sealingRate(kind, root, pdf, 2));
  const cores = (run: { cpuMs: number; elapsedMs: number }) =>
    `${ms(run.cpuMs / SEAL_ENVELOPES)} CPU, ${(run.cpuMs / run.elapsedMs).toFixed(1)} cores`;
  for (const [run, what] of [
    [one, "test mode: the test mark on every page"],
    [live, "live"],
  ] as const) {
    const perEnvelope = run.elapsedMs / SEAL_ENVELOPES;
    record({
      database: kind,
      measure: `seal 1 envelope, 1 thread (per envelope; ${what})`,
      figure: `${ms(perEnvelope)} (main thread ${percent(run.mainBusy)} busy; ${cores(run)})`,
      baseline: `${ms(bare)} bare B-LTA sign`,
      ratio: `${(perEnvelope / bare).toFixed(2)}x`,
      target: "<= 3x bare",
      pass: perEnvelope <= 3 * bare,
    });
  }
  record({
    database: kind,
    measure: "sealing throughput, 2 threads (test mode)",
    figure: `${two.perSecond.toFixed(2)} env/s (main thread ${percent(two.mainBusy)} busy; ${cores(two)})`,
    baseline: `${one.perSecond.toFixed(2)} env/s, 1 thread (${cores(one)})`,
    ratio: `${(two.perSecond / one.perSecond).toFixed(2)}x`,
    target: ">= 1.6x",
    pass: two.perSecond >= 1.6 * one.perSecond,
  });
  const bareCores = (run: { cpuMs: number; elapsedMs: number; perSecond: number }) =>
    `${ms(run.cpuMs / (run.perSecond * (run.elapsedMs / 1000)))} CPU, ${(run.cpuMs / run.elapsedMs).toFixed(1)} cores`;
  record({
    database: kind,
    measure: "the floor: bare B-LTA signing throughput, 2 threads",
    figure: `${bareTwo.perSecond.toFixed(2)} sign/s (${bareCores(bareTwo)})`,
    baseline: `${bareOne.perSecond.toFixed(2)} sign/s, 1 thread (${bareCores(bareOne)})`,
    ratio: `${(bareTwo.perSecond / bareOne.perSecond).toFixed(2)}x`,
    target: "(reported: what 2 threads reach bare)",
    pass: undefined,
  });
  record({
    database: kind,
    measure: "audit trail rendered on request (median of 5)",
    figure: ms(two.auditTrailMs ?? 0),
    baseline: `${ms(bare)} bare B-LTA sign`,
    ratio: `${((two.auditTrailMs ?? 0) / bare).toFixed(2)}x`,
    target: "(reported)",
    pass: undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Webhook deliveries

/** Posts per second of `body` to `url`, one at a time, with the product's own `postJson`. */
async function postFloor(url: string, body: string, count: number): Promise<number> {
  const headers = { "Content-Type": "application/json" };
  const start = performance.now();
  for (let i = 0; i < count; i++)
    await postJson(new URL(url), { body, headers, timeoutMs: 10_000, addresses: null });
  return count / ((performance.now() - start) / 1000);
}

interface DeliveryRate {
  perSecond: number;
  /** One endpoint's deliveries, one at a time, posting the same payload (the floor). */
  floor: number;
  inOrder: boolean;
  /** Most requests in flight to one endpoint at once, as the receiver saw them. */
  maxPerEndpoint: number;
  /** Most deliveries running at once in the worker (sampled every millisecond). */
  maxRunning: number;
}

async function deliveryRate(
  kind: DatabaseKind,
  root: string,
  endpoints: number,
): Promise<DeliveryRate> {
  const bench = await startBench(kind, root);
  const receiver = await startReceiver();
  try {
    const small = await makePdf(["a4"]);
    const accounts: { key: string; documentId: string; route: string; created: string[] }[] = [];
    for (let i = 0; i < endpoints; i++) {
      const key = await bench.account();
      const route = `/endpoint-${i}`;
      await addWebhook(bench, key, receiver.url + route, ["envelope.created"]);
      accounts.push({ key, documentId: await upload(bench, key, small), route, created: [] });
    }
    // The events first, the worker stopped: each envelope.created is one delivery to send. Each
    // account creates its envelopes one after the other (their order is the order to check).
    await Promise.all(
      accounts.map(async (account) => {
        for (let i = 0; i < DELIVERIES / endpoints; i++)
          account.created.push(await createEnvelope(bench, account.key, account.documentId));
      }),
    );
    const start = performance.now();
    let maxRunning = 0;
    startWorker(bench);
    await until(
      () => {
        maxRunning = Math.max(maxRunning, bench.app.worker.running().webhooks ?? 0);
        return receiver.total() >= DELIVERIES;
      },
      "the deliveries",
      120_000,
      1,
    );
    const elapsed = performance.now() - start;
    const maxPerEndpoint = Math.max(...receiver.maxInFlight.values());
    return {
      perSecond: DELIVERIES / (elapsed / 1000),
      floor: await postFloor(`${receiver.url}/floor`, receiver.firstBody, DELIVERIES),
      inOrder: accounts.every(
        (a) => JSON.stringify(receiver.received.get(a.route)) === JSON.stringify(a.created),
      ),
      maxPerEndpoint,
      maxRunning,
    };
  } finally {
    await bench.close();
    await receiver.close();
  }
}

async function webhookBench(kind: DatabaseKind, root: string) {
  console.log(`\n2. ${DELIVERIES} webhook deliveries to a receiver that answers at once (${kind})`);
  for (const endpoints of [1, ENDPOINTS]) {
    const r = await deliveryRate(kind, root, endpoints);
    const plural = endpoints > 1 ? "s" : "";
    record({
      database: kind,
      measure: `webhook deliveries, ${endpoints} endpoint${plural} (in order: ${r.inOrder ? "yes" : "NO"}; <= ${r.maxPerEndpoint} in flight per endpoint, <= ${r.maxRunning} running)`,
      figure: `${r.perSecond.toFixed(0)} /s`,
      baseline: `${r.floor.toFixed(0)} /s bare POSTs, 1 at a time`,
      ratio: `${(r.perSecond / r.floor).toFixed(2)}x`,
      target: ">= 500 /s, in order",
      pass: r.perSecond >= 500 && r.inOrder && r.maxPerEndpoint === 1,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Sealing while other accounts' endpoints hang

async function heldSealing(
  kind: DatabaseKind,
  root: string,
  pdf: Buffer,
  hanging: boolean,
): Promise<{ elapsedMs: number; slowReceived: number; holeReceived: number }> {
  const bench = await startBench(kind, root);
  const slow = await startReceiver(3000);
  const hole = await startReceiver("never");
  try {
    if (hanging) {
      // Two other accounts, each with an endpoint and 20 deliveries waiting for it.
      const small = await makePdf(["a4"]);
      for (const receiver of [slow, hole]) {
        const key = await bench.account();
        await addWebhook(bench, key, `${receiver.url}/hook`);
        const documentId = await upload(bench, key, small);
        for (let i = 0; i < 20; i++) await createEnvelope(bench, key, documentId);
      }
    }
    const key = await bench.account();
    const documentId = await upload(bench, key, pdf);
    const ids = await completeEnvelopes(bench, key, documentId, HELD_ENVELOPES);
    const { elapsedMs } = await sealAll(bench, ids);
    return { elapsedMs, slowReceived: slow.total(), holeReceived: hole.total() };
  } finally {
    await bench.close();
    await slow.close();
    await hole.close();
  }
}

async function hangingWebhooksBench(kind: DatabaseKind, root: string, pdf: Buffer) {
  console.log(`\n3. ${HELD_ENVELOPES} envelopes (5 MB) sealed, other endpoints hanging (${kind})`);
  const without = await heldSealing(kind, root, pdf, false);
  const withHanging = await heldSealing(kind, root, pdf, true);
  const ratio = withHanging.elapsedMs / without.elapsedMs;
  record({
    database: kind,
    measure: `seal ${HELD_ENVELOPES} envelopes, a 3 s and a silent endpoint elsewhere`,
    figure: `${ms(withHanging.elapsedMs)} (slow got ${withHanging.slowReceived}, silent ${withHanging.holeReceived})`,
    baseline: `${ms(without.elapsedMs)} without them`,
    ratio: `${ratio.toFixed(2)}x`,
    target: "<= 1.5x",
    pass: ratio <= 1.5,
  });
}

// ---------------------------------------------------------------------------------------------
// 4. API latency while sealing

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

/** As fast as the server answers, or at `overallRate` requests per second. */
async function load(url: string, key: string, overallRate?: number): Promise<LoadResult> {
  const options = {
    url,
    connections: LOAD_CONNECTIONS,
    seconds: LOAD_SECONDS,
    headers: { authorization: `Bearer ${key}` },
    ...(overallRate && { overallRate }),
  };
  const { stdout } = await exec(process.execPath, [CLIENT, JSON.stringify(options)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`load: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

/**
 * How long the thread serving HTTP was held at a time, from now until `stop`: the longest delay
 * of its event loop, and its garbage collections of 5 ms or more.
 */
function mainThreadPauses(): { stop(): string } {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const collections: number[] = [];
  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      collections.push(entry.duration);
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  delay.enable();
  return {
    stop() {
      delay.disable();
      observer.disconnect();
      const long = collections.filter((d) => d >= 5);
      return `loop delay max ${(delay.max / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms; ${long.length} GC >= 5 ms, longest ${Math.max(0, ...collections).toFixed(0)} ms, ${major} full`;
    },
  };
}

/** A CPU profile of this (the main) thread, when `BENCH_PROFILE` names where to write it. */
async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop(name) {
      const { profile } = await session.post("Profiler.stop");
      const { profile: heap } = await session.post("HeapProfiler.stopSampling");
      session.disconnect();
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      await writeFile(path.join(dir, `${name}.heapprofile`), JSON.stringify(heap));
    },
  };
}

async function latencyBench(kind: DatabaseKind, root: string, pdf: Buffer) {
  console.log(
    `\n4. GET /api/v1/envelopes/{id}, ${LOAD_CONNECTIONS} connections for ${LOAD_SECONDS} s, two batches of ${BUSY_ENVELOPES} envelopes (5 MB) sealing (${kind})`,
  );
  const bench = await startBench(kind, root);
  try {
    const key = await bench.account();
    const documentId = await upload(bench, key, pdf);
    // A batch of 100 for each of the two measurements while sealing, so that sealing goes on
    // until the end of the second: the worker seals them in turn.
    const ids = await completeEnvelopes(bench, key, documentId, 2 * BUSY_ENVELOPES);
    const url = `${bench.url}/api/v1/envelopes/${ids[0]}`;
    const measured = async (rate?: number, profile?: string) => {
      const profiler = profile ? await startProfile() : undefined;
      const loop = performance.eventLoopUtilization();
      const blocked = mainThreadPauses();
      const result = await load(url, key, rate);
      const mainBusy = performance.eventLoopUtilization(loop).utilization;
      const pauses = blocked.stop();
      await profiler?.stop(`${kind}-${profile}`);
      return { result, mainBusy, pauses };
    };
    // As fast as the server answers (the main thread saturated by the reads alone, so any CPU
    // the sealing takes shows as queueing), and at half that rate, as a busy integration would
    // call: both idle first, then both with the envelopes sealing.
    const idle = await measured(undefined, "idle-fastest");
    const rate = Math.round(idle.result.requests.average / 2);
    const idleAtRate = await measured(rate, "idle-rate");
    startWorker(bench);
    const busyAtRate = {
      ...(await measured(rate, "rate")),
      sealed: await sealedCount(bench.app, ids),
    };
    const busy = {
      ...(await measured(undefined, "fastest")),
      sealed: await sealedCount(bench.app, ids),
    };
    const describe = (r: { result: LoadResult; mainBusy: number; pauses: string }) =>
      `p99 ${r.result.latency.p99} ms (p50 ${r.result.latency.p50}, ${r.result.requests.average.toFixed(0)} req/s, main thread ${percent(r.mainBusy)} busy; ${r.pauses})`;
    for (const [what, busyRun, idleRun] of [
      ["as fast as it answers", busy, idle],
      [`at ${rate} req/s`, busyAtRate, idleAtRate],
    ] as const) {
      const { sealed } = busyRun;
      record({
        database: kind,
        measure: `GET envelope p99 while sealing, ${what} (${sealed}/${ids.length} sealed by the end)`,
        figure: describe(busyRun),
        baseline: `${describe(idleRun)} idle`,
        ratio: `${(busyRun.result.latency.p99 / idleRun.result.latency.p99).toFixed(2)}x`,
        target: "<= 2x idle",
        pass: busyRun.result.latency.p99 <= 2 * idleRun.result.latency.p99 && sealed < ids.length,
      });
    }
  } finally {
    await bench.close();
  }
}

// ---------------------------------------------------------------------------------------------

const root = await mkdtemp(path.join(os.tmpdir(), "certyneo-background-"));
const started = performance.now();
// A shared machine skews everything here: say how busy it was.
const loadAverage = () => os.loadavg()[0]!.toFixed(2);
console.log(`${os.availableParallelism()} cores, load average ${loadAverage()} at the start`);
try {
  const pdf = await largePdf();
  const seal = await platformSeal(root);
  const section = async (name: string, run: () => Promise<void>) => {
    if (!ONLY.includes(name)) return;
    const start = performance.now();
    await run();
    console.log(`  (${((performance.now() - start) / 1000).toFixed(0)} s)`);
  };
  for (const kind of DATABASES) {
    await section("sealing", () => sealingBench(kind, root, pdf, seal));
    await section("webhooks", () => webhookBench(kind, root));
    await section("hanging", () => hangingWebhooksBench(kind, root, pdf));
    await section("latency", () => latencyBench(kind, root, pdf));
  }
  printTable();
  console.log(
    `\n${((performance.now() - started) / 1000).toFixed(0)} s in all; load average ${loadAverage()} at the end`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
