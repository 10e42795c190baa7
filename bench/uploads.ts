// `npm run bench:uploads` (and part of `npm run bench`): a 25 MB, 300-page PDF uploaded as
// multipart to a real server (SQLite), from a client in its own process (bench/upload-client.mjs),
// against the storage floor in the same run: hashing and writing the same bytes to a file on the
// same disk. Also the server's memory while uploads run (its RSS above the idle level, sampled
// every 10 ms), and the latency of other requests (GET an envelope at a steady 100 req/s from
// autocannon, in its own process) while 8 uploads run at once, against the same without uploads;
// and the CPU the thread serving HTTP spends per upload.
// Issue 15's targets are printed beside each figure.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type LoadResult, load, ourServer } from "./autocannon.js";
import { bigPdf } from "./big-pdf.js";

const exec = promisify(execFile);
const CLIENT = fileURLToPath(new URL("./upload-client.mjs", import.meta.url));
const PAGES = Number(process.env.BENCH_UPLOAD_PAGES ?? 300);
const BYTES = Number(process.env.BENCH_UPLOAD_BYTES ?? 25_000_000);
const COUNT = Number(process.env.BENCH_UPLOAD_COUNT ?? 7);
const CONCURRENT = 8;

interface Upload {
  status: number;
  ms: number;
}

/** CPU time of this process's main thread (the one serving HTTP), in ms; Linux (/proc). */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ: 100
  } catch {
    return Number.NaN;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function uploads(options: Record<string, unknown>): Promise<Upload[]> {
  const { stdout } = await exec(process.execPath, [CLIENT, JSON.stringify(options)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as Upload[];
  const failed = result.filter((upload) => upload.status !== 201);
  if (failed.length > 0) throw new Error(`uploads failed: ${JSON.stringify(failed)}`);
  return result;
}

/** The floor: the file's bytes hashed (SHA-256) and written to a new file, streamed. */
async function hashAndWrite(file: string, dir: string): Promise<number> {
  const started = performance.now();
  const hash = createHash("sha256");
  const target = path.join(dir, `floor-${Math.random()}`);
  await pipeline(
    createReadStream(file),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(target),
  );
  hash.digest("hex");
  const ms = performance.now() - started;
  await rm(target);
  return ms;
}

/** Runs `during` while sampling this process's RSS; answers its result and the highest RSS. */
async function sampled<T>(during: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    return { result: await during(), peak };
  } finally {
    clearInterval(timer);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-uploads-"));
try {
  const file = path.join(dir, "big.pdf");
  await writeFile(file, bigPdf(PAGES, BYTES));
  const server = await ourServer({ CERTYNEO_DATA_DIR: path.join(dir, "data") }, { worker: false });
  try {
    const client = { url: server.url, key: server.options.key, file };
    // Steady state: the PDF threads and the parser compiled (each PDF thread takes its first few uploads 2-5x slower).
    await uploads({ ...client, count: 10, concurrency: 1 });
    const floor: number[] = [];
    for (let i = 0; i < COUNT; i++) floor.push(await hashAndWrite(file, dir));
    global.gc?.();
    const idleRss = process.memoryUsage.rss();
    const mainBefore = mainThreadCpuMs();
    const one = await sampled(() => uploads({ ...client, count: COUNT, concurrency: 1 }));
    const mainPerUpload = (mainThreadCpuMs() - mainBefore) / COUNT;
    const oursMs = median(one.result.map((upload) => upload.ms));
    const floorMs = median(floor);

    const read = (seconds: number) =>
      load({
        url: `${server.url}/api/v1/envelopes/${server.options.envelopeId}`,
        connections: 2,
        seconds,
        overallRate: 100,
        headers: { authorization: `Bearer ${server.options.key}` },
      });
    const idle = await read(5);
    global.gc?.();
    const before = process.memoryUsage.rss();
    const busy = await sampled(async () => {
      const started = performance.now();
      const running = uploads({ ...client, count: 4 * CONCURRENT, concurrency: CONCURRENT });
      // Reads for about as long as the uploads take (estimated from the sequential run): as many
      // samples as the idle run's, within a second, for a p99 that is not the worst one or two.
      const reads = await read(Math.max(4, Math.round((4 * oursMs) / 1000)));
      const done = await running;
      return { reads, done, seconds: (performance.now() - started) / 1000 };
    });

    const ratio = oursMs / floorMs;
    console.log(
      `\nUpload of a ${mb(BYTES)}, ${PAGES}-page PDF as multipart (SQLite), median of ${COUNT}`,
    );
    console.log(
      `hash + write the same bytes (baseline)   ${floorMs.toFixed(0).padStart(6)} ms  1.00x`,
    );
    console.log(
      `POST /api/v1/documents, one at a time     ${oursMs.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2)}x  target <= 4x: ${ratio <= 4 ? "PASS" : "FAIL"}`,
    );
    const bound = 64 * 1024 * 1024;
    console.log(
      `  the thread serving HTTP: ${mainPerUpload.toFixed(0)} ms of CPU per upload (reported)`,
    );
    console.log(
      `server RSS above idle, one upload at a time: ${mb(one.peak - idleRss)} (one file: ${mb(BYTES)})`,
    );
    console.log(
      `server RSS above idle, ${CONCURRENT} at a time: ${mb(busy.peak - before)}; ${busy.result.done.length} uploads in ${busy.result.seconds.toFixed(1)} s`,
    );
    const p99 = (result: LoadResult) => result.latency.p99;
    const slower = p99(busy.result.reads) / Math.max(1, p99(idle));
    console.log(
      `GET an envelope at 100 req/s: p99 ${p99(idle)} ms idle, ${p99(busy.result.reads)} ms during ${CONCURRENT} uploads (${slower.toFixed(2)}x)  target <= 2x: ${slower <= 2 ? "PASS" : "FAIL"}`,
    );
    console.log(
      `  p50 ${idle.latency.p50} ms idle, ${busy.result.reads.latency.p50} ms during; max ${idle.latency.max} ms idle, ${busy.result.reads.latency.max} ms during`,
    );
    console.log(
      `memory target: the RSS rise stays within the bytes in flight plus ${mb(bound)}, whatever the number of uploads at once`,
    );
  } finally {
    await server.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
