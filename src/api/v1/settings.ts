import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Component,
  Environment,
  errorResponses,
  Nullable,
  OneOf,
  Timestamp,
  With,
} from "../../http/schemas.js";
import {
  type AccountSettings,
  type AccountSettingsService,
  EXPIRY_DAYS_LIMITS,
  MAX_SENDER_EMAILS,
} from "../../services/account-settings.js";
import { LOCALES } from "../../signing/i18n.js";
import { ReminderPolicy } from "./envelopes.js";

const Locale = Component("Locale", OneOf(LOCALES, "A language of the emails and the signing page"));
const SenderEmails = Type.Array(Type.String({ format: "email", maxLength: 254 }), {
  maxItems: MAX_SENDER_EMAILS,
  description:
    "Told when an envelope completes (with the signed PDF), is declined or expires; empty: nobody",
});
const ExpiresAfterDays = Type.Integer({
  minimum: EXPIRY_DAYS_LIMITS.min,
  maximum: EXPIRY_DAYS_LIMITS.max,
  description: "Days after sending when an envelope without expiresAt expires",
});

const SettingsObject = Component(
  "Settings",
  Type.Object(
    {
      object: Type.Literal("settings"),
      environment: Environment,
      senderEmails: SenderEmails,
      senderLocale: Locale,
      reminders: Nullable(ReminderPolicy),
      expiresAfterDays: ExpiresAfterDays,
      updatedAt: Nullable(Timestamp),
    },
    {
      description:
        "The account's notification settings for the calling key's environment (test and live are set apart)",
    },
  ),
);

const SettingsPatch = Component(
  "UpdateSettingsRequest",
  Type.Object(
    {
      senderEmails: Type.Optional(SenderEmails),
      senderLocale: Type.Optional(Locale),
      reminders: Type.Optional(
        Nullable(
          With(ReminderPolicy, {
            description: "Given to new envelopes that set none; null: no automatic reminders",
          }),
        ),
      ),
      expiresAfterDays: Type.Optional(
        Nullable(
          Type.Integer({
            minimum: EXPIRY_DAYS_LIMITS.min,
            maximum: EXPIRY_DAYS_LIMITS.max,
            description: "null: back to the server's default (CERTYNEO_EXPIRY_DAYS)",
          }),
        ),
      ),
    },
    { additionalProperties: false, description: "Each given field replaces the stored one" },
  ),
);

function serialize(settings: AccountSettings) {
  return { object: "settings" as const, ...settings };
}

const tags = ["Settings"];

export const settingsRoutes: FastifyPluginAsyncTypebox<{
  settings: AccountSettingsService;
}> = async (app, { settings }) => {
  app.get(
    "/settings",
    {
      schema: {
        tags,
        operationId: "getSettings",
        summary: "Fetch the notification settings",
        description:
          "Who is told when an envelope ends, in which language, and the default reminders and expiry, for the key's environment.",
        response: { 200: SettingsObject, ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => serialize(await settings.get(request.auth.scope)),
  );

  app.patch(
    "/settings",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "updateSettings",
        summary: "Change the notification settings",
        description:
          "Who on your side is told when an envelope completes, is declined or expires, in which language; the default reminders of new envelopes; and when envelopes expire by default.",
        body: SettingsPatch,
        response: {
          200: SettingsObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415),
        },
      },
    },
    async (request) => serialize(await settings.update(request.auth.scope, request.body)),
  );
};
