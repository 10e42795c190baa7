import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AUTHENTICATED_ERRORS, Component, errorResponses } from "../../http/schemas.js";
import type { SandboxService } from "../../services/sandbox.js";

const Count = (what: string) => Type.Integer({ minimum: 0, description: `${what} deleted` });

const SandboxResetObject = Component(
  "SandboxReset",
  Type.Object(
    {
      object: Type.Literal("sandbox_reset"),
      deleted: Type.Object({
        envelopes: Count("Envelopes (with their recipients, fields and sealed PDFs)"),
        documents: Count("Documents"),
        webhooks: Count("Webhooks (with their deliveries)"),
        events: Count("Events"),
      }),
    },
    { description: "What the reset of the account's test environment deleted" },
  ),
);

export const sandboxRoutes: FastifyPluginAsyncTypebox<{ sandbox: SandboxService }> = async (
  app,
  { sandbox },
) => {
  app.post(
    "/sandbox/reset",
    {
      config: { role: "owner" },
      schema: {
        tags: ["Settings"],
        operationId: "resetSandbox",
        summary: "Delete every test-environment object of the account",
        description:
          "An owner's dashboard session only (an API key, or another role, is refused with 403 role_insufficient). Deletes the test environment's envelopes (recipients, fields, events, notifications, sealed PDFs, jobs), documents, webhooks (and deliveries) and idempotent responses, whatever the session's environment; keeps the live environment, API keys, people, settings and branding. Not undone.",
        response: { 200: SandboxResetObject, ...errorResponses(...AUTHENTICATED_ERRORS, 403) },
      },
    },
    async (request) => ({
      object: "sandbox_reset" as const,
      deleted: await sandbox.reset(request.auth.scope.accountId),
    }),
  );
};
