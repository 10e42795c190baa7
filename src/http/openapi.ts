import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

const DESCRIPTION = `Certyneo's public REST API: upload PDFs, send envelopes for signature, follow them, and
receive webhooks.

Authenticate with \`Authorization: Bearer sk_test_…\` (or \`sk_live_…\`). Each key belongs to one
account and one environment; objects of another environment or account answer 404.

Every response carries \`X-Request-Id\`. Authenticated responses carry \`X-RateLimit-Limit\` (the
bucket size: the largest burst), \`X-RateLimit-Remaining\` and \`X-RateLimit-Reset\` (seconds until
the bucket is full). Over the limit: 429 \`rate_limit_error\` with \`Retry-After\` in seconds.

Errors share one shape: \`{"error": {"type", "code", "message", "param", "requestId"}}\`. Lists
take \`limit\` (1–100, default 20) and \`after\` (the last id of the previous page) and return
\`{"object": "list", "data", "hasMore", "nextCursor"}\`, newest first.`;

/** Registers the OpenAPI generator; it must come before the routes it describes. */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Certyneo API", version: "1.0.0", description: DESCRIPTION },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "An API key: sk_test_… or sk_live_…",
          },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: "Documents", description: "PDFs to be signed" },
        { name: "Envelopes", description: "Documents sent to recipients for signature" },
        { name: "Webhooks", description: "Signed notifications of envelope events to your URL" },
        { name: "API keys", description: "Keys that authenticate calls to this API" },
        {
          name: "Settings",
          description: "Who is told what, reminders and expiry, per account and environment",
        },
        {
          name: "Signing",
          description: "The recipient's side, authenticated by the signing token of their signUrl",
        },
        { name: "Operations", description: "Health checks and this document" },
      ],
    },
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      return documentResponseHeaders(document.openapiObject as OpenApiDocument);
    },
  });
}

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        parameters?: object[];
        responses?: Record<string, { headers?: object }>;
      }
    >
  >;
}

const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  schema: { type: "string", maxLength: 255 },
  description:
    "Makes a retry safe: the first response is stored for 24 hours and replayed for the same key and request (with Idempotent-Replayed: true). The same key with another request is a 422 idempotency_error; while the first request runs, a 409.",
};

const integerHeader = (description: string) => ({ description, schema: { type: "integer" } });

const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": integerHeader("Bucket size: the largest burst this key may send"),
  "X-RateLimit-Remaining": integerHeader("Requests left in the bucket after this one"),
  "X-RateLimit-Reset": integerHeader("Seconds until the bucket is full again"),
};

/** What the hooks add, which route schemas cannot declare: request id, rate limits, idempotency. */
function documentResponseHeaders<T extends OpenApiDocument>(document: T): T {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const authenticated = operation.security === undefined;
      if (authenticated && method === "post") {
        operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        response.headers = {
          ...response.headers,
          "X-Request-Id": {
            description: "Identifies this request (req_…)",
            schema: { type: "string" },
          },
          ...(authenticated && status !== "401" && RATE_LIMIT_HEADERS),
          ...(status === "429" && {
            "Retry-After": integerHeader("Seconds to wait before retrying (>= 1)"),
          }),
        };
      }
    }
  }
  return document;
}

/** The document itself (no authentication) and the interactive docs page, served locally. */
export async function registerOpenApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/api/v1/openapi.json",
    {
      schema: {
        tags: ["Operations"],
        summary: "This OpenAPI document",
        security: [],
        response: { 200: { type: "object", additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    uiConfig: { deepLinking: true, displayRequestDuration: true, validatorUrl: null },
  });
}
