// `npm run bench:cpu`: the server's CPU time per request for a few reads (the minimum of five 2 s
// runs of 10 connections, autocannon in its own process), on SQLite, or on PostgreSQL with
// `BENCH_DATABASES=postgres`, where PostgreSQL's own CPU per request is given too (its processes'
// times in /proc; Linux). Steadier than requests per second on a machine whose speed varies from
// one minute to the next: what one change saves.

import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createPostgresDatabase } from "../test/helpers/database.js";
import { load, ourServer } from "./autocannon.js";

/** CPU time of every postgres process, in µs (0 where /proc cannot tell). */
function postgresCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * (1_000_000 / 100);
}

const onPostgres = process.env.BENCH_DATABASES === "postgres";
const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-cpu-"));
const postgres = onPostgres ? await createPostgresDatabase(path.join(dir, "postgres")) : undefined;
const server = await ourServer(postgres?.env ?? { CERTYNEO_DATA_DIR: dir }, { worker: false });
try {
  console.log(`CPU per request on ${onPostgres ? "PostgreSQL" : "SQLite"}`);
  const routes = {
    "GET /api/v1/envelopes/{id}": `/api/v1/envelopes/${server.options.envelopeId}`,
    "GET /api/v1/keys?limit=1": "/api/v1/keys?limit=1",
    "GET /healthz": "/healthz",
  };
  for (const [name, route] of Object.entries(routes)) {
    const run = (seconds: number) =>
      load({
        url: `${server.url}${route}`,
        connections: 10,
        seconds,
        headers: { authorization: `Bearer ${server.options.key}` },
      });
    await run(1);
    const samples: { server: number; postgres: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const before = process.cpuUsage();
      const postgresBefore = postgresCpu();
      const result = await run(2);
      const used = process.cpuUsage(before);
      const n = result.requests.total;
      samples.push({
        server: (used.user + used.system) / n,
        postgres: (postgresCpu() - postgresBefore) / n,
      });
    }
    samples.sort((a, b) => a.server - b.server);
    const pg = onPostgres ? `; PostgreSQL ${samples[0]!.postgres.toFixed(0)} µs` : "";
    console.log(
      `${name.padEnd(30)} ${samples[0]!.server.toFixed(0).padStart(5)} µs of CPU per request (min of 5; ${samples.map((s) => s.server.toFixed(0)).join(", ")})${pg}`,
    );
  }
} finally {
  await server.close();
  await postgres?.drop();
  await rm(dir, { recursive: true, force: true });
}
