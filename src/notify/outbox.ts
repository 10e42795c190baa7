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
  const out = createWriteStream(partial, { mode: 0o600 });
  try {
    await pipeline(content, out);
    await rename(partial, file);
  } catch (error) {
    // A message that failed while the file was still being opened: the file appears once the
    // open completes, so it is removed after the stream has closed (CI saw two left behind).
    if (!out.closed) await new Promise<void>((closed) => out.once("close", () => closed()));
    await rm(partial, { force: true });
    throw error;
  }
}
