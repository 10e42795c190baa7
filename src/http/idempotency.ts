import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CertyneoError } from "../domain/errors.js";
import { canonicalJson } from "../domain/event-chain.js";
import type { IdempotencyStore } from "../services/idempotency.js";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module "fastify" {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

/**
 * What makes two requests "the same": route, path parameters and body. A multipart body is a
 * stream read later by the handler, so its length stands in for it.
 */
function fingerprint(request: FastifyRequest): string {
  const body = request.isMultipart?.()
    ? `multipart:${request.headers["content-length"] ?? "chunked"}`
    : canonicalJson(request.body ?? {});
  return createHash("sha256")
    .update(
      `${request.method} ${request.routeOptions.url}\n${canonicalJson(request.params ?? {})}\n${body}`,
    )
    .digest("hex");
}

/**
 * `Idempotency-Key` on POST: the first response is stored for 24 hours and replayed for the same
 * key and request; the same key with another request is a 422, and while the first request is
 * still running, a 409. Requests refused before the handler runs (validation) store nothing, and
 * neither do server errors, so both may be retried with the same key.
 */
export function registerIdempotency(api: FastifyInstance, store: IdempotencyStore): void {
  api.decorateRequest("idempotencyKey", null);

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers["idempotency-key"];
    if (key === undefined) return;
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
      throw new CertyneoError(
        "invalid_request",
        "idempotency_key_invalid",
        "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.",
        "Idempotency-Key",
      );
    }
    const start = await store.begin(request.auth.scope, key, fingerprint(request));
    if (start.kind === "mismatch") {
      throw new CertyneoError(
        "idempotency_mismatch",
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
        "Idempotency-Key",
      );
    }
    if (start.kind === "in_progress") {
      throw new CertyneoError(
        "idempotency_in_progress",
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed. Retry in a moment.",
        "Idempotency-Key",
      );
    }
    if (start.kind === "replay") {
      return reply
        .code(start.status)
        .header("Idempotent-Replayed", "true")
        .type("application/json; charset=utf-8")
        .send(start.body);
    }
    request.idempotencyKey = key;
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const key = request.idempotencyKey;
    if (!key) return payload;
    request.idempotencyKey = null;
    if (reply.statusCode >= 500) await store.abandon(request.auth.scope, key);
    else await store.complete(request.auth.scope, key, reply.statusCode, String(payload));
    return payload;
  };

  // Only POST routes get the hooks: a read does not pay for them.
  api.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes("POST")) return;
    route.preHandler = [...asArray(route.preHandler), preHandler];
    route.onSend = [...asArray(route.onSend), onSend];
  });
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
