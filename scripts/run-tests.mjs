// Runs the whole suite against one database: `node scripts/run-tests.mjs sqlite|postgres`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const database = process.argv[2];
if (database !== "sqlite" && database !== "postgres") {
  console.error("usage: node scripts/run-tests.mjs sqlite|postgres");
  process.exit(2);
}

/**
 * The longest files start first (on a 2-core machine: about 120, 80, 60 and 35 s), so that the
 * suite does not end with one of them running alone on one core while the other idles.
 */
const LONGEST_FIRST = [
  "test/cli.test.ts",
  "test/e2e/signing-page.test.ts",
  "test/e2e/dashboard.test.ts",
  "test/background-crash.test.ts",
];
const rank = (file) => {
  const index = LONGEST_FIRST.indexOf(file.split(path.sep).join("/"));
  return index === -1 ? LONGEST_FIRST.length : index;
};

const files = readdirSync("test", { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
  .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
  .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));

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
