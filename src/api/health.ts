import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import type { Database } from "../db/database.js";

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (
  app,
  { database },
) => {
  const common = { tags: ["Operations"], security: [] };

  app.get(
    "/healthz",
    { schema: { ...common, summary: "Liveness: the process is up", response: { 200: Status } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        ...common,
        summary: "Readiness: the database answers",
        response: {
          200: Status,
          503: Type.Object({ status: Type.String(), reason: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      try {
        await database.ping();
        return { status: "ok" };
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
      }
    },
  );
};
