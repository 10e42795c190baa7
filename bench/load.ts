// `npm run bench:load` (and the end of `npm run bench`): 50 clients for 60 s mixing reads and
// writes against a real server, on SQLite then PostgreSQL, with the background worker running;
// baseline: a bare Fastify route serving the same envelope JSON, in the same run. The load
// generator (bench/load-client.mjs, autocannon) runs in its own process. Reports req/s, p50,
// p99 and every status code: a single 5xx is a failure of the run.

import { baseline, load, onEachDatabase, ourServer, report, serverErrors } from "./autocannon.js";

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);

async function run(label: string, env: Record<string, string>): Promise<number> {
  const server = await ourServer(env);
  try {
    const floor = await baseline(server.envelopeJson, CONNECTIONS);
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

await onEachDatabase("load", (label, env) => run(label, env));
