import type { FastifyRequest } from "fastify";
import type { ActionContext } from "../services/event-log.js";

/** The calling key, address and user agent, for the event log. */
export function apiActionContext(request: FastifyRequest): ActionContext {
  return {
    actor: { type: "api_key", id: request.auth.keyId },
    ip: request.ip,
    userAgent: request.headers["user-agent"]?.slice(0, 500) ?? null,
  };
}
