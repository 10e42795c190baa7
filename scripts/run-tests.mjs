// Runs the whole suite against one database: `node scripts/run-tests.mjs sqlite|postgres`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const database = process.argv[2];
if (database !== "sqlite" && database !== "postgres") {
  console.error("usage: node scripts/run-tests.mjs sqlite|postgres");
  process.exit(2);
}

const files = readdirSync("test", { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
  .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
  .sort();

console.log(`\n# Test suite on ${database} (${files.length} files, Node ${process.version})\n`);
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=2",
    // A test file that hangs fails, named, rather than holding CI until its deadline (it bounds
    // each file as well as each test). The longest file takes about 2.5 minutes.
    "--test-timeout=420000",
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, CERTYNEO_TEST_DATABASE: database } },
);
process.exit(result.status ?? 1);
