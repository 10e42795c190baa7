// `npm run bench:load` (and the end of `npm run bench`): 50 clients for 60 s mixing reads and
// writes against a real server, on SQLite then PostgreSQL, with the background worker running;
// baseline: a bare Fastify route serving the same envelope JSON, in the same run. The load
// generator (bench/load-client.mjs, autocannon) runs in its own process. Reports req/s, p50,
// p99 and every status code: a single 5xx is a failure of the run.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Fastify from "fastify";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { buildServer } from "../src/server.js";
import { createPostgresDatabase } from "../test/helpers/database.js";
import { makePdf } from "../test/helpers/pdf.js";

const exec = promisify(execFile);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CLIENT = fileURLToPath(new URL("./load-client.mjs", import.meta.url));

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  non2xx: number;
}

async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await exec(process.execPath, [CLIENT, JSON.stringify(options)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as LoadResult;
}

function report(label: string, result: LoadResult, baseline: number): string {
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}: ${count}`)
    .join(", ");
  return [
    `${label.padEnd(40)} ${result.requests.average.toFixed(0).padStart(7)} req/s  ${(result.requests.average / baseline).toFixed(3)}x`,
    `  p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ${result.requests.total} requests (${codes}); socket errors ${result.errors}, timeouts ${result.timeouts}`,
  ].join("\n");
}

function serverErrors(result: LoadResult): number {
  return Object.entries(result.statusCodeStats)
    .filter(([code]) => Number(code) >= 500)
    .reduce((sum, [, { count }]) => sum + count, 0);
}

/** Our server with the worker running, an account, a document and a sent envelope to read. */
async function ourServer(env: Record<string, string>) {
  const app = await createApp(loadConfig({ LOG_LEVEL: "silent", PORT: "0", ...env }));
  const server = await buildServer(app);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const url = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  app.worker.start(1000);
  const account = await app.accounts.create("load");
  const { key, secret } = await app.keys.create({ accountId: account.id, environment: "test" }, {});
  await app.keys.setRateLimit(key.id, { perMinute: 1_000_000, burst: 1_000_000 });
  const pdf = await makePdf(["a4"]);
  const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
  const document = (await (
    await fetch(`${url}/api/v1/documents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "load.pdf", content: pdf.toString("base64") }),
    })
  ).json()) as { id: string };
  const envelope = (await (
    await fetch(`${url}/api/v1/envelopes`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        subject: "Load test",
        documentIds: [document.id],
        recipients: [{ email: "signer@example.com", name: "Signer", role: "SIGNER" }],
      }),
    })
  ).json()) as { id: string };
  const envelopeJson = await (
    await fetch(`${url}/api/v1/envelopes/${envelope.id}`, { headers })
  ).text();
  return {
    url,
    options: {
      key: secret,
      documentId: document.id,
      envelopeId: envelope.id,
      pdf: pdf.toString("base64"),
    },
    envelopeJson,
    async close() {
      await server.close();
      await app.close();
    },
  };
}

/** The floor: bare Fastify answering the same bytes as GET /envelopes/{id}. */
async function baseline(body: string): Promise<LoadResult> {
  const bare = Fastify();
  bare.get("/", (_request, reply) => {
    reply.type("application/json; charset=utf-8").send(body);
  });
  await bare.listen({ host: "127.0.0.1", port: 0 });
  const address = bare.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    return await load({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, seconds: 10 });
  } finally {
    await bare.close();
  }
}

async function run(label: string, env: Record<string, string>): Promise<number> {
  const server = await ourServer(env);
  try {
    const floor = await baseline(server.envelopeJson);
    const mixed = await load({
      url: server.url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      ...server.options,
    });
    console.log(`\nLoad on ${label}: ${CONNECTIONS} clients, ${SECONDS} s, reads and writes mixed`);
    console.log(report("bare Fastify, same bytes (baseline)", floor, floor.requests.average));
    console.log(report("mixed API traffic", mixed, floor.requests.average));
    return serverErrors(mixed);
  } finally {
    await server.close();
  }
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-load-"));
let failures = 0;
try {
  failures += await run("SQLite", { CERTYNEO_DATA_DIR: path.join(dataDir, "sqlite") });
  const postgres = await createPostgresDatabase(path.join(dataDir, "postgres"));
  try {
    failures += await run("PostgreSQL", postgres.env);
  } finally {
    await postgres.drop();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`\n${failures} responses were 5xx: the load benchmark fails.`);
  process.exitCode = 1;
}
