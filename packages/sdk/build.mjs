// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its .d.ts files. TypeScript
// emits CommonJS for sources whose package.json says so: the CommonJS build compiles a copy of
// src under such a package.json.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const typescript = createRequire(import.meta.url).resolve("typescript/package.json");
const tsc = (project) =>
  execFileSync(
    process.execPath,
    [path.join(path.dirname(typescript), "bin", "tsc"), "-p", project],
    {
      stdio: "inherit",
    },
  );

rmSync("dist", { recursive: true, force: true });
tsc("tsconfig.json");

const copy = ".build-cjs";
rmSync(copy, { recursive: true, force: true });
cpSync("src", path.join(copy, "src"), { recursive: true });
writeFileSync(path.join(copy, "package.json"), '{ "type": "commonjs" }\n');
writeFileSync(
  path.join(copy, "tsconfig.json"),
  JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { rootDir: "src", outDir: "../dist/cjs", verbatimModuleSyntax: false },
    include: ["src"],
  }),
);
try {
  tsc(copy);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
// Inside dist/cjs, .js files are CommonJS whatever the package's "type".
mkdirSync("dist/cjs", { recursive: true });
writeFileSync("dist/cjs/package.json", '{ "type": "commonjs" }\n');
