import { performance } from "node:perf_hooks";
import { type Kysely, sql } from "kysely";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../security/random.js";
import type { SecretBox } from "../security/secret-box.js";
import { checkDestination } from "../webhooks/address-policy.js";
import { postJson } from "../webhooks/post.js";
import { signatureHeader } from "../webhooks/signature.js";
import type { Job, JobQueue } from "./job-queue/index.js";

/** After 3 days of failures in a row, an endpoint is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
const USER_AGENT = "Certyneo-Webhooks/1.0 (+https://certyneo.com/docs/webhooks)";

/** Deliveries an endpoint gets in one run of the worker after its first one, at most. */
export const RUN_MAX_FOLLOWERS = 100;
/** No delivery of a run starts after this long: the rest go in the next run. */
export const RUN_BUDGET_MS = 1000;

export interface WebhookOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Told of each attempt's outcome (the metrics). */
  onAttempt?: ((delivered: boolean) => void) | undefined;
}

export interface AttemptOutcome {
  delivered: boolean;
  /** No more automatic attempts: the schedule is spent or the endpoint was disabled. */
  gaveUp: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

type WebhookRow = Tables["webhooks"];
type DeliveryRow = Tables["webhook_deliveries"];

/** What one POST of a delivery did; `error` is null when the endpoint took it (2xx). */
interface Sent {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: string;
}

/** One attempt to log, and the delivery it delivered. */
interface Delivered {
  deliveryId: string;
  attempt: number;
  sent: Sent;
}

/** The run's first job is no longer this worker's: its lock ran out and another took it over. */
class RunTakenOver extends Error {}

/**
 * Sending deliveries: signed POSTs to the endpoint's checked addresses, each attempt logged, the
 * endpoint's failures tracked (backing off as a whole, disabled after `DISABLE_AFTER_MS`).
 */
export class WebhookDelivery {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly secrets: SecretBox,
    private readonly options: WebhookOptions,
  ) {}

