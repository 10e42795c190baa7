import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { fixedLimit } from "../../db/fixed-limit.js";
import { precompiled } from "../../db/precompiled.js";
import type { Tables } from "../../db/schema.js";
import type { JobKind } from "./definitions.js";

/** A job of the lane pending, running or waiting, if any. */
export const unfinishedInLaneQuery = (db: Kysely<Tables>, lane: string) =>
  db
    .selectFrom("jobs")
    .select("id")
    .where("lane", "=", lane)
    .where("state", "in", ["pending", "running", "waiting"])
    .limit(fixedLimit(1));

export const unfinishedInLane = precompiled(unfinishedInLaneQuery);

/**
 * Finished jobs last touched before `before`. The states here and in `failedNewestFirstQuery` are
 * constants of the SQL, as in the WHERE of the indexes holding only those jobs (a bound value
 * does not tell the planner that the index holds every row asked for).
 */
export const doneBeforeQuery = (db: Kysely<Tables>, before: string, batch: number) =>
  db
    .selectFrom("jobs")
    .select("id")
    .where("state", "=", sql.lit("done"))
    .where("updated_at", "<", before)
    .limit(batch);

/** Jobs that failed for good, newest first. */
export const failedNewestFirstQuery = (db: Kysely<Tables>, limit: number) =>
  db
    .selectFrom("jobs")
    .selectAll()
    .where("state", "=", sql.lit("failed"))
    .orderBy("updated_at", "desc")
    .limit(limit);

/** Which jobs a claim may take: pending ones now due, or running ones whose worker died. */
export type Claimable = "due" | "abandoned";

/**
 * The first job of `kinds` that is `claimable`, in (run_after, seq) order. Each kind's first is
 * found by one seek of the index on (kind, state, run_after, seq), then the earliest of those is
 * taken: one query over several kinds would read every due job of those kinds to order them (4.7
 * ms a claim on SQLite behind 10,000 pending notifications, and draining them so is quadratic).
 * On PostgreSQL, where a UNION cannot lock, each kind's first is locked with `SKIP LOCKED` in a
 * lateral subquery, so instances claiming together never take the same job.
 */
export function firstClaimableQuery(
  dialect: Dialect,
  kinds: readonly JobKind[],
  claimable: Claimable,
  nowIso: string,
): RawBuilder<{ id: string }> {
  const condition =
    claimable === "due"
      ? sql`state = 'pending' and run_after <= ${nowIso}`
      : sql`state = 'running' and locked_until < ${nowIso}`;
  const firstOf = (kind: RawBuilder<unknown>, lock: RawBuilder<unknown>) =>
    sql`select id, run_after, seq from jobs where jobs.kind = ${kind} and ${condition}
        order by run_after, seq limit 1 ${lock}`;
  if (dialect === "postgres") {
    return sql<{ id: string }>`
      select first.id from unnest(cast(${[...kinds]} as text[])) as kinds(kind)
      cross join lateral (${firstOf(sql.ref("kinds.kind"), sql`for update skip locked`)}) as first
      order by first.run_after, first.seq limit 1`;
  }
  const heads = kinds.map((kind) => sql`select * from (${firstOf(sql.val(kind), sql``)})`);
  return sql<{ id: string }>`
    select id from (${sql.join(heads, sql` union all `)}) order by run_after, seq limit 1`;
}
