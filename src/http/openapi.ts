import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { errorCodes } from "../api/error-codes.js";
import { OPERATION_EXAMPLES, type OperationExamples } from "../api/openapi-examples.js";
import { webhookEventsDocument } from "../api/webhook-events.js";
import { hoistComponents } from "./openapi-components.js";
import { errorResponses, namedSchemas } from "./schemas.js";

const DESCRIPTION = `Certyneo's public REST API: upload PDFs, send envelopes for signature, follow them, and
receive webhooks.

Authenticate with \`Authorization: Bearer sk_test_…\` (or \`sk_live_…\`). Each key belongs to one
account and one environment; objects of another environment or account answer 404.

Every response carries \`X-Request-Id\`. Authenticated responses carry \`X-RateLimit-Limit\` (the
bucket size: the largest burst), \`X-RateLimit-Remaining\` and \`X-RateLimit-Reset\` (seconds until
the bucket is full). Over the limit: 429 \`rate_limit_error\` with \`Retry-After\` in seconds.

Errors share one shape: \`{"error": {"type", "code", "message", "param", "requestId"}}\`. Lists
take \`limit\` (1–100, default 20) and \`after\` (the last id of the previous page) and return
\`{"object": "list", "data", "hasMore", "nextCursor"}\`, newest first.

Guides: [API conventions](/docs/guides/api), [documents and envelopes](/docs/guides/documents-and-envelopes),
[webhooks](/docs/guides/webhooks), [notifications](/docs/guides/notifications),
[the signing side](/docs/guides/signing), [signatures](/docs/guides/signatures),
[the SDK](/docs/guides/sdk), [security](/docs/guides/security).`;

/** Registers the OpenAPI generator; it must come before the routes it describes. */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Certyneo API",
        version: "1.0.0",
        description: DESCRIPTION,
        contact: { name: "Certyneo" },
        // This description of the API, not the server: clients generated from it are free to use.
        license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
      },
      // Every deployment has its own address: the one serving this document by default.
      servers: [
        {
          url: "{baseUrl}",
          description: "Your Certyneo instance",
          variables: { baseUrl: { default: publicUrl, description: "Its PUBLIC_URL" } },
        },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "An API key: sk_test_… or sk_live_…",
          },
          sessionCookie: {
            type: "apiKey",
            in: "cookie",
            name: "certyneo_session",
            description:
              "A dashboard session (the signed-in user's account and chosen environment). A change (POST, PATCH, DELETE) also needs the session's X-CSRF-Token header.",
          },
        },
      },
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
      tags: [
        { name: "Documents", description: "PDFs to be signed" },
        { name: "Envelopes", description: "Documents sent to recipients for signature" },
        { name: "Webhooks", description: "Signed notifications of envelope events to your URL" },
        { name: "API keys", description: "Keys that authenticate calls to this API" },
        { name: "People", description: "Who signs in to the account's dashboard, and their role" },
        {
          name: "Settings",
          description: "Who is told what, reminders and expiry, per account and environment",
        },
        {
          name: "Signing",
          description: "The recipient's side, authenticated by the signing token of their signUrl",
        },
        {
          name: "Dashboard session",
          description: "Signing in to the dashboard, which then calls this API with its cookie",
        },
        { name: "Operations", description: "Health checks and this document" },
        {
          name: "Verification",
          description: "What a PDF proves, checked for anyone: no API key",
        },
        {
          name: "Trust",
          description:
            "What the platform root publishes for validators: its certificate and its CRL",
        },
      ],
    },
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      const openapi = documentResponses(document.openapiObject as OpenApiDocument);
      openapi["x-webhooks"] = webhookEventsDocument();
      const schemas = hoistComponents(openapi as Record<string, unknown>, namedSchemas);
      openapi.components = { ...openapi.components, schemas };
      documentErrorCodes(openapi);
      return openapi;
    },
  });
}

type Content = Record<
  string,
  { schema?: { description?: string; $ref?: string; allOf?: unknown[] }; example?: unknown }
>;

interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: object[];
  requestBody?: { content?: Content };
  responses?: Record<string, { description?: string; headers?: object; content?: Content }>;
}

interface OpenApiDocument {
  components?: Record<string, unknown>;
  "x-webhooks"?: Record<string, unknown>;
  paths?: Record<string, Record<string, Operation>>;
}

const integerHeader = (description: string) => ({ description, schema: { type: "integer" } });

