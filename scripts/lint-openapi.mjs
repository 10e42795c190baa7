// `npm run lint:openapi`: openapi.json against Redocly's and Spectral's recommended rules, where
// a warning fails as an error does. Neither tool reaches the network (see redocly.yaml).
import { spawnSync } from "node:child_process";

const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
const run = (command, args) =>
  spawnSync("npx", ["--no-install", command, ...args], { encoding: "utf8", env });

const redocly = run("redocly", ["lint", "openapi.json", "--format=json"]);
const report = JSON.parse(redocly.stdout.slice(redocly.stdout.indexOf("{")));
for (const problem of report.problems)
  console.error(
    `redocly ${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location?.[0]?.pointer}`,
  );
const spectral = run("spectral", ["lint", "openapi.json", "--fail-severity=hint", "--quiet"]);
if (spectral.status !== 0) console.error(spectral.stdout, spectral.stderr);

const failed = report.problems.length > 0 || spectral.status !== 0;
console.log(
  failed
    ? "openapi.json: fix the problems above"
    : "openapi.json passes Redocly's and Spectral's recommended rules, without a warning",
);
process.exit(failed ? 1 : 0);
