import { type Kysely, type Migration, sql } from "kysely";

/**
 * Jobs claimed by kind, each kind with its own workers; a lane (a webhook endpoint) whose jobs run
 * one at a time in enqueue order; and when a failing endpoint is tried next, as a whole.
 */
export const jobLanes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("jobs").addColumn("lane", "text").execute();
    await sql`
      update jobs set lane = (
        select webhook_id from webhook_deliveries where webhook_deliveries.id = jobs.subject_id
      )
      where kind = 'deliver_webhook'
    `.execute(db);
    // Of each lane, only the first unfinished job stays pending; the others wait their turn.
    await sql`
      update jobs set state = 'waiting'
      where lane is not null and state = 'pending' and exists (
        select 1 from jobs e
        where e.lane = jobs.lane and e.state in ('pending', 'running') and e.seq < jobs.seq
      )
    `.execute(db);
    await db.schema
      .createIndex("jobs_kind_due")
      .on("jobs")
      .columns(["kind", "state", "run_after", "seq"])
      .execute();
    await db.schema.createIndex("jobs_lane").on("jobs").columns(["lane", "state", "seq"]).execute();
    await db.schema
      .createIndex("jobs_updated_at")
      .on("jobs")
      .columns(["state", "updated_at"])
      .execute();
    await db.schema.alterTable("webhooks").addColumn("retry_at", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`update jobs set state = 'pending' where state = 'waiting'`.execute(db);
    await db.schema.alterTable("webhooks").dropColumn("retry_at").execute();
    await db.schema.dropIndex("jobs_updated_at").execute();
    await db.schema.dropIndex("jobs_lane").execute();
    await db.schema.dropIndex("jobs_kind_due").execute();
    await db.schema.alterTable("jobs").dropColumn("lane").execute();
  },
};
