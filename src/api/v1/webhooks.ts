import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Component,
  Environment,
  errorResponses,
  IdParams,
  ListOf,
  listBody,
  Nullable,
  ObjectId,
  OneOf,
  PageQuery,
  Timestamp,
} from "../../http/schemas.js";
import {
  DELIVERED_EVENTS,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookService,
} from "../../services/webhooks/index.js";

const EventType = Component(
  "WebhookEventType",
  OneOf(WEBHOOK_EVENTS, "What happened, for a webhook to subscribe to"),
);

const WebhookHealth = Component(
  "WebhookHealth",
  Type.Object(
    {
      state: OneOf(
        ["healthy", "backing_off", "disabled"] as const,
        "backing_off: the last attempt failed; the endpoint's deliveries wait together, in event order, for the first one's retry at retryAt. The first success closes the circuit.",
      ),
      failingSince: Nullable(Timestamp),
      retryAt: Nullable(Timestamp),
      pendingDeliveries: Type.Integer({ minimum: 0 }),
    },
    { description: "How the endpoint is doing" },
  ),
);

const webhookProperties = {
  id: ObjectId("whk"),
  object: Type.Literal("webhook"),
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Nullable(Type.Array(EventType, { description: "null: every event" })),
  environment: Environment,
  createdAt: Timestamp,
  disabledAt: Nullable(Timestamp),
  disabledReason: Nullable(
    Type.String({ description: "Why deliveries stopped: failing for 3 days" }),
  ),
  health: WebhookHealth,
};

const WebhookObject = Component(
  "Webhook",
  Type.Object(webhookProperties, {
    description: "A URL that receives this account's events, signed with its secret",
  }),
);

const WebhookWithSecret = Component(
  "WebhookWithSecret",
  Type.Object(
    {
      ...webhookProperties,
      secret: Type.String({
        description: "whsec_…: verifies the Certyneo-Signature header. Shown only here.",
      }),
    },
    { description: "A webhook with its signing secret, shown once" },
  ),
);

const AttemptObject = Component(
  "WebhookDelivery",
  Type.Object(
    {
      id: Type.String({ description: "The attempt's id (att_…)" }),
      object: Type.Literal("webhook_attempt"),
      deliveryId: ObjectId("dlv"),
      eventId: ObjectId("evt"),
      eventType: Component(
        "DeliveryEventType",
        OneOf(DELIVERED_EVENTS, "The event delivered: one of the webhook events, or ping"),
      ),
      attempt: Type.Integer(),
      statusCode: Nullable(Type.Integer()),
      durationMs: Type.Integer(),
      error: Nullable(Type.String()),
      nextRetryAt: Nullable(Timestamp),
      createdAt: Timestamp,
    },
    { description: "One attempt to deliver an event to a webhook, and how it went" },
  ),
);

