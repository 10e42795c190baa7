// `npm run bench:cpu`: the server's CPU time per request for a few reads, on SQLite (the minimum of
// five 2 s runs of 10 connections, autocannon in its own process). Steadier than requests per
// second on a machine whose speed varies from one minute to the next: what one change saves.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { load, ourServer } from "./autocannon.js";

const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-cpu-"));
const server = await ourServer({ CERTYNEO_DATA_DIR: dir }, { worker: false });
try {
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
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = process.cpuUsage();
      const result = await run(2);
      const used = process.cpuUsage(before);
      samples.push((used.user + used.system) / result.requests.total);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(30)} ${samples[0]!.toFixed(0).padStart(5)} µs of CPU per request (min of 5; ${samples.map((s) => s.toFixed(0)).join(", ")})`,
    );
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
