// `npm run bench:cli` (and part of `npm run bench`): how long a `certyneo` command takes, from
// start to exit, on SQLite. Baseline in the same run, the floor: a bare Node process loading
// Kysely and better-sqlite3, opening the same database and printing the same accounts as JSON.
// Each is run `BENCH_CLI_RUNS` times, in turn; the medians are compared. Run on the build
// (`bin/certyneo`), as an operator runs it: `npm run bench:cli` compiles first.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const BIN = fileURLToPath(new URL("../bin/certyneo", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The floor: what `accounts list --json` must do at least, with the same libraries. */
const FLOOR = `
import { Kysely, SqliteDialect } from "kysely";
import SQLite from "better-sqlite3";
const db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(process.argv[1]) }) });
const rows = await db.selectFrom("accounts").selectAll().orderBy("created_at", "desc").execute();
console.log(JSON.stringify(rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }))));
await db.destroy();
`;

/** Milliseconds from spawning `node args…` to its exit. */
async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await exec(process.execPath, args, { env, cwd: ROOT });
  return performance.now() - started;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-cli-"));
try {
  const env = { ...process.env, CERTYNEO_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
  await exec(process.execPath, [BIN, "accounts", "create", "--name", "Bench"], { env });
  const database = path.join(dataDir, "certyneo.sqlite");
  const ours: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    ours.push(await timed([BIN, "accounts", "list", "--json"], env));
    // With -e, the database's path is process.argv[1].
    floor.push(await timed(["--input-type=module", "-e", FLOOR, database], env));
  }
  const [a, b] = [median(ours), median(floor)];
  console.log(`\nThe certyneo command, SQLite, median of ${RUNS} runs each, start to exit`);
  console.log(`bare Node + Kysely + better-sqlite3 (baseline)  ${b.toFixed(0).padStart(5)} ms`);
  console.log(
    `certyneo accounts list --json                   ${a.toFixed(0).padStart(5)} ms  ${(a / b).toFixed(2)}x  (reported)`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
