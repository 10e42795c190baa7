// `npm run bench:reads` (and part of `npm run bench`): authenticated reads against a real server,
// on SQLite then PostgreSQL, 10 connections from autocannon in its own process; baseline: bare
// Fastify serving the same envelope JSON in the same run, measured before and after each route.
// Issue 15's targets are printed beside each figure, and the practical ceiling of an authenticated
// read on each database. A list is measured in an account of 1,000 envelopes and in one of 100,000.

import path from "node:path";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { SQLITE_FILE_NAME } from "../src/db/database.js";
import type { Tables } from "../src/db/schema.js";
import { takeTokenStatement } from "../src/rate-limit/postgres-store.js";
import { hashApiKeySecret } from "../src/security/api-key-secret.js";
import { newId } from "../src/security/random.js";
import {
  baseline,
  type LoadResult,
  load,
  onEachDatabase,
  ourServer,
  report,
  serverErrors,
} from "./autocannon.js";

const CONNECTIONS = Number(process.env.BENCH_READS_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_READS_SECONDS ?? 10);
const WARM_UP_SECONDS = Math.min(3, SECONDS);
const BIG = Number(process.env.BENCH_READS_BIG ?? 100_000);

/**
 * `count` copies of envelope `templateId` (with its documents and recipients) in a new account
 * with a key; answers the key. Inserted directly, in batches, older than the template.
 */
async function seed(
  db: Kysely<Tables>,
  server: Awaited<ReturnType<typeof ourServer>>,
  count: number,
): Promise<string> {
  const { app } = server;
  const account = await app.accounts.create(`reads ${count}`);
  const { key, secret } = await app.keys.create({ accountId: account.id, environment: "test" }, {});
  await app.keys.setRateLimit(key.id, { perMinute: 1_000_000, burst: 1_000_000 });
  const id = server.options.envelopeId;
  const envelope = await db
    .selectFrom("envelopes")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  const links = await db
    .selectFrom("envelope_documents")
    .selectAll()
    .where("envelope_id", "=", id)
    .execute();
  const recipients = await db
    .selectFrom("recipients")
    .selectAll()
    .where("envelope_id", "=", id)
    .execute();
  const start = Date.parse(envelope.created_at) - count * 1000;
  const BATCH = 400;
  for (let done = 0; done < count; done += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => {
      const at = new Date(start + (done + i) * 1000).toISOString();
      return {
        ...envelope,
        id: newId("env"),
        account_id: account.id,
        created_at: at,
        updated_at: at,
      };
    });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("envelopes").values(rows).execute();
      await trx
        .insertInto("envelope_documents")
        .values(rows.flatMap((row) => links.map((link) => ({ ...link, envelope_id: row.id }))))
        .execute();
      await trx
        .insertInto("recipients")
        .values(
          rows.flatMap((row) =>
            recipients.map((r) => ({
              ...r,
              id: newId("rcp"),
              envelope_id: row.id,
              token_hash: null,
            })),
          ),
        )
        .execute();
    });
  }
  // The statistics a database holds a minute after a bulk insert (autovacuum's ANALYZE): the
  // planner must not plan for tables it still believes empty.
  if (app.database.dialect === "postgres") await sql`analyze`.execute(db);
  return secret;
}

/** Bare Fastify answering `GET /:id` with the status `answer` gives, loaded as our routes are. */
async function loadBare(
  server: Awaited<ReturnType<typeof ourServer>>,
  answer: (secret: string, id: string) => Promise<number> | number,
): Promise<LoadResult> {
  const bare = Fastify();
  bare.get<{ Params: { id: string } }>("/:id", (request, reply) => {
    const respond = (status: number) =>
      status === 200
        ? reply.type("application/json; charset=utf-8").send(server.envelopeJson)
        : reply.code(status).send();
    const secret = request.headers.authorization?.slice("Bearer ".length) ?? "";
    const status = answer(secret, request.params.id);
    // A synchronous answer (SQLite) costs no promise, as in the ceiling before PostgreSQL's.
    return typeof status === "number" ? respond(status) : status.then(respond);
  });
  await bare.listen({ host: "127.0.0.1", port: 0 });
  const address = bare.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    return await load({
      url: `http://127.0.0.1:${port}/${server.options.envelopeId}`,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: { authorization: `Bearer ${server.options.key}` },
    });
  } finally {
    await bare.close();
  }
}