/** What the hooks add to every response, which route schemas cannot declare. */
const HEADERS = {
  RequestId: { description: "Identifies this request (req_…)", schema: { type: "string" } },
  RateLimitLimit: integerHeader("Bucket size: the largest burst this key may send"),
  RateLimitRemaining: integerHeader("Requests left in the bucket after this one"),
  RateLimitReset: integerHeader("Seconds until the bucket is full again"),
  RetryAfter: integerHeader("Seconds to wait before retrying (>= 1)"),
};

const PARAMETERS = {
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    schema: { type: "string", maxLength: 255 },
    description:
      "Makes a retry safe: the first response is stored for 24 hours and replayed for the same key and request (with Idempotent-Replayed: true). The same key with another request is a 422 idempotency_error; while the first request runs, a 409.",
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const ref = (kind: "headers" | "parameters", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/**
 * What the hooks add, which route schemas cannot declare: request id, rate limits, idempotency.
 * And a response's description said once: @fastify/swagger repeats it on the response's schema.
 */
function documentResponses<T extends OpenApiDocument>(document: T): T {
  document.components = { ...document.components, headers: HEADERS, parameters: PARAMETERS };
  for (const operations of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      addExamples(operation, OPERATION_EXAMPLES[operation.operationId ?? ""]);
      const authenticated = operation.security === undefined;
      if (authenticated && method === "post") {
        operation.parameters = [
          ...(operation.parameters ?? []),
          ref("parameters", "IdempotencyKey"),
        ];
        operation.responses ??= {};
        operation.responses["409"] ??= errorResponse(
          "Another request with the same Idempotency-Key is still running",
        );
        operation.responses["422"] ??= errorResponse(
          "The Idempotency-Key was used with another request",
        );
      }
      if (authenticated && method !== "get") {
        operation.responses ??= {};
        operation.responses["403"] ??= errorResponse(
          "A change made with a session cookie, without the session's X-CSRF-Token",
        );
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const media of Object.values(response.content ?? {}))
          if (media.schema && media.schema.description === response.description)
            delete media.schema.description;
        response.headers = {
          ...response.headers,
          "X-Request-Id": ref("headers", "RequestId"),
          ...(authenticated &&
            status !== "401" && {
              "X-RateLimit-Limit": ref("headers", "RateLimitLimit"),
              "X-RateLimit-Remaining": ref("headers", "RateLimitRemaining"),
              "X-RateLimit-Reset": ref("headers", "RateLimitReset"),
            }),
          ...(status === "429" && { "Retry-After": ref("headers", "RetryAfter") }),
        };
      }
    }
  }
  return document;
}

const ERROR = "#/components/schemas/Error";

/** Each error response narrowed to the codes its operation answers (error-codes.ts), and listed. */
function documentErrorCodes(document: OpenApiDocument): void {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const apiKey = operation.security === undefined;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const media = response.content?.["application/json"];
        if (media?.schema?.$ref !== ERROR) continue;
        const codes = errorCodes(operation.operationId ?? "", Number(status), {
          apiKey,
          idempotent: apiKey && method === "post",
          write: apiKey && method !== "get",
        });
        if (codes.length === 0) continue;
        media.schema = {
          allOf: [
            { $ref: ERROR },
            {
              type: "object",
              properties: {
                error: {
                  type: "object",
                  properties: { code: { type: "string", enum: codes } },
                },
              },
            },
          ],
        };
        response.description = `${response.description}. code: ${codes.map((c) => `\`${c}\``).join(", ")}`;
      }
    }
  }
}

/** Whole examples of the request and the responses, where /docs and generators look for them. */
function addExamples(operation: Operation, examples: OperationExamples | undefined): void {
  if (!examples) return;
  for (const [type, example] of Object.entries(examples.request ?? {})) {
    const media = operation.requestBody?.content?.[type];
    if (!media) throw new Error(`${operation.operationId} takes no ${type} body to exemplify`);
    media.example = example;
  }
  for (const [status, example] of Object.entries(examples.responses ?? {})) {
    const media = operation.responses?.[status]?.content?.["application/json"];
    if (!media) throw new Error(`${operation.operationId} has no JSON ${status} to exemplify`);
    media.example = example;
  }
}

/** The document itself (no authentication) and the interactive docs page, served locally. */
export async function registerOpenApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/api/v1/openapi.json",
    {
      schema: {
        tags: ["Operations"],
        operationId: "getOpenApiDocument",
        summary: "This OpenAPI document",
        description:
          "The contract of this API in OpenAPI 3.0: generate a client from it, or read it at /docs. No key needed.",
        security: [],
        response: {
          200: { type: "object", additionalProperties: true, description: "OpenAPI 3.0.3" },
          ...errorResponses(431),
        },
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
