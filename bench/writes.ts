// `npm run bench:writes` (and part of `npm run bench`): create + send of an envelope with three
// signers, 8 clients (autocannon in its own process, each connection creating then sending), on
// SQLite (then again with each commit synced, CERTYNEO_SQLITE_SYNCHRONOUS=full: reported), then
// PostgreSQL. The account has a webhook endpoint subscribed to every event, so each
// send also fans out deliveries; invitations are planned as jobs, in the same transaction as the
// event. The worker is stopped: what is measured is the API's write path, not the sending of
// 1,500 emails a second. Baseline in the same run: bare Fastify answering the same bytes.
// Like bench:reads, the route first runs unmeasured (`BENCH_WRITES_WARM_UP_SECONDS`, 3 s) until V8
// has optimised it: a server answers from warm code once it has run for a few seconds, and the
// first seconds of a cold one (about 30 % fewer requests, measured) are not what it sustains.

import { readFileSync } from "node:fs";
import { baseline, load, onEachDatabase, ourServer, report, serverErrors } from "./autocannon.js";
import { endedChildrenCpu, hasThreadCounters, threadCpu } from "./thread-cpu.js";

const CONNECTIONS = Number(process.env.BENCH_WRITES_CONNECTIONS ?? 8);
const SECONDS = Number(process.env.BENCH_WRITES_SECONDS ?? 10);
const WARM_UP_SECONDS = Number(process.env.BENCH_WRITES_WARM_UP_SECONDS ?? Math.min(3, SECONDS));
/** SQLite is also measured with each commit synced (`BENCH_WRITES_SYNC_FULL=false`: not). */
const SYNC_FULL = process.env.BENCH_WRITES_SYNC_FULL !== "false";
/** Issue 15: at least 500 envelopes created and sent per second on SQLite. */
const TARGET = 500;

/** This process's I/O counters (Linux: /proc/self/io); undefined elsewhere. */
function ioCounters(): Record<string, number> | undefined {
  try {
    return Object.fromEntries(
      readFileSync("/proc/self/io", "utf8")
        .trim()
        .split("\n")
        .map((line) => {
          const [name, value] = line.split(": ");
          return [name!, Number(value)];
        }),
    );
  } catch {
    return undefined;
  }
}

/**
 * What was written per request since `before`: the database's log (SQLite's WAL frames) and the
 * checkpoints' copies into the database file are most of it.
 */
function ioCountersSince(
  before: Record<string, number> | undefined,
  requests: number,
): string | undefined {
  const after = ioCounters();
  if (!before || !after || requests === 0) return undefined;
  const per = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) / requests;
  return `${per("syscw").toFixed(0)} write calls, ${(per("wchar") / 1024).toFixed(0)} KB written`;
}

/** CPU time so far, in ms: of each thread of this process, and of its ended children. */
function cpuTimes(): { threads: Map<string, number>; children: number } | undefined {
  return hasThreadCounters ? { threads: threadCpu(), children: endedChildrenCpu() } : undefined;
}

/**
 * The CPU time per envelope since `before`: of this process's busiest threads (on SQLite the
 * envelope writer first, then the one serving HTTP and the checkpoints'), of all of them, and of
 * the load generator.
 */
function cpuPerEnvelope(
  before: ReturnType<typeof cpuTimes>,
  envelopes: number,
): string | undefined {
  const after = cpuTimes();
  if (!before || !after || envelopes === 0) return undefined;
  const threads = [...after.threads]
    .map(([tid, ms]) => (ms - (before.threads.get(tid) ?? 0)) / envelopes)
    .sort((a, b) => b - a);
  const all = threads.reduce((sum, ms) => sum + ms, 0);
  const generator = (after.children - before.children) / envelopes;
  const busiest = threads.slice(0, 4).map((ms) => ms.toFixed(2));
  return `CPU per envelope: busiest threads ${busiest.join(", ")} ms; this process ${all.toFixed(2)} ms; the load generator ${generator.toFixed(2)} ms`;
}

async function run(label: string, env: Record<string, string>, target: number | null) {
  const server = await ourServer(
    { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", ...env },
    { worker: false },
  );
  try {
    const scope = (await server.app.keys.authenticate(server.options.key))!.scope;
    await server.app.webhooks.create(scope, { url: "http://127.0.0.1:9/hooks" });
    const createSend = (seconds: number) =>
      load({
        url: server.url,
        connections: CONNECTIONS,
        seconds,
        scenario: "create-send",
        ...server.options,
      });
    const sent = async () =>
      Number(
        (
          await server.app.database.db
            .selectFrom("envelopes")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("status", "=", "SENT")
            .executeTakeFirstOrThrow()
        ).n,
      );
    if (WARM_UP_SECONDS > 0) await createSend(WARM_UP_SECONDS);
    const floor = await baseline(server.envelopeJson, CONNECTIONS, SECONDS);
    const sentBefore = await sent();
    const io = ioCounters();
    const cpu = cpuTimes();
    const result = await createSend(SECONDS);
    const created = (await sent()) - sentBefore;
    const cpuPer = cpuPerEnvelope(cpu, created);
    const perSecond = created / SECONDS;
    const written = ioCountersSince(io, result.requests.total);
    console.log(
      `\nWrites on ${label}: create + send, 3 signers, ${CONNECTIONS} clients, ${SECONDS} s` +
        ` (after ${WARM_UP_SECONDS} s unmeasured)`,
    );
    console.log(report("bare Fastify, same bytes (baseline)", floor, floor.requests.average));
    console.log(report("POST /envelopes, then POST /send", result, floor.requests.average));
    console.log(
      `envelopes created and sent: ${perSecond.toFixed(0)} /s` +
        (target === null
          ? " (reported)"
          : `  target >= ${target}/s: ${perSecond >= target ? "PASS" : "FAIL"}`),
    );
    if (written) console.log(`per request, by this process: ${written}`);
    if (cpuPer) console.log(cpuPer);
    return serverErrors(result);
  } finally {
    await server.close();
  }
}

await onEachDatabase("writes", async (label, env, engine) => {
  if (engine !== "sqlite") return run(label, env, null);
  const errors = await run(label, env, TARGET);
  if (!SYNC_FULL) return errors;
  // What syncing the log at each commit costs (docs/operations.md, "What a crash can take").
  const full = {
    ...env,
    CERTYNEO_DATA_DIR: `${env.CERTYNEO_DATA_DIR}-full`,
    CERTYNEO_SQLITE_SYNCHRONOUS: "full",
  };
  return errors + (await run(`${label}, CERTYNEO_SQLITE_SYNCHRONOUS=full`, full, null));
});