/**
 * The practical ceiling of an authenticated read on SQLite, as issue 15 describes it: bare Fastify
 * that hashes the bearer key, finds the key's row by that hash and the envelope's row by its id
 * (one prepared statement each, on a read-only connection to the server's database), then answers
 * the same bytes. No framework hooks, no rate limit, no parts of the envelope, no serialisation.
 */
async function sqliteCeiling(
  dataDir: string,
  server: Awaited<ReturnType<typeof ourServer>>,
): Promise<LoadResult> {
  const db = new SQLite(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true });
  const keyByHash = db.prepare<[string], { account_id: string; revoked_at: string | null }>(
    "select account_id, revoked_at from api_keys where secret_hash = ?",
  );
  const envelopeById = db.prepare("select * from envelopes where id = ? and account_id = ?");
  try {
    return await loadBare(server, (secret, id) => {
      const key = keyByHash.get(hashApiKeySecret(secret));
      if (!key || key.revoked_at !== null) return 401;
      return envelopeById.get(id, key.account_id) ? 200 : 404;
    });
  } finally {
    db.close();
  }
}

/**
 * The same ceiling on PostgreSQL, where a key's rate limit must be taken in the database (every
 * instance shares it): bare Fastify and one prepared statement, one round trip, that finds the
 * key by its hash, takes a token from its bucket and reads the envelope's row. Our route pays two
 * round trips, the framework, the parts and the serialisation on top.
 */
