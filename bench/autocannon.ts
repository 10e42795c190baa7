// What bench/load.ts and bench/reads.ts share: the load generator in its own process
// (bench/load-client.mjs, autocannon), our server with an envelope to read, the bare-Fastify
// floor serving the same bytes, and how a result is reported.

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
const CLIENT = fileURLToPath(new URL("./load-client.mjs", import.meta.url));

export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await exec(process.execPath, [CLIENT, JSON.stringify(options)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as LoadResult;
}

export function report(label: string, result: LoadResult, baseline: number): string {
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}: ${count}`)
    .join(", ");
  return [
    `${label.padEnd(40)} ${result.requests.average.toFixed(0).padStart(7)} req/s  ${(result.requests.average / baseline).toFixed(3)}x`,
    `  p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ${result.requests.total} requests (${codes}); socket errors ${result.errors}, timeouts ${result.timeouts}`,
  ].join("\n");
}

export function serverErrors(result: LoadResult): number {
  return Object.entries(result.statusCodeStats)
    .filter(([code]) => Number(code) >= 500)
    .reduce((sum, [, { count }]) => sum + count, 0);
}

/** Our server with the worker running, an account, a document and a sent envelope to read. */
export async function ourServer(
  env: Record<string, string>,
  { worker = true }: { worker?: boolean } = {},
) {
  // BENCH_LOG_LEVEL=error shows what a 5xx was (a benchmark that saw one fails).
  const logLevel = process.env.BENCH_LOG_LEVEL ?? "silent";
  const app = await createApp(loadConfig({ LOG_LEVEL: logLevel, PORT: "0", ...env }));
  const server = await buildServer(app);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const url = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  if (worker) app.worker.start(1000);
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
    app,
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
export async function baseline(
  body: string,
  connections: number,
  seconds = 10,
): Promise<LoadResult> {
  const bare = Fastify();
  bare.get("/", (_request, reply) => {
    reply.type("application/json; charset=utf-8").send(body);
  });
  await bare.listen({ host: "127.0.0.1", port: 0 });
  const address = bare.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    return await load({ url: `http://127.0.0.1:${port}/`, connections, seconds });
  } finally {
    await bare.close();
  }
}

type Engine = "sqlite" | "postgres";

/**
 * Runs `run` on SQLite, then on a fresh PostgreSQL database (those of `BENCH_DATABASES`, both by
 * default), each with its environment; `run` answers its count of 5xx responses. If any, the
 * process fails, naming `benchmark`.
 */
export async function onEachDatabase(
  benchmark: string,
  run: (label: string, env: Record<string, string>, engine: Engine) => Promise<number>,
): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `certyneo-${benchmark}-`));
  let failures = 0;
  try {
    const only = process.env.BENCH_DATABASES?.split(",") ?? ["sqlite", "postgres"];
    if (only.includes("sqlite"))
      failures += await run(
        "SQLite",
        { CERTYNEO_DATA_DIR: path.join(dataDir, "sqlite") },
        "sqlite",
      );
    if (only.includes("postgres")) {
      const postgres = await createPostgresDatabase(path.join(dataDir, "postgres"));
      try {
        failures += await run("PostgreSQL", postgres.env, "postgres");
      } finally {
        await postgres.drop();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  if (failures > 0) {
    console.error(`\n${failures} responses were 5xx: the ${benchmark} benchmark fails.`);
    process.exitCode = 1;
  }
}
