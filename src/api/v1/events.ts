import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Component,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  ObjectId,
  OneOf,
  Timestamp,
} from "../../http/schemas.js";
import type { EnvelopeService } from "../../services/envelopes/index.js";
import type { EventLog, StoredEvent } from "../../services/event-log.js";

/** A SHA-256, in hex. */
const Hash = (description: string) => Type.String({ pattern: "^[0-9a-f]{64}$", description });

const EventObject = Component(
  "EnvelopeEvent",
  Type.Object(
    {
      id: ObjectId("evt"),
      object: Type.Literal("event"),
      sequence: Type.Integer({ minimum: 1, description: "1, 2, 3… within the envelope" }),
      type: Type.String({ description: "What happened, e.g. envelope.sent, recipient.signed" }),
      recipientId: Nullable(Type.String({ description: "The recipient it is about, if any" })),
      actor: Type.Object({
        type: OneOf(["api_key", "user", "recipient", "system"], "Who caused it"),
        id: Nullable(Type.String({ description: "The key, user or recipient; null for system" })),
      }),
      ip: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      data: Type.Record(Type.String(), Type.Unknown(), {
        description: "What the event records, as it was hashed",
      }),
      createdAt: Timestamp,
      previousHash: Hash("The hash of the event before; 64 zeros for the first"),
      hash: Hash("SHA-256 over previousHash and this event's content: the chain's link"),
    },
    { description: "One entry of an envelope's append-only, hash-chained history" },
  ),
);

function serialize(event: StoredEvent) {
  return {
    id: event.id,
    object: "event" as const,
    sequence: event.sequence,
    type: event.type,
    recipientId: event.recipientId,
    actor: { type: event.actorType as "system", id: event.actorId },
    ip: event.ip,
    userAgent: event.userAgent,
    data: (event.data ?? {}) as Record<string, unknown>,
    createdAt: event.createdAt,
    previousHash: event.previousHash,
    hash: event.hash,
  };
}

export const eventsRoutes: FastifyPluginAsyncTypebox<{
  events: EventLog;
  envelopes: EnvelopeService;
  db: Parameters<EventLog["forEnvelope"]>[0];
}> = async (app, { events, envelopes, db }) => {
  app.get(
    "/envelopes/:id/events",
    {
      schema: {
        tags: ["Envelopes"],
        operationId: "listEnvelopeEvents",
        summary: "An envelope's history: every event, oldest first, with its hash chain",
        description:
          "The events the audit trail is made of, as recorded: who did what, when, from where. Each event's hash covers the one before, so the chain can be recomputed to check nothing was changed.",
        params: IdParams,
        response: {
          200: ListOf(EventObject),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const { scope } = request.auth;
      await envelopes.get(scope, request.params.id);
      const all = await events.forEnvelope(db, scope, request.params.id);
      return {
        object: "list" as const,
        data: all.map(serialize),
        hasMore: false,
        nextCursor: null,
      };
    },
  );
};
