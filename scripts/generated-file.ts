import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a generated file, or with `--check` on the command line, exits 1 if the committed one
 * differs, saying which command makes it again.
 */
export async function writeOrCheck(file: string, content: string, command: string): Promise<void> {
  const name = path.relative(process.cwd(), file);
  if (!process.argv.includes("--check")) {
    await writeFile(file, content);
    console.log(`wrote ${name}`);
    return;
  }
  const committed = await readFile(file, "utf8").catch(() => "");
  if (committed !== content) {
    console.error(`${name} is not what its source makes: run \`${command}\` and commit it.`);
    process.exit(1);
  }
  console.log(`${name} is up to date`);
}