const serialize = (webhook: Webhook) => ({ object: "webhook" as const, ...webhook });
const tags = ["Webhooks"];

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  app.post(
    "/webhooks",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "createWebhook",
        summary: "Register a webhook",
        description:
          'Events of this account and environment are POSTed to the URL, signed with the secret returned here only (Certyneo-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")). URLs resolving to private, loopback or link-local addresses are refused (422 webhook_url_refused).',
        body: Component(
          "CreateWebhookRequest",
          Type.Object(
            {
              url: Type.String({
                minLength: 1,
                maxLength: 2000,
                description: "https:// (or http://) URL that receives the events",
              }),
              events: Type.Optional(
                Type.Array(EventType, {
                  maxItems: WEBHOOK_EVENTS.length,
                  description: "Default: every event",
                }),
              ),
              description: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          201: WebhookWithSecret,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { webhook, secret } = await webhooks.create(request.auth.scope, request.body);
      return reply.code(201).send({ ...serialize(webhook), secret });
    },
  );

  app.get(
    "/webhooks",
    {
      schema: {
        tags,
        operationId: "listWebhooks",
        summary: "List webhooks",
        description: "The webhooks of the key's environment, each with its health, newest first.",
        querystring: PageQuery,
        response: { 200: ListOf(WebhookObject), ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => {
      const page = await webhooks.list(request.auth.scope, request.query);
      return listBody(page, serialize);
    },
  );

  app.get(
    "/webhooks/:id",
    {
      schema: {
        tags,
        operationId: "getWebhook",
        summary: "Retrieve a webhook, with its health",
        description:
          "The webhook's URL, events and health: healthy, backing_off (its deliveries wait for a retry) or disabled (failing for 3 days).",
        params: IdParams,
        response: { 200: WebhookObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) => serialize(await webhooks.get(request.auth.scope, request.params.id)),
  );

  app.delete(
    "/webhooks/:id",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "deleteWebhook",
        summary: "Unregister a webhook",
        description:
          "No event is sent to it afterwards, not even those waiting (one already on its way may still arrive), and its delivery log is no longer readable.",
        params: IdParams,
        response: {
          200: Component(
            "DeletedWebhook",
            Type.Object(
              {
                id: ObjectId("whk"),
                object: Type.Literal("webhook"),
                deleted: Type.Literal(true),
              },
              { description: "The webhook, unregistered" },
            ),
          ),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404),
        },
      },
    },
    async (request) => {
      await webhooks.delete(request.auth.scope, request.params.id);
      return { id: request.params.id, object: "webhook" as const, deleted: true as const };
    },
  );

  app.get(
    "/webhooks/:id/deliveries",
    {
      schema: {
        tags,
        operationId: "listWebhookDeliveries",
        summary: "The delivery log: every attempt, newest first",
        description:
          "Paged like every list: pass nextCursor (an attempt id) as after for the next page.",
        params: IdParams,
        querystring: PageQuery,
        response: { 200: ListOf(AttemptObject), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) => {
      const page = await webhooks.attempts(request.auth.scope, request.params.id, request.query);
      return listBody(page, (a) => ({ object: "webhook_attempt" as const, ...a }));
    },
  );

  const AttemptResult = Component(
    "WebhookAttemptResult",
    Type.Object(
      {
        object: Type.Literal("webhook_attempt_result"),
        deliveryId: ObjectId("dlv"),
        delivered: Type.Boolean({ description: "Whether the endpoint answered 2xx" }),
        statusCode: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        durationMs: Type.Integer(),
      },
      { description: "How a delivery attempt made now went" },
    ),
  );
  const result = (outcome: Awaited<ReturnType<WebhookService["ping"]>>) => ({
    object: "webhook_attempt_result" as const,
    deliveryId: outcome.deliveryId,
    delivered: outcome.delivered,
    statusCode: outcome.statusCode,
    error: outcome.error,
    durationMs: outcome.durationMs,
  });

  app.post(
    "/webhooks/:id/rotate-secret",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "rotateWebhookSecret",
        summary: "Rotate the signing secret",
        description:
          "Returns the new secret, shown only here. For 24 hours deliveries carry two v1 signatures, with the new and the old secret.",
        params: IdParams,
        response: {
          200: WebhookWithSecret,
          ...errorResponses(...AUTHENTICATED_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const { webhook, secret } = await webhooks.rotateSecret(
        request.auth.scope,
        request.params.id,
      );
      return { ...serialize(webhook), secret };
    },
  );

  app.post(
    "/webhooks/:id/test",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "testWebhook",
        summary: "Send a ping event now",
        description:
          "Delivers an event of type ping at once and answers how it went; it appears in the delivery log.",
        params: IdParams,
        response: { 200: AttemptResult, ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409) },
      },
    },
    async (request) => result(await webhooks.ping(request.auth.scope, request.params.id)),
  );

  app.post(
    "/webhooks/:id/deliveries/:deliveryId/retry",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "retryWebhookDelivery",
        summary: "Try one delivery again now",
        description:
          "Sends a delivery again at once, whatever its schedule, and answers how it went; the attempt is in the delivery log. 409 delivery_already_delivered once it has succeeded, webhook_disabled for a disabled webhook.",
        params: Type.Object({
          id: Type.String({ maxLength: 100 }),
          deliveryId: Type.String({ maxLength: 100 }),
        }),
        response: { 200: AttemptResult, ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409) },
      },
    },
    async (request) =>
      result(
        await webhooks.retry(request.auth.scope, request.params.id, request.params.deliveryId),
      ),
  );
};
