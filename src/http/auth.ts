import type { FastifyReply, FastifyRequest } from "fastify";
import { CertyneoError } from "../domain/errors.js";
import type { RateLimitDecision } from "../domain/token-bucket.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import { parseApiKeySecret } from "../security/api-key-secret.js";
import type { ApiKeyService, AuthenticatedKey } from "../services/api-keys.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every `/api/v1` route that requires a key. */
    auth: AuthenticatedKey;
  }
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function unauthenticated(reply: FastifyReply, code: string, message: string): CertyneoError {
  reply.header("WWW-Authenticate", 'Bearer realm="certyneo"');
  return new CertyneoError("unauthenticated", code, message);
}

/** onRequest hook: who is calling (API key), and are they within their rate limit. */
export function authenticateApiKey(keys: ApiKeyService, limiter: RateLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header) {
      throw unauthenticated(
        reply,
        "api_key_missing",
        'No API key provided. Send it as "Authorization: Bearer sk_test_…".',
      );
    }
    const secret = BEARER.exec(header)?.[1];
    if (!secret) {
      throw unauthenticated(
        reply,
        "authorization_header_malformed",
        'The Authorization header must read "Bearer <API key>".',
      );
    }
    if (!parseApiKeySecret(secret)) {
      throw unauthenticated(
        reply,
        "api_key_malformed",
        "The API key is malformed: it starts with sk_test_ or sk_live_ followed by at least 24 letters and digits.",
      );
    }
    const key = await keys.authenticate(secret);
    if (!key) {
      throw unauthenticated(
        reply,
        "api_key_invalid",
        `The API key ending in "${secret.slice(-4)}" is unknown or has been revoked.`,
      );
    }
    request.auth = key;

    let decision: RateLimitDecision;
    try {
      decision = await limiter.consume(key.keyId, key.rateLimit);
    } catch (error) {
      // An unreachable rate-limit store must not take the API down with it.
      request.log.warn({ err: error }, "rate limiter unavailable; request allowed");
      return;
    }
    reply.header("X-RateLimit-Limit", decision.limit);
    reply.header("X-RateLimit-Remaining", decision.remaining);
    reply.header("X-RateLimit-Reset", decision.resetSeconds);
    if (!decision.allowed) {
      reply.header("Retry-After", decision.retryAfterSeconds);
      throw new CertyneoError(
        "rate_limited",
        "rate_limit_exceeded",
        `Too many requests with this API key (${key.rateLimit.perMinute} per minute, bursts of ${key.rateLimit.burst}). Retry in ${decision.retryAfterSeconds} s.`,
      );
    }
  };
}
