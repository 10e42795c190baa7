import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Environment,
  errorResponses,
  IdParams,
  ListOf,
  listBody,
  Nullable,
  ObjectId,
  PageQuery,
  Timestamp,
} from "../../http/schemas.js";
import { WEBHOOK_EVENTS, type Webhook, type WebhookService } from "../../services/webhooks.js";

const EventType = Type.Unsafe<(typeof WEBHOOK_EVENTS)[number]>({
  type: "string",
  enum: [...WEBHOOK_EVENTS],
});

const WebhookObject = Type.Object({
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
  health: Type.Object(
    {
      state: Type.Union(
        [Type.Literal("healthy"), Type.Literal("backing_off"), Type.Literal("disabled")],
        {
          description:
            "backing_off: the last attempt failed; the endpoint's deliveries wait together, in event order, for the first one's retry at retryAt. The first success closes the circuit.",
        },
      ),
      failingSince: Nullable(Timestamp),
      retryAt: Nullable(Timestamp),
      pendingDeliveries: Type.Integer({ minimum: 0 }),
    },
    { description: "How the endpoint is doing" },
  ),
});

const AttemptObject = Type.Object({
  id: Type.String(),
  object: Type.Literal("webhook_attempt"),
  deliveryId: ObjectId("dlv"),
  eventId: ObjectId("evt"),
  eventType: Type.String(),
  attempt: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
  error: Nullable(Type.String()),
  nextRetryAt: Nullable(Timestamp),
  createdAt: Timestamp,
});

const serialize = (webhook: Webhook) => ({ object: "webhook" as const, ...webhook });
const tags = ["Webhooks"];

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  app.post(
    "/webhooks",
    {
      schema: {
        tags,
        summary: "Register a webhook",
        description:
          'Events of this account and environment are POSTed to the URL, signed with the secret returned here only (Certyneo-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")). URLs resolving to private, loopback or link-local addresses are refused (422 webhook_url_refused).',
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
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
        response: {
          201: Type.Object({
            ...WebhookObject.properties,
            secret: Type.String({ description: "whsec_…, shown only here" }),
          }),
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
        summary: "List webhooks",
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
        summary: "Retrieve a webhook, with its health",
        params: IdParams,
        response: { 200: WebhookObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) => serialize(await webhooks.get(request.auth.scope, request.params.id)),
  );

  app.delete(
    "/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Unregister a webhook",
        params: IdParams,
        response: {
          200: Type.Object({
            id: ObjectId("whk"),
            object: Type.Literal("webhook"),
            deleted: Type.Literal(true),
          }),
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

  const AttemptResult = Type.Object({
    object: Type.Literal("webhook_attempt_result"),
    deliveryId: ObjectId("dlv"),
    delivered: Type.Boolean(),
    statusCode: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    durationMs: Type.Integer(),
  });
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
      schema: {
        tags,
        summary: "Rotate the signing secret",
        description:
          "Returns the new secret, shown only here. For 24 hours deliveries carry two v1 signatures, with the new and the old secret.",
        params: IdParams,
        response: {
          200: Type.Object({ ...WebhookObject.properties, secret: Type.String() }),
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
      schema: {
        tags,
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
      schema: {
        tags,
        summary: "Try one delivery again now",
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
