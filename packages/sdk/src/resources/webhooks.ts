import { type ListOptions, listAt } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type {
  CreateWebhookRequest,
  DeletedWebhook,
  ListWebhookDeliveriesParams,
  ListWebhooksParams,
  Webhook,
  WebhookAttemptResult,
  WebhookDelivery,
  WebhookEvent,
  WebhookWithSecret,
} from "../types.js";
import { type VerifyOptions, verifyWebhook } from "../webhooks-verify.js";

const path = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

/** URLs that receive this account's events, signed. */
export class Webhooks {
  constructor(private readonly transport: Transport) {}

  /** Registers a URL; the answer's `secret` is shown only here: store it. */
  create(webhook: CreateWebhookRequest, options: CallOptions = {}): Promise<WebhookWithSecret> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/webhooks",
      body: webhook,
      ...options,
    });
  }

  list(options: ListOptions<ListWebhooksParams> = {}) {
    return listAt<Webhook>(this.transport, "/api/v1/webhooks", options);
  }

  get(id: string, options: CallOptions = {}): Promise<Webhook> {
    return this.transport.json({ method: "GET", path: path(id), ...options });
  }

  delete(id: string, options: CallOptions = {}): Promise<DeletedWebhook> {
    return this.transport.json({ method: "DELETE", path: path(id), ...options });
  }

  /** The delivery log: every attempt, newest first. */
  deliveries(id: string, options: ListOptions<ListWebhookDeliveriesParams> = {}) {
    return listAt<WebhookDelivery>(this.transport, `${path(id)}/deliveries`, options);
  }

  /** A new secret; for 24 hours deliveries are signed with both. */
  rotateSecret(id: string, options: CallOptions = {}): Promise<WebhookWithSecret> {
    return this.transport.json({ method: "POST", path: `${path(id)}/rotate-secret`, ...options });
  }

  /** Sends a `ping` event now and says how it went. */
  test(id: string, options: CallOptions = {}): Promise<WebhookAttemptResult> {
    return this.transport.json({ method: "POST", path: `${path(id)}/test`, ...options });
  }

  /** Tries one delivery again now. */
  retryDelivery(
    id: string,
    deliveryId: string,
    options: CallOptions = {},
  ): Promise<WebhookAttemptResult> {
    return this.transport.json({
      method: "POST",
      path: `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`,
      ...options,
    });
  }

  /**
   * Checks a request your endpoint received and returns its event, typed by `type`: the raw body
   * (before JSON parsing), the Certyneo-Signature header and the webhook's secret. Throws
   * `WebhookVerificationError` when it was not signed with that secret recently.
   */
  verify(
    rawBody: string | Uint8Array,
    header: string | null | undefined,
    secret: string,
    options?: VerifyOptions,
  ): Promise<WebhookEvent> {
    return verifyWebhook(rawBody, header, secret, options);
  }
}
