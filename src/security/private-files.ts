import { chmodSync, mkdirSync } from "node:fs";

/**
 * The data directory holds customers' documents, the database and the server secret: only the
 * server's user may read it. Modes are set explicitly on everything created (no process-wide
 * umask, which would also apply to files of other code in the process), and what exists already
 * is tightened at start.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) owner-only, or tightens an existing one to owner-only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to owner-only; nothing when it does not exist. */
export function tightenFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE);
}

function tighten(target: string, mode: number): void {
  try {
    chmodSync(target, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Absent, or owned by another user (an operator's own layout): left as it is.
    if (code !== "ENOENT" && code !== "EPERM") throw error;
  }
}
