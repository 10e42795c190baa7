import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import type { TokenBucketPolicy } from "../../domain/token-bucket.js";
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
  PageQuery,
  Timestamp,
} from "../../http/schemas.js";
import type { ApiKey, ApiKeyService } from "../../services/api-keys.js";

const apiKeyProperties = {
  id: ObjectId("key"),
  object: Type.Literal("api_key"),
  name: Nullable(Type.String()),
  environment: Environment,
  last4: Type.String({ description: "Last four characters of the secret" }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  rateLimit: Type.Object(
    {
      perMinute: Type.Integer({ description: "Requests per minute, on average" }),
      burst: Type.Integer({ description: "Requests allowed at once, above the average" }),
    },
    { description: "What the key is held to (429 beyond it)" },
  ),
};

const ApiKeyObject = Component(
  "ApiKey",
  Type.Object(apiKeyProperties, { description: "An API key, without its secret" }),
);

const CreatedApiKeyObject = Component(
  "ApiKeyWithSecret",
  Type.Object(
    {
      ...apiKeyProperties,
      secret: Type.String({
        description: "The key itself. Shown only in this response: store it now.",
      }),
    },
    { description: "A new API key with its secret" },
  ),
);

function serialize(key: ApiKey, rateLimit: TokenBucketPolicy) {
  return {
    id: key.id,
    object: "api_key" as const,
    name: key.name,
    environment: key.environment,
    last4: key.last4,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    rateLimit,
  };
}

export const keysRoutes: FastifyPluginAsyncTypebox<{ keys: ApiKeyService }> = async (
  app,
  { keys },
) => {
  app.post(
    "/keys",
    {
      config: { role: "admin" },
      schema: {
        tags: ["API keys"],
        operationId: "createApiKey",
        summary: "Create an API key",
        description: "The new key belongs to the calling key's account and environment.",
        body: Component(
          "CreateApiKeyRequest",
          Type.Object(
            {
              name: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 200,
                  description: "Helps you tell keys apart, e.g. the system that uses it",
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          201: CreatedApiKeyObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const { key, secret } = await keys.create(request.auth.scope, { name: request.body.name });
      return reply.code(201).send({ ...serialize(key, keys.effectiveRateLimit(key)), secret });
    },
  );

  app.get(
    "/keys",
    {
      schema: {
        tags: ["API keys"],
        operationId: "listApiKeys",
        summary: "List API keys",
        description:
          "Keys of the calling key's account and environment, newest first, without secrets.",
        querystring: PageQuery,
        response: { 200: ListOf(ApiKeyObject), ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => {
      const page = await keys.list(request.auth.scope, request.query);
      return listBody(page, (key) => serialize(key, keys.effectiveRateLimit(key)));
    },
  );

  app.delete(
    "/keys/:id",
    {
      config: { role: "admin" },
      schema: {
        tags: ["API keys"],
        operationId: "revokeApiKey",
        summary: "Revoke an API key",
        description:
          "Takes effect on the very next request, on every instance. Revoking twice is harmless.",
        params: IdParams,
        response: { 200: ApiKeyObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) => {
      const key = await keys.revoke(request.auth.scope, request.params.id);
      return serialize(key, keys.effectiveRateLimit(key));
    },
  );
};
