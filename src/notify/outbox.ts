import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBase62 } from "../security/random.js";

/**
 * Keeps one message as a file named so that files sort by time and never collide. A stream (an
 * email with its attachments) is written as it is produced, never whole in memory.
 */
export async function writeOutboxFile(
  dir: string,
  extension: string,
  content: string | Buffer | Readable,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(
    dir,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBase62(8)}.${extension}`,
  );
  if (!(content instanceof Readable)) return writeFile(file, content, { mode: 0o600 });
  // Named once whole: a reader of the outbox never sees half a message.
  const partial = `${file}.part`;
  try {
    await pipeline(content, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
