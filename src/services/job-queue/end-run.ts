import type { Job } from "./definitions.js";
import { type LaneContext, promoteNext } from "./lanes.js";

/**
 * Ends, within `lanes.trx`, a run of a lane's jobs: its first job `head` (running, this
 * worker's), and `followers`, jobs that waited behind it and were done in the same run.
 * `failed`, the follower the run stopped at, is claimed for this worker (its attempt counted),
 * so that its failure is recorded and retried as its own; otherwise the lane's next job gets its
 * turn. `owned: false` (nothing written) when `head` is no longer this worker's: its lock ran out
 * and another worker took it over.
 */
export async function endRun(
  lanes: LaneContext,
  lockMs: number,
  head: Job,
  followers: readonly Job[],
  failed?: Job,
): Promise<{ owned: false } | { owned: true; claimed: Job | undefined }> {
  const { trx, clock } = lanes;
  const now = clock.now();
  const ended = await trx
    .updateTable("jobs")
    .set({ state: "done", locked_until: null, last_error: null, updated_at: now.toISOString() })
    .where("id", "=", head.id)
    .where("state", "=", "running")
    .where("attempts", "=", head.attempts)
    .executeTakeFirst();
  if (Number(ended.numUpdatedRows) !== 1) return { owned: false };
  if (followers.length > 0) {
    await trx
      .updateTable("jobs")
      .set((eb) => ({
        state: "done",
        attempts: eb("attempts", "+", 1),
        last_error: null,
        updated_at: now.toISOString(),
      }))
      .where(
        "id",
        "in",
        followers.map((job) => job.id),
      )
      .where("state", "=", "waiting")
      .execute();
  }
  if (failed) {
    const claimed = await trx
      .updateTable("jobs")
      .set((eb) => ({
        state: "running",
        attempts: eb("attempts", "+", 1),
        locked_until: new Date(now.getTime() + lockMs).toISOString(),
        updated_at: now.toISOString(),
      }))
      .where("id", "=", failed.id)
      .where("state", "=", "waiting")
      .returningAll()
      .executeTakeFirst();
    if (claimed) return { owned: true, claimed };
  }
  if (head.lane) await promoteNext(lanes, head.lane);
  return { owned: true, claimed: undefined };
}
