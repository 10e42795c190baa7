import type { FastifyInstance } from "fastify";
import { newId } from "../security/random.js";

export const generateRequestId = (): string => newId("req");

export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("X-Request-Id", request.id);
    done();
  });
}
