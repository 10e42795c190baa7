import type { Tables } from "../../db/schema.js";
import type { Environment } from "../../domain/environment.js";

/** The events a webhook can receive. */
export const WEBHOOK_EVENTS = [
  "envelope.created",
  "envelope.sent",
  "envelope.completed",
  "envelope.declined",
  "envelope.voided",
  "envelope.expired",
  "envelope.sealing_failed",
  "envelope.evidence_renewed",
  "recipient.viewed",
  "recipient.signed",
  "recipient.declined",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** What a delivery carries: an event, or the ping of the test route. */
export const DELIVERED_EVENTS = [...WEBHOOK_EVENTS, "ping"] as const;
export type DeliveredEvent = (typeof DELIVERED_EVENTS)[number];

/** How long a rotated-out secret keeps signing, next to the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEvent[] | null;
  environment: Environment;
  createdAt: string;
  disabledAt: string | null;
  disabledReason: string | null;
  health: WebhookHealth;
}

/**
 * How the endpoint is doing. `backing_off`: its last attempt failed, and its deliveries wait
 * together, in order, for the first one's retry at `retryAt` (a circuit breaker: one request per
 * retry, not one per queued delivery); the first success closes it. `disabled`: failing for 3
 * days, no more deliveries.
 */
export interface WebhookHealth {
  state: "healthy" | "backing_off" | "disabled";
  failingSince: string | null;
  retryAt: string | null;
  /** Deliveries waiting to be sent (or being sent). */
  pendingDeliveries: number;
}

export interface WebhookAttempt {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: DeliveredEvent;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  nextRetryAt: string | null;
  createdAt: string;
}

export function toWebhook(row: Tables["webhooks"], pendingDeliveries = 0): Webhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events ? (JSON.parse(row.events) as WebhookEvent[]) : null,
    environment: row.environment,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    health: {
      state: row.disabled_at ? "disabled" : row.failing_since ? "backing_off" : "healthy",
      failingSince: row.failing_since,
      retryAt: row.disabled_at ? null : row.retry_at,
      pendingDeliveries,
    },
  };
}

export interface FannedOutDelivery {
  id: string;
  webhookId: string;
  /** While the endpoint backs off: when its held deliveries are tried again. */
  retryAt: Date | null;
}
