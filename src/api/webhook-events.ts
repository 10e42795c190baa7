import Type, { type TSchema } from "typebox";
import { Component, Environment, ObjectId, Timestamp, With } from "../http/schemas.js";
import { WEBHOOK_EVENTS, type WebhookEvent } from "../services/webhooks/index.js";
import { ENVELOPE } from "./openapi-examples.js";
import { EnvelopeObject } from "./v1/envelopes.js";

/** What each event means, for the reader of the document. */
const MEANINGS: Record<WebhookEvent, string> = {
  "envelope.created": "A DRAFT envelope was created.",
  "envelope.sent": "The envelope was sent: the recipients whose turn it is are invited.",
  "envelope.completed":
    "Every signer and approver has acted. The signed PDFs follow within seconds: sealedAt is set when they are ready (GET /envelopes/{id}/signed-document).",
  "envelope.declined": "A recipient declined (recipientId): the envelope is DECLINED.",
  "envelope.voided": "The sender voided the sent envelope (voidReason).",
  "envelope.expired": "The envelope reached expiresAt before everyone acted.",
  "envelope.sealing_failed":
    "The signed PDFs could not be made and Certyneo stopped trying (sealingError says why); the operator can retry.",
  "envelope.evidence_renewed":
    "The signed PDFs were timestamped again before their last timestamp expired (an incremental update: every signature stays valid). If you keep a copy, download it again (GET /envelopes/{id}/signed-document).",
  "recipient.viewed": "A recipient (recipientId) opened their signing page for the first time.",
  "recipient.signed": "A signer (recipientId) signed.",
  "recipient.declined": "A recipient (recipientId) declined.",
};

/** The events that name the recipient who acted. */
const ABOUT_A_RECIPIENT = new Set<WebhookEvent>([
  "envelope.declined",
  "recipient.viewed",
  "recipient.signed",
  "recipient.declined",
]);

const pascal = (type: string) =>
  type
    .split(/[._]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");

function eventSchema(type: string, data: TSchema, description: string): TSchema {
  return Component(
    `${pascal(type)}Event`,
    Type.Object(
      {
        id: ObjectId("evt"),
        object: Type.Literal("event"),
        type: Type.Literal(type),
        createdAt: Timestamp,
        environment: Environment,
        data,
      },
      { description },
    ),
  );
}

const EVENTS = WEBHOOK_EVENTS.map((type) => ({
  type,
  description: MEANINGS[type],
  schema: eventSchema(
    type,
    Type.Object({
      envelope: With(EnvelopeObject, { description: "The envelope as it was when it happened" }),
      ...(ABOUT_A_RECIPIENT.has(type) && {
        recipientId: ObjectId("rcp"),
      }),
    }),
    MEANINGS[type],
  ),
}));

const PING = {
  type: "ping",
  description: "Sent only by POST /webhooks/{id}/test, to check the endpoint.",
  schema: eventSchema(
    "ping",
    Type.Object({ webhook: Type.Object({ id: ObjectId("whk") }) }),
    "Sent only by POST /webhooks/{id}/test, to check the endpoint.",
  ),
};

/** OpenAPI 3.0 has no `const`; @fastify/swagger writes route schemas' as one-value enums. */
function openapi30(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openapi30);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "const") out.enum = [value];
    else out[key] = openapi30(value);
  }
  return out;
}

const HEADERS = [
  {
    name: "Certyneo-Signature",
    in: "header",
    required: true,
    schema: { type: "string" },
    example: "t=1795860000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
    description:
      'v1 is the hex HMAC-SHA256 of "{t}.{raw body}" keyed with the webhook\'s secret; several v1 while a secret is rotated. Reject a t more than 5 minutes away.',
  },
  {
    name: "Certyneo-Event-Id",
    in: "header",
    required: true,
    schema: { type: "string" },
    description: "The event's id: deliveries are at least once, deduplicate on it",
  },
];

/**
 * The requests Certyneo sends to a webhook's URL, one per event type, for `x-webhooks` (OpenAPI
 * 3.0 has no `webhooks`): their headers, the event's schema and an example.
 */
export function webhookEventsDocument(): Record<string, unknown> {
  const items: Record<string, unknown> = {};
  for (const { type, description, schema } of [...EVENTS, PING]) {
    const example = {
      id: "evt_9Jm3Np7Rs2Vu5Xy8Zb4Dc6Fg",
      object: "event",
      type,
      createdAt: "2026-11-28T10:20:00.000Z",
      environment: "test",
      data:
        type === "ping"
          ? { webhook: { id: "whk_7Hd3Kf8Np2Qs5Uw9Yb4Xc6Zm" } }
          : {
              envelope: ENVELOPE,
              ...(ABOUT_A_RECIPIENT.has(type as WebhookEvent) && {
                recipientId: ENVELOPE.recipients[0]!.id,
              }),
            },
    };
    items[type] = {
      post: {
        operationId: `on${pascal(type)}`,
        summary: type,
        description,
        parameters: HEADERS,
        requestBody: {
          required: true,
          content: { "application/json": { schema: openapi30(schema), example } },
        },
        responses: {
          "2XX": {
            description:
              "Received. Any other answer, or none within 10 seconds, is retried on a schedule",
          },
        },
      },
    };
  }
  return items;
}
