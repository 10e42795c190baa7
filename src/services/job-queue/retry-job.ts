import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { lockLane } from "../../db/locks.js";
import type { Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import { laneBusy } from "./lanes.js";

/**
 * Makes a failed job due again now, with a fresh schedule (behind its lane's unfinished job, if
 * any); `false` when no such failed job.
 */
export async function retryJob(
  db: Kysely<Tables>,
  dialect: Dialect,
  clock: Clock,
  jobId: string,
): Promise<boolean> {
  const now = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom("jobs")
      .select(["lane"])
      .where("id", "=", jobId)
      .where("state", "=", "failed")
      .executeTakeFirst();
    if (!job) return false;
    let state: "pending" | "waiting" = "pending";
    if (job.lane) {
      await lockLane(trx, dialect, job.lane);
      if (await laneBusy(trx, job.lane)) state = "waiting";
    }
    await trx
      .updateTable("jobs")
      .set({ state, attempts: 0, run_after: now, locked_until: null, updated_at: now })
      .where("id", "=", jobId)
      .execute();
    return true;
  });
}
