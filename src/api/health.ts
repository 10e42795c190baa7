import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import type { Database } from "../db/database.js";
import { Component, errorResponses } from "../http/schemas.js";

const Status = Component(
  "HealthStatus",
  Type.Object({ status: Type.Literal("ok") }, { description: "The check passed" }),
);
const Unavailable = Component(
  "Unavailable",
  Type.Object(
    { status: Type.Literal("unavailable"), reason: Type.String() },
    { description: "The check failed, and why" },
  ),
);

export const healthRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (
  app,
  { database },
) => {
  const common = { tags: ["Operations"], security: [] };

  app.get(
    "/healthz",
    {
      schema: {
        ...common,
        operationId: "getHealth",
        summary: "Liveness: the process is up",
        description:
          "Answers 200 while the process serves requests, without touching the database: for a liveness probe.",
        response: { 200: Status, ...errorResponses(431) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        ...common,
        operationId: "getReadiness",
        summary: "Readiness: the database answers",
        description:
          "Answers 200 when the database answers a query, 503 otherwise: for a load balancer or a readiness probe.",
        response: {
          200: Status,
          503: Unavailable,
          ...errorResponses(431),
        },
      },
    },
    async (request, reply) => {
      try {
        await database.ping();
        return { status: "ok" as const };
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        return reply
          .code(503)
          .send({ status: "unavailable" as const, reason: "database unreachable" });
      }
    },
  );
};
