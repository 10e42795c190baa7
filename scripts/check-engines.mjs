// Fails when an installed package says it needs a newer Node.js than the one we support, so a
// dependency bump that would break Node 20 users is caught before it ships.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";

const ownRange = JSON.parse(readFileSync("package.json", "utf8")).engines.node;
const oldest = semver.minVersion(ownRange).version;
const problems = [];

function visit(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      visit(full);
      continue;
    }
    const manifest = path.join(full, "package.json");
    if (existsSync(manifest)) {
      const { name, version, engines } = JSON.parse(readFileSync(manifest, "utf8"));
      const range = engines?.node;
      if (typeof range === "string" && !semver.satisfies(oldest, range)) {
        problems.push(`${name}@${version} needs Node ${range}`);
      }
    }
    const nested = path.join(full, "node_modules");
    if (existsSync(nested)) visit(nested);
  }
}

visit("node_modules");
if (problems.length > 0) {
  console.error(`Packages that do not run on Node ${oldest} (our engines: ${ownRange}):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error("Pin an older version, or add an override in package.json.");
  process.exit(1);
}
console.log(`All installed packages support Node ${oldest}.`);
