import type { FastifyRequest } from "fastify";
import type { ActionContext } from "../services/event-log.js";

/** The caller (an API key, or a dashboard user), address and user agent, for the event log. */
export function apiActionContext(request: FastifyRequest): ActionContext {
  return {
    actor: request.auth.actor,
    ip: request.ip,
    userAgent: request.headers["user-agent"]?.slice(0, 500) ?? null,
  };
}