async function postgresCeiling(
  databaseUrl: string,
  server: Awaited<ReturnType<typeof ourServer>>,
): Promise<LoadResult> {
  const statement = sql<{ revoked_at: string | null; allowed: number | null; envelope: unknown }>`
    with k as (
      select id, account_id, environment, revoked_at,
        coalesce(rate_limit_burst, 200)::float8 as burst,
        coalesce(rate_limit_per_minute, 100)::float8 / 60000 as rate
      from api_keys where secret_hash = ${""}
    ), taken as (${takeTokenStatement(
      sql`select id, burst - 1, ${0}::float8, 1 from k where revoked_at is null`,
      sql`(select burst from k)`,
      sql`(select rate from k)`,
    )})
    select k.revoked_at, taken.last_take_allowed as allowed,
      (select row_to_json(e) from envelopes e
        where e.id = ${""} and e.account_id = k.account_id and e.environment = k.environment) as envelope
    from k left join taken on true`.compile(server.app.database.db);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    return await loadBare(server, async (secret, id) => {
      const client = await pool.connect();
      try {
        const values = [hashApiKeySecret(secret), Date.now(), id];
        const [row] = (await client.query({ name: "ceiling", text: statement.sql, values })).rows;
        if (!row || row.revoked_at !== null) return 401;
        if (row.allowed !== 1) return 429;
        return row.envelope ? 200 : 404;
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.end();
  }
}

interface Row {
  label: string;
  result: LoadResult;
  /** The floor this row is compared with: the mean of the runs just before and after it. */
  base: number;
  ratio: number;
  target: string;
  pass: boolean | null;
}

async function run(label: string, env: Record<string, string>, envelopeTarget: number) {
  const server = await ourServer(env, { worker: false });
  const rows: Row[] = [];
  try {
    const auth = { authorization: `Bearer ${server.options.key}` };
    const get = (url: string, headers: Record<string, string> = auth) =>
      load({ url: `${server.url}${url}`, connections: CONNECTIONS, seconds: SECONDS, headers });
    // This machine's throughput drifts by a factor of two within minutes: each route is measured
    // between two runs of the floor, and compared with their mean.
    const floors: number[] = [];
    const floor = async () => {
      const result = await baseline(server.envelopeJson, CONNECTIONS, SECONDS);
      floors.push(result.requests.average);
      return result.requests.average;
    };
    // Nothing has run our routes yet, where the floor's code (Node's HTTP server, Fastify) is
    // shared with all of ours: each route first runs unmeasured, until V8 has optimised it.
    for (const url of [
      "/healthz",
      "/api/v1/keys?limit=1",
      `/api/v1/envelopes/${server.options.envelopeId}`,
    ])
      await load({
        url: `${server.url}${url}`,
        connections: CONNECTIONS,
        seconds: WARM_UP_SECONDS,
        headers: auth,
      });
    let before = await floor();
    const add = (name: string, result: LoadResult, base: number, target: number | null) => {
      const ratio = result.requests.average / base;
      rows.push({
        label: name,
        result,
        base,
        ratio,
        target: target === null ? "(reported)" : `>= ${target}x`,
        pass: target === null ? null : ratio >= target && serverErrors(result) === 0,
      });
    };
    const between = async (name: string, result: Promise<LoadResult>, target: number | null) => {
      const measured = await result;
      const after = await floor();
      add(name, measured, (before + after) / 2, target);
      before = after;
      return measured;
    };
    await between("GET /healthz", get("/healthz", {}), 0.6);
    await between("GET /api/v1/keys?limit=1", get("/api/v1/keys?limit=1"), null);
    const envelope = await between(
      "GET /api/v1/envelopes/{id}",
      get(`/api/v1/envelopes/${server.options.envelopeId}`),
      envelopeTarget,
    );
    const practical =
      server.app.database.dialect === "sqlite"
        ? await between(
            "ceiling: key by hash + envelope row, bare",
            sqliteCeiling(env.CERTYNEO_DATA_DIR!, server),
            null,
          )
        : await between(
            "ceiling: key + token + envelope row, 1 statement, bare",
            postgresCeiling(env.DATABASE_URL!, server),
            null,
          );
    if (practical.non2xx > 0) throw new Error("the ceiling's reads were refused");
    const small = await seed(server.app.database.db, server, 1000);
    const big = await seed(server.app.database.db, server, BIG);
    const listSmall = await get("/api/v1/envelopes?limit=100", {
      authorization: `Bearer ${small}`,
    });
    const listBig = await get("/api/v1/envelopes?limit=100", { authorization: `Bearer ${big}` });
    // Compared with each other: the floor's mean over the run is enough for these.
    const meanFloor = floors.reduce((sum, f) => sum + f, 0) / floors.length;
    add("GET /api/v1/envelopes?limit=100, 1,000 in the account", listSmall, meanFloor, null);
    add(
      `GET /api/v1/envelopes?limit=100, ${BIG.toLocaleString("en")} in the account`,
      listBig,
      meanFloor,
      null,
    );
    console.log(`\nReads on ${label}: ${CONNECTIONS} connections, ${SECONDS} s each`);
    console.log(
      `bare Fastify, same bytes (baseline): ${floors.map((f) => f.toFixed(0)).join(", ")} req/s, measured before and after each route`,
    );
    for (const row of rows) {
      console.log(report(row.label, row.result, row.base));
      console.log(
        `  baseline ${row.base.toFixed(0)} req/s; target ${row.target}${row.pass === null ? "" : row.pass ? ": PASS" : ": FAIL"}`,
      );
    }
    console.log(
      `GET /api/v1/envelopes/{id} at ${(envelope.requests.average / practical.requests.average).toFixed(2)}x of the ceiling`,
    );
    const slowdown = listSmall.requests.average / listBig.requests.average;
    console.log(
      `list with ${BIG.toLocaleString("en")} envelopes vs 1,000: ${slowdown.toFixed(2)}x slower (target <= 1.5x): ${slowdown <= 1.5 ? "PASS" : "FAIL"}`,
    );
    return rows.reduce((sum, row) => sum + serverErrors(row.result), 0);
  } finally {
    await server.close();
  }
}

await onEachDatabase("reads", (label, env, engine) =>
  run(label, env, engine === "sqlite" ? 0.25 : 0.1),
);
