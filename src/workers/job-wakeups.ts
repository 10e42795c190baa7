import pg from "pg";
import { JOBS_CHANNEL, type JobKind } from "../services/job-queue/index.js";
import type { WorkerLog } from "./job-worker.js";

const RECONNECT_MS = 2000;

/**
 * Listens on PostgreSQL for the jobs any instance enqueues (`NOTIFY` sent as their transaction
 * commits) and calls `wake` with each kind. A lost connection is made again; meanwhile the
 * workers' poll finds the work.
 */
export function listenForJobs(
  connectionString: string,
  wake: (kind?: JobKind) => void,
  log: WorkerLog,
): { close(): Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client({ connectionString });
    client = next;
    next.on("notification", (message) => {
      if (message.channel === JOBS_CHANNEL) wake((message.payload || undefined) as JobKind);
    });
    const lost = (error?: Error) => {
      if (closed || client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      log.error({ err: error }, "job wake-ups lost; listening again shortly");
      retry = setTimeout(() => void connect(), RECONNECT_MS);
      retry.unref();
    };
    next.on("error", lost);
    next.on("end", () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${JOBS_CHANNEL}`);
      // Whatever was enqueued while nobody listened is due now.
      wake();
    } catch (error) {
      lost(error as Error);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
