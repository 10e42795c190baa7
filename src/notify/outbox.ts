import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBase62 } from "../security/random.js";

/** Keeps one message as a file named so that files sort by time and never collide. */
export async function writeOutboxFile(
  dir: string,
  extension: string,
  content: string | Buffer,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBase62(8)}.${extension}`;
  await writeFile(path.join(dir, file), content, { mode: 0o600 });
}
