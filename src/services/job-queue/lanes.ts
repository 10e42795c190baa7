import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { lockLane } from "../../db/locks.js";
import type { Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import { unfinishedInLane } from "./queries.js";

/** A lane's jobs run one at a time, in enqueue order: what changing them takes. */
export interface LaneContext {
  trx: Kysely<Tables>;
  dialect: Dialect;
  clock: Clock;
}

/** Whether a lane has a job pending, running or waiting. */
export async function laneBusy(trx: Kysely<Tables>, lane: string): Promise<boolean> {
  return (await unfinishedInLane(trx, lane)).length > 0;
}

/** After a lane's job ended: its next waiting job, in enqueue order, becomes due. */
export async function promoteNext(
  { trx, dialect, clock }: LaneContext,
  lane: string,
): Promise<void> {
  await lockLane(trx, dialect, lane);
  await sql`
    update jobs set state = 'pending', updated_at = ${clock.now().toISOString()}
    where id = (
      select id from jobs where lane = ${lane} and state = 'waiting' order by seq limit 1
    )
    and not exists (
      select 1 from jobs where lane = ${lane} and state in ('pending', 'running')
    )`.execute(trx);
}
