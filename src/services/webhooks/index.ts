import type { Kysely } from "kysely";
import { insertRows } from "../../db/insert-rows.js";
import { type Cursor, listNewestFirst } from "../../db/pagination.js";
import type { Tables, WebhookDeliveriesTable } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { Scope } from "../../domain/environment.js";
import { CertyneoError, notFound } from "../../domain/errors.js";
import {
  DEFAULT_PAGE_LIMIT,
  invalidCursor,
  type Page,
  type PageRequest,
  toPage,
} from "../../domain/pagination.js";
import { newId, newIdIn, randomBase62 } from "../../security/random.js";
import type { SecretBox } from "../../security/secret-box.js";
import { refusedDestination } from "../../webhooks/address-policy.js";
import type { AppendedEvent } from "../event-log.js";
import type { JobQueue } from "../job-queue/index.js";
import { type AttemptOutcome, WebhookDelivery, type WebhookOptions } from "../webhook-delivery.js";
import {
  type DeliveredEvent,
  type FannedOutDelivery,
  SECRET_OVERLAP_MS,
  toWebhook,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookAttempt,
  type WebhookEvent,
} from "./definitions.js";
import { attemptsQuery, liveEndpoints } from "./queries.js";

export * from "./definitions.js";
export { attemptsQuery } from "./queries.js";

