// Keeps this checkout's build of better-sqlite3 where prebuild-install looks before downloading
// one: npm's cache (`_prebuilds`), under the name it gives this Node's version of the module.
// Without access to GitHub (as on this project's CI), npm ci builds better-sqlite3 from source,
// about 90 s of compiling on 2 cores; the next npm ci on this machine, in any checkout, unpacks
// this build instead. Only a build that loads in this Node is kept, and an existing one is left
// alone. Run by scripts/test-machine.sh; a failure here never stops the tests.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

try {
  const Database = require("better-sqlite3");
  new Database(":memory:").close();
  const pkg = require("better-sqlite3/package.json");
  const options = { ...require("prebuild-install/rc")(pkg), pkg };
  const util = require("prebuild-install/util");
  const cached = util.cachedPrebuild(util.getDownloadUrl(options));
  if (!existsSync(cached)) {
    mkdirSync(path.dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    const module = path.dirname(require.resolve("better-sqlite3/package.json"));
    execFileSync("tar", ["-czf", partial, "-C", module, "build/Release/better_sqlite3.node"]);
    renameSync(partial, cached);
    console.log(`Kept this build of better-sqlite3 for the next npm ci: ${cached}`);
  }
} catch (error) {
  console.log(`(better-sqlite3's build not kept for the next npm ci: ${error.message})`);
}
