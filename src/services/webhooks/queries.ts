import type { Kysely } from "kysely";
import { type Cursor, olderThan } from "../../db/pagination.js";
import { precompiled } from "../../db/precompiled.js";
import type { Tables } from "../../db/schema.js";
import type { Environment } from "../../domain/environment.js";

/** A page of a webhook's delivery attempts, newest first (its plan: test/api/query-plans.test.ts). */
export function attemptsQuery(
  db: Kysely<Tables>,
  webhookId: string,
  limit: number,
  cursor?: Cursor,
) {
  let query = db
    .selectFrom("webhook_attempts")
    .innerJoin("webhook_deliveries", "webhook_deliveries.id", "webhook_attempts.delivery_id")
    .select([
      "webhook_attempts.id",
      "webhook_attempts.delivery_id",
      "webhook_deliveries.event_id",
      "webhook_deliveries.event_type",
      "webhook_attempts.attempt",
      "webhook_attempts.status_code",
      "webhook_attempts.duration_ms",
      "webhook_attempts.error",
      "webhook_attempts.next_retry_at",
      "webhook_attempts.created_at",
    ])
    .where("webhook_attempts.webhook_id", "=", webhookId);
  if (cursor) query = query.where(olderThan(cursor, "webhook_attempts"));
  return query
    .orderBy("webhook_attempts.created_at", "desc")
    .orderBy("webhook_attempts.id", "desc")
    .limit(limit + 1);
}

/**
 * The scope's live endpoints, in id order: each delivery locks its endpoint's job lane, always in
 * the same order.
 */
export const liveEndpoints = precompiled(
  (db: Kysely<Tables>, accountId: string, environment: string) =>
    db
      .selectFrom("webhooks")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("environment", "=", environment as Environment)
      .where("disabled_at", "is", null)
      .orderBy("id"),
);