/** Webhook endpoints and their deliveries: signed, retried, logged, never to private addresses. */
export class WebhookService {
  /** Sends the deliveries: the worker's runs, pings and manual retries. */
  readonly delivery: WebhookDelivery;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly secrets: SecretBox,
    private readonly options: WebhookOptions,
  ) {
    this.delivery = new WebhookDelivery(db, clock, jobs, secrets, options);
  }

  async create(
    scope: Scope,
    input: { url: string; events?: WebhookEvent[] | undefined; description?: string | undefined },
  ): Promise<{ webhook: Webhook; secret: string }> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new CertyneoError(
        "invalid_request",
        "parameter_invalid",
        "url must be an absolute URL.",
        "url",
      );
    }
    const refused = await refusedDestination(url, this.options.allowPrivate);
    if (refused)
      throw new CertyneoError(
        "unprocessable",
        "webhook_url_refused",
        `This URL cannot receive webhooks: ${refused}.`,
        "url",
      );
    const secret = `whsec_${randomBase62(43)}`;
    const row: Tables["webhooks"] = {
      id: newId("whk"),
      account_id: scope.accountId,
      environment: scope.environment,
      url: url.href,
      description: input.description ?? null,
      events:
        input.events && input.events.length > 0 ? JSON.stringify([...new Set(input.events)]) : null,
      secret_sealed: this.secrets.seal(Buffer.from(secret)).toString("base64"),
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      failing_since: null,
      retry_at: null,
      disabled_at: null,
      disabled_reason: null,
      created_at: this.clock.now().toISOString(),
    };
    await this.db.insertInto("webhooks").values(row).execute();
    return { webhook: toWebhook(row), secret };
  }

  async list(scope: Scope, page: PageRequest): Promise<Page<Webhook>> {
    const rows = await listNewestFirst(this.db, "webhooks", scope, page, "a webhook");
    const pending = await this.jobs.laneDepths(rows.data.map((w) => w.id));
    return { ...rows, data: rows.data.map((w) => toWebhook(w, pending.get(w.id))) };
  }

  /** For operators, across accounts: endpoints backing off or disabled, most recent first. */
  async endpointsNotHealthy(limit = 100): Promise<(Webhook & { accountId: string })[]> {
    const rows = await this.db
      .selectFrom("webhooks")
      .selectAll()
      .where((eb) =>
        eb.or([eb("failing_since", "is not", null), eb("disabled_at", "is not", null)]),
      )
      .orderBy("created_at", "desc")
      .limit(limit)
      .execute();
    const pending = await this.jobs.laneDepths(rows.map((w) => w.id));
    return rows.map((w) => ({ ...toWebhook(w, pending.get(w.id)), accountId: w.account_id }));
  }

  async get(scope: Scope, id: string): Promise<Webhook> {
    const row = await this.find(scope, id);
    return toWebhook(row, (await this.jobs.laneDepths([id])).get(id));
  }

  private async find(scope: Scope, id: string): Promise<Tables["webhooks"]> {
    const row = await this.db
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", id)
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .executeTakeFirst();
    if (!row) throw notFound("webhook", id);
    return row;
  }

  async delete(scope: Scope, id: string): Promise<void> {
    await this.find(scope, id);
    await this.db.deleteFrom("webhooks").where("id", "=", id).execute();
  }

  async attempts(scope: Scope, id: string, page: PageRequest): Promise<Page<WebhookAttempt>> {
    await this.find(scope, id);
    const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
    let cursor: Cursor | undefined;
    if (page.after) {
      // The cursor is an attempt of this very webhook; the next page is what comes after it.
      cursor = await this.db
        .selectFrom("webhook_attempts")
        .select(["id", "created_at"])
        .where("id", "=", page.after)
        .where("webhook_id", "=", id)
        .executeTakeFirst();
      if (!cursor) throw invalidCursor(page.after, "an attempt of this webhook");
    }
    const rows = await attemptsQuery(this.db, id, limit, cursor).execute();
    const result = toPage(rows, limit);
    const data = result.data.map((r) => ({
      id: r.id,
      deliveryId: r.delivery_id,
      eventId: r.event_id,
      eventType: r.event_type as DeliveredEvent,
      attempt: r.attempt,
      statusCode: r.status_code,
      durationMs: r.duration_ms,
      error: r.error,
      nextRetryAt: r.next_retry_at,
      createdAt: r.created_at,
    }));
    return { ...result, data };
  }

  /**
   * In the transaction of the events: one delivery per event and active endpoint of the same
   * account and environment that subscribes to it. Returns the deliveries to hand to the worker,
   * in event order.
   */
  async fanOut(
    trx: Kysely<Tables>,
    scope: Scope,
    events: readonly AppendedEvent[],
    envelope: () => Promise<unknown>,
  ): Promise<FannedOutDelivery[]> {
    const published = events.filter((e) => (WEBHOOK_EVENTS as readonly string[]).includes(e.type));
    if (published.length === 0) return [];
    const endpoints = (await liveEndpoints(trx, scope.accountId, scope.environment)).map((w) => ({
      ...w,
      subscribed: w.events ? (JSON.parse(w.events) as string[]) : null,
    }));
    const rows: WebhookDeliveriesTable[] = [];
    const deliveries: FannedOutDelivery[] = [];
    let snapshot: Promise<unknown> | undefined;
    for (const event of published) {
      const subscribers = endpoints.filter(
        (w) => !w.subscribed || w.subscribed.includes(event.type),
      );
      if (subscribers.length === 0) continue;
      snapshot ??= envelope();
      const payload = JSON.stringify({
        id: event.id,
        object: "event",
        type: event.type,
        createdAt: event.createdAt,
        environment: scope.environment,
        // The recipient who viewed, signed or declined: the envelope alone does not say who.
        data: {
          envelope: await snapshot,
          ...(event.recipientId && { recipientId: event.recipientId }),
        },
      });
      for (const endpoint of subscribers) {
        const id = newIdIn(trx, "dlv");
        rows.push({
          id,
          webhook_id: endpoint.id,
          event_id: event.id,
          event_type: event.type,
          payload,
          state: "pending",
          created_at: event.createdAt,
          delivered_at: null,
        });
        deliveries.push({
          id,
          webhookId: endpoint.id,
          retryAt: endpoint.retry_at ? new Date(endpoint.retry_at) : null,
        });
      }
    }
    await insertRows(trx, "webhook_deliveries", rows);
    return deliveries;
  }

  /** A new secret; the previous one keeps signing too (a second v1) for 24 hours. */
  async rotateSecret(scope: Scope, id: string): Promise<{ webhook: Webhook; secret: string }> {
    const row = await this.find(scope, id);
    const secret = `whsec_${randomBase62(43)}`;
    await this.db
      .updateTable("webhooks")
      .set({
        secret_sealed: this.secrets.seal(Buffer.from(secret)).toString("base64"),
        previous_secret_sealed: row.secret_sealed,
        previous_secret_expires_at: new Date(
          this.clock.now().getTime() + SECRET_OVERLAP_MS,
        ).toISOString(),
      })
      .where("id", "=", id)
      .execute();
    return { webhook: await this.get(scope, id), secret };
  }

  /** Sends a `ping` event now and says how it went. */
  async ping(scope: Scope, id: string): Promise<AttemptOutcome & { deliveryId: string }> {
    await this.find(scope, id);
    const createdAt = this.clock.now().toISOString();
    const eventId = newId("evt");
    const deliveryId = newId("dlv");
    const payload = JSON.stringify({
      id: eventId,
      object: "event",
      type: "ping",
      createdAt,
      environment: scope.environment,
      data: { webhook: { id } },
    });
    await this.db
      .insertInto("webhook_deliveries")
      .values({
        id: deliveryId,
        webhook_id: id,
        event_id: eventId,
        event_type: "ping",
        payload,
        state: "pending",
        created_at: createdAt,
        delivered_at: null,
      })
      .execute();
    return this.attemptNow(deliveryId, 1);
  }

  /** Tries one delivery again now, whatever its schedule. */
  async retry(
    scope: Scope,
    webhookId: string,
    deliveryId: string,
  ): Promise<AttemptOutcome & { deliveryId: string }> {
    await this.find(scope, webhookId);
    const delivery = await this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "=", deliveryId)
      .where("webhook_id", "=", webhookId)
      .executeTakeFirst();
    if (!delivery) throw notFound("delivery", deliveryId);
    if (delivery.state === "delivered") {
      throw new CertyneoError(
        "conflict",
        "delivery_already_delivered",
        "This delivery has already succeeded.",
      );
    }
    const previous = await this.db
      .selectFrom("webhook_attempts")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("delivery_id", "=", deliveryId)
      .executeTakeFirstOrThrow();
    return this.attemptNow(deliveryId, Number(previous.count) + 1);
  }

  /** Attempt `attempt` of a delivery, now, outside its schedule; 409 if its webhook is disabled. */
  private async attemptNow(
    deliveryId: string,
    attempt: number,
  ): Promise<AttemptOutcome & { deliveryId: string }> {
    const outcome = await this.delivery.attempt(deliveryId, attempt, null);
    if (!outcome)
      throw new CertyneoError(
        "conflict",
        "webhook_disabled",
        "This webhook is disabled: register it again.",
      );
    return { ...outcome, deliveryId };
  }
}
