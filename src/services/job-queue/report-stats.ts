import type { Kysely } from "kysely";
import type { Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { JobKind, JobStats } from "./definitions.js";

/** By kind: jobs due now, running, and failed for good, and the age of the oldest due one. */
export async function jobStats(db: Kysely<Tables>, clock: Clock): Promise<JobStats[]> {
  const nowIso = clock.now().toISOString();
  const rows = await db
    .selectFrom("jobs")
    .select((eb) => [
      "kind",
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb("state", "=", "pending"), eb("run_after", "<=", nowIso)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as("due"),
      eb.fn
        .sum<number>(eb.case().when("state", "in", ["pending", "waiting"]).then(1).else(0).end())
        .as("pending"),
      eb.fn
        .sum<number>(eb.case().when("state", "=", "running").then(1).else(0).end())
        .as("running"),
      eb.fn.sum<number>(eb.case().when("state", "=", "failed").then(1).else(0).end()).as("failed"),
      eb.fn
        .min<string | null>(
          eb
            .case()
            .when(eb.and([eb("state", "=", "pending"), eb("run_after", "<=", nowIso)]))
            .then(eb.ref("run_after"))
            .else(null)
            .end(),
        )
        .as("oldest_due"),
    ])
    .where("state", "in", ["pending", "waiting", "running", "failed"])
    .groupBy("kind")
    .orderBy("kind")
    .execute();
  const now = Date.parse(nowIso);
  return rows.map((r) => ({
    kind: r.kind as JobKind,
    due: Number(r.due),
    pending: Number(r.pending),
    running: Number(r.running),
    failed: Number(r.failed),
    oldestDueSeconds: r.oldest_due ? Math.max(0, (now - Date.parse(r.oldest_due)) / 1000) : null,
  }));
}
