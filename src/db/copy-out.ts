import pg from "pg";
import { to as copyTo } from "pg-copy-streams";

/**
 * Runs `COPY (…) TO STDOUT` and gives its whole output, for outputs of a bounded size (a chunk
 * of a stored file). With `(FORMAT binary)`, bytea comes as its bytes: a `SELECT` of bytea comes
 * as hex text, twice the bytes, made a string and decoded on the event loop (reading a 5 MB file
 * took it 65-77 ms of CPU that way, 5-8 ms by COPY). The connection is held only while the output
 * arrives, never while a slow reader of the file takes it.
 */
export type CopyOut = (statement: string) => Promise<Buffer>;

export function copyOutOf(pool: pg.Pool): CopyOut {
  return async (statement) => {
    const client = await pool.connect();
    try {
      const pieces: Buffer[] = [];
      for await (const piece of client.query(copyTo(statement))) pieces.push(piece as Buffer);
      client.release();
      return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    } catch (error) {
      // Whatever state the COPY left the connection in, it is closed rather than reused.
      client.release(error as Error);
      throw error;
    }
  };
}

/** How a worker thread's own connections show in `pg_stat_activity` (`application_name`). */
export const THREAD_CONNECTION_NAME = "certyneo worker thread";

/** This thread's pools for `threadCopyOut`, by database URL. */
const threadPools = new Map<string, pg.Pool>();

/**
 * `CopyOut` on a connection of this thread's own, for a worker thread reading stored files by
 * itself (`storage/stored-file.ts`): at most 2 connections a thread, closed after 10 idle seconds.
 */
export function threadCopyOut(databaseUrl: string): CopyOut {
  let pool = threadPools.get(databaseUrl);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 2,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: THREAD_CONNECTION_NAME,
    });
    // An idle client losing its connection must not end the thread; the pool replaces it.
    pool.on("error", () => {});
    threadPools.set(databaseUrl, pool);
  }
  return copyOutOf(pool);
}