  /**
   * The worker's job for the first delivery of an endpoint: it, then, while they succeed, the
   * endpoint's next deliveries in event order (at most `RUN_MAX_FOLLOWERS`, none started after
   * `RUN_BUDGET_MS`), one at a time, recorded together in one transaction with their jobs' end.
   * A failure of the first throws, for the worker to retry on the schedule; a later one is
   * recorded as that delivery's own failed attempt, and its job retried on the schedule, the
   * endpoint backing off. `"completed"` when the jobs were ended here.
   */
  async deliverRun(
    head: Job,
    nextRetryAt: Date | null,
    signal?: AbortSignal,
  ): Promise<"completed" | undefined> {
    const loaded = await this.load(head.subject_id);
    if (!loaded) return undefined;
    const { delivery, webhook } = loaded;
    const secrets = this.signingSecrets(webhook);
    const first = await this.send(webhook, delivery, secrets);
    if (first.error !== null) {
      const outcome = await this.recordFailure(
        webhook,
        delivery.id,
        first,
        head.attempts,
        nextRetryAt,
      );
      if (outcome.gaveUp) return undefined;
      throw new Error(first.error);
    }
    const delivered: Delivered[] = [
      { deliveryId: delivery.id, attempt: head.attempts, sent: first },
    ];
    const followers: Job[] = [];
    let failed: { job: Job; sent: Sent } | undefined;
    const deadline = performance.now() + RUN_BUDGET_MS;
    const waiting = await this.jobs.waitingInLane(webhook.id, RUN_MAX_FOLLOWERS);
    const deliveries = await this.deliveriesOf(waiting.map((job) => job.subject_id));
    for (const job of waiting) {
      if (performance.now() > deadline || signal?.aborted) break;
      const next = deliveries.get(job.subject_id);
      // Nothing (more) to send: its job just ends.
      if (next?.state !== "pending") {
        followers.push(job);
        continue;
      }
      const sent = await this.send(webhook, next, secrets);
      if (sent.error !== null) {
        failed = { job, sent };
        break;
      }
      followers.push(job);
      delivered.push({ deliveryId: next.id, attempt: job.attempts + 1, sent });
    }

    const recovered = Boolean(webhook.failing_since || webhook.retry_at);
    let claimed: Job | undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        const ended = await this.jobs.endRun(trx, head, followers, failed?.job);
        if (!ended.owned) throw new RunTakenOver();
        claimed = ended.claimed;
        await this.recordDelivered(trx, webhook.id, delivered);
        if (recovered) await this.closeCircuit(trx, webhook.id);
      });
    } catch (error) {
      // Whoever took it over sends them again: at least once.
      if (error instanceof RunTakenOver) return "completed";
      throw error;
    }
    // The circuit closes: what waited for this endpoint goes now, in order.
    if (recovered) await this.jobs.resumeLane(webhook.id);
    if (claimed && failed) {
      const retryAt = this.jobs.nextAttemptAt("deliver_webhook", claimed.attempts);
      const outcome = await this.recordFailure(
        webhook,
        claimed.subject_id,
        failed.sent,
        claimed.attempts,
        retryAt,
      );
      if (outcome.gaveUp) await this.jobs.complete(claimed);
      else await this.jobs.fail(claimed, new Error(failed.sent.error ?? "delivery failed"));
    }
    return "completed";
  }

  /** One attempt of one delivery, logged; `undefined` when there is nothing (more) to send. */
  async attempt(
    deliveryId: string,
    attempt: number,
    nextRetryAt: Date | null,
  ): Promise<AttemptOutcome | undefined> {
    const loaded = await this.load(deliveryId);
    if (!loaded) return undefined;
    const { delivery, webhook } = loaded;
    const sent = await this.send(webhook, delivery, this.signingSecrets(webhook));
    if (sent.error !== null)
      return this.recordFailure(webhook, deliveryId, sent, attempt, nextRetryAt);
    const recovered = Boolean(webhook.failing_since || webhook.retry_at);
    await this.db.transaction().execute(async (trx) => {
      await this.recordDelivered(trx, webhook.id, [{ deliveryId, attempt, sent }]);
      if (recovered) await this.closeCircuit(trx, webhook.id);
    });
    if (recovered) await this.jobs.resumeLane(webhook.id);
    const { statusCode, error, durationMs } = sent;
    return { delivered: true, gaveUp: false, statusCode, error, durationMs };
  }

  /** The delivery and its endpoint; `undefined` (the delivery failed) if the endpoint is gone. */
  private async load(
    deliveryId: string,
  ): Promise<{ delivery: DeliveryRow; webhook: WebhookRow } | undefined> {
    const delivery = await this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "=", deliveryId)
      .executeTakeFirst();
    if (!delivery || delivery.state === "delivered") return undefined;
    const webhook = await this.db
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", delivery.webhook_id)
      .executeTakeFirst();
    if (!webhook || webhook.disabled_at) {
      await this.db
        .updateTable("webhook_deliveries")
        .set({ state: "failed" })
        .where("id", "=", deliveryId)
        .execute();
      return undefined;
    }
    return { delivery, webhook };
  }

  private async deliveriesOf(ids: readonly string[]): Promise<Map<string, DeliveryRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "in", ids)
      .execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** The endpoint's secret, and its previous one while it still signs too. */
  private signingSecrets(webhook: WebhookRow): string[] {
    const open = (sealed: string) => this.secrets.open(Buffer.from(sealed, "base64")).toString();
    const secrets = [open(webhook.secret_sealed)];
    if (
      webhook.previous_secret_sealed &&
      webhook.previous_secret_expires_at &&
      webhook.previous_secret_expires_at > this.clock.now().toISOString()
    )
      secrets.push(open(webhook.previous_secret_sealed));
    return secrets;
  }

  /** One signed POST of `delivery` to the endpoint's checked addresses. */
  private async send(
    webhook: WebhookRow,
    delivery: DeliveryRow,
    secrets: readonly string[],
  ): Promise<Sent> {
    const now = this.clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    const started = performance.now();
    const url = new URL(webhook.url);
    const destination = await checkDestination(url, this.options.allowPrivate);
    if ("refused" in destination) {
      error = `refused: ${destination.refused}`;
    } else {
      try {
        const response = await postJson(url, {
          body: delivery.payload,
          timeoutMs: this.options.timeoutMs,
          addresses: destination.addresses,
          headers: {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Certyneo-Event-Id": delivery.event_id,
            "Certyneo-Signature": signatureHeader(
              delivery.payload,
              [...secrets],
              Math.floor(now.getTime() / 1000),
            ),
          },
        });
        statusCode = response.status;
        if (statusCode < 200 || statusCode >= 300) {
          error =
            statusCode >= 300 && statusCode < 400
              ? `redirect to ${response.location ?? "?"} not followed`
              : `HTTP ${statusCode}`;
        }
      } catch (cause) {
        const name = (cause as Error).name;
        error =
          name === "TimeoutError"
            ? `timed out after ${this.options.timeoutMs} ms`
            : `connection failed: ${(cause as Error).message}`;
      }
    }
    const durationMs = Math.round(performance.now() - started);
    this.options.onAttempt?.(error === null);
    return { statusCode, error, durationMs, at: now.toISOString() };
  }

  /** The attempts that succeeded and their deliveries, each delivered when its POST was made. */
  private async recordDelivered(
    trx: Kysely<Tables>,
    webhookId: string,
    delivered: readonly Delivered[],
  ): Promise<void> {
    if (delivered.length === 0) return;
    await trx
      .insertInto("webhook_attempts")
      .values(
        delivered.map(({ deliveryId, attempt, sent }) => ({
          id: newId("att"),
          delivery_id: deliveryId,
          webhook_id: webhookId,
          attempt,
          status_code: sent.statusCode,
          duration_ms: sent.durationMs,
          error: null,
          next_retry_at: null,
          created_at: sent.at,
        })),
      )
      .execute();
    const deliveredAt = sql<string>`case ${sql.join(
      delivered.map((d) => sql`when id = ${d.deliveryId} then ${d.sent.at}`),
      sql` `,
    )} end`;
    await trx
      .updateTable("webhook_deliveries")
      .set({ state: "delivered", delivered_at: deliveredAt })
      .where(
        "id",
        "in",
        delivered.map((d) => d.deliveryId),
      )
      .execute();
  }

  private async closeCircuit(trx: Kysely<Tables>, webhookId: string): Promise<void> {
    await trx
      .updateTable("webhooks")
      .set({ failing_since: null, retry_at: null })
      .where("id", "=", webhookId)
      .execute();
  }

  /** A failed attempt, logged; the endpoint backs off, or is disabled after 3 days of failures. */
  private async recordFailure(
    webhook: WebhookRow,
    deliveryId: string,
    sent: Sent,
    attempt: number,
    nextRetryAt: Date | null,
  ): Promise<AttemptOutcome> {
    const now = this.clock.now();
    await this.db
      .insertInto("webhook_attempts")
      .values({
        id: newId("att"),
        delivery_id: deliveryId,
        webhook_id: webhook.id,
        attempt,
        status_code: sent.statusCode,
        duration_ms: sent.durationMs,
        error: sent.error,
        next_retry_at: nextRetryAt?.toISOString() ?? null,
        created_at: sent.at,
      })
      .execute();
    const failingSince = webhook.failing_since ?? now.toISOString();
    const giveUp = now.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_MS;
    await this.db
      .updateTable("webhooks")
      .set({
        failing_since: failingSince,
        // A manual attempt (no schedule) leaves the automatic retry where it was.
        ...(nextRetryAt && !giveUp && { retry_at: nextRetryAt.toISOString() }),
        ...(giveUp && {
          disabled_at: now.toISOString(),
          disabled_reason: `Every delivery failed since ${failingSince}; last: ${sent.error}`,
        }),
      })
      .where("id", "=", webhook.id)
      .execute();
    if (giveUp || !nextRetryAt) {
      await this.db
        .updateTable("webhook_deliveries")
        .set({ state: "failed" })
        .where("id", "=", deliveryId)
        .execute();
    }
    const { statusCode, error, durationMs } = sent;
    return { delivered: false, gaveUp: giveUp || !nextRetryAt, statusCode, error, durationMs };
  }
}
