import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Component,
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
  NOTIFICATION_KINDS,
  type NotificationService,
} from "../../services/notifications/index.js";
import { Channel } from "./envelopes.js";

const NotificationObject = Component(
  "Notification",
  Type.Object(
    {
      id: ObjectId("ntf"),
      object: Type.Literal("notification"),
      kind: Component("NotificationKind", OneOf(NOTIFICATION_KINDS, "What the message is about")),
      channel: Channel,
      to: Type.String({ description: "The email address or phone number" }),
      recipientId: Nullable(
        Type.String({ description: "null for the account's own addresses (senderEmails)" }),
      ),
      eventId: ObjectId("evt"),
      state: OneOf(
        ["pending", "sent", "skipped", "failed"],
        "skipped: no longer relevant when its turn came (the recipient had acted, the envelope had ended); failed: every retry spent",
      ),
      attempts: Type.Integer(),
      lastError: Nullable(Type.String()),
      createdAt: Timestamp,
      sentAt: Nullable(Timestamp),
    },
    { description: "One email or text message about an envelope" },
  ),
);

export const notificationsRoutes: FastifyPluginAsyncTypebox<{
  notifications: NotificationService;
}> = async (app, { notifications }) => {
  app.get(
    "/envelopes/:id/notifications",
    {
      schema: {
        tags: ["Envelopes"],
        operationId: "listEnvelopeNotifications",
        summary: "The messages sent about an envelope, newest first",
        description:
          "Every email and text message the envelope's events called for (invitations, reminders, outcomes), with its state, attempts and last transport error.",
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListOf(NotificationObject),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const page = await notifications.list(request.auth.scope, request.params.id, request.query);
      return listBody(page, (n) => ({ object: "notification" as const, ...n }));
    },
  );
};
