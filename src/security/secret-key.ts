import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from "./private-files.js";

export const SECRET_KEY_FILE = "secret.key";

/**
 * The server's master secret: `CERTYNEO_SECRET_KEY` when set (every instance of a cluster must
 * share it), otherwise a random one created once in the data directory with owner-only access.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, "utf8");
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const secret = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    tightenFile(file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  ensurePrivateDir(dataDir);
  const secret = randomBytes(32);
  try {
    writeFileSync(file, `${secret.toString("base64")}\n`, { mode: PRIVATE_FILE_MODE, flag: "wx" });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      return loadSecretKey(undefined, dataDir);
    throw error;
  }
}
