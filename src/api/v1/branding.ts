import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { LOGO_MAX_BYTES } from "../../domain/branding.js";
import {
  AUTHENTICATED_ERRORS,
  Component,
  errorResponses,
  Nullable,
  Timestamp,
} from "../../http/schemas.js";
import type { Branding, BrandingService } from "../../services/branding.js";

const tags = ["Settings"];

const DisplayName = Type.String({
  minLength: 1,
  maxLength: 100,
  description: "The name recipients see; null: the account's name",
});
const AccentColor = Type.String({
  pattern: "^#[0-9a-fA-F]{6}$",
  description:
    "The colour of buttons and links, #rrggbb; it must keep a 4.5:1 contrast with white (422 accent_color_low_contrast otherwise)",
});
const Logo = Type.String({
  maxLength: Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 40,
  description: `A PNG or JPEG as a data: URL (data:image/png;base64,…), at most ${LOGO_MAX_BYTES / 1024} KB and 2000 pixels a side`,
});

const BrandingObject = Component(
  "Branding",
  Type.Object(
    {
      object: Type.Literal("branding"),
      displayName: Nullable(DisplayName),
      accentColor: Nullable(AccentColor),
      logo: Nullable(Logo),
      updatedAt: Nullable(Timestamp),
    },
    {
      description:
        "What recipients see of the account, on the signing pages and in the emails (both environments)",
    },
  ),
);

function serialize(branding: Branding) {
  return {
    object: "branding" as const,
    displayName: branding.displayName,
    accentColor: branding.accentColor,
    logo: branding.logo,
    updatedAt: branding.updatedAt,
  };
}

export const brandingRoutes: FastifyPluginAsyncTypebox<{ branding: BrandingService }> = async (
  app,
  { branding },
) => {
  app.get(
    "/branding",
    {
      schema: {
        tags,
        operationId: "getBranding",
        summary: "Fetch the account's branding",
        description: "The display name, accent colour and logo recipients see.",
        response: { 200: BrandingObject, ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => serialize(await branding.get(request.auth.scope.accountId)),
  );

  app.patch(
    "/branding",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "updateBranding",
        summary: "Change the account's branding",
        description:
          "Each given value replaces the current one; null removes it. The colour is refused if white text on it, or it on white, would be hard to read; the logo if it is not a small PNG or JPEG.",
        body: Component(
          "UpdateBrandingRequest",
          Type.Object(
            {
              displayName: Type.Optional(Nullable(DisplayName)),
              accentColor: Type.Optional(Nullable(AccentColor)),
              logo: Type.Optional(Nullable(Logo)),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: BrandingObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415, 422),
        },
      },
    },
    async (request) => serialize(await branding.update(request.auth.scope.accountId, request.body)),
  );
};
