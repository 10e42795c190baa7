import type { FastifyReply, FastifyRequest } from "fastify";
import type { Scope } from "../domain/environment.js";
import { CertyneoError, roleInsufficient } from "../domain/errors.js";
import {
  describeDecision,
  type RateLimitDecision,
  type TakeResult,
  type TokenBucketPolicy,
} from "../domain/token-bucket.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import { parseApiKeySecret } from "../security/api-key-secret.js";
import type { ApiKeyService, KeyedRead } from "../services/api-keys.js";
import type { Session, SessionService } from "../services/sessions.js";
import type { UserRole } from "../services/users.js";

/** Who calls the API: an API key, or a user signed in to the dashboard (a session). */
export interface Caller {
  scope: Scope;
  actor: { type: "api_key"; id: string } | { type: "user"; id: string };
  /** What the caller may do: a user's role; an API key manages its account as an admin does. */
  role: UserRole;
  /** The token bucket this caller draws from, and its policy. */
  bucket: string;
  rateLimit: TokenBucketPolicy;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every `/api/v1` route that requires a caller. */
    auth: Caller;
    /**
     * What the route's `keyedRead` answered (`null`: nothing), when the key's lookup made it;
     * otherwise `undefined`, and the route reads as usual.
     */
    keyedRead: unknown;
  }
  interface FastifyContextConfig {
    /** The least role that may call the route: admin for what manages the account. */
    role?: UserRole;
    /**
     * A read the key's lookup may make for the route, given the path parameter `param` and what
     * the instance `knows` of it (see `KeyedRead`; -1 without).
     */
    keyedRead?: { read: KeyedRead; param: string; knows?: (argument: string) => number };
  }
}

const RANK: Record<UserRole, number> = { member: 0, admin: 1, owner: 2 };

/** Whether `role` may do what needs `needed`. */
export function roleAtLeast(role: UserRole, needed: UserRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** 403 `role_insufficient` unless the caller's role is at least `needed`. */
export function requireRole(caller: Caller, needed: UserRole, what: string): void {
  if (!roleAtLeast(caller.role, needed)) {
    throw roleInsufficient(
      caller.role,
      `${what}: only ${needed === "owner" ? "an owner" : "an owner or an admin"} can`,
    );
  }
}

/** The dashboard's session cookie. */
export const SESSION_COOKIE = "certyneo_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The value of cookie `name` in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function unauthenticated(reply: FastifyReply, code: string, message: string): CertyneoError {
  reply.header("WWW-Authenticate", 'Bearer realm="certyneo"');
  return new CertyneoError("unauthenticated", code, message);
}

/**
 * The dashboard session of the request's cookie, and for a change, its CSRF token in
 * `X-CSRF-Token` (a cookie alone, which another site's page can make a browser send, changes
 * nothing). 401 `session_invalid` without a live session, 403 `csrf_token_invalid`.
 */
export async function cookieSession(
  request: FastifyRequest,
  sessions: SessionService,
): Promise<Session> {
  const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
  const session = token ? await sessions.authenticate(token) : null;
  if (!session) {
    throw new CertyneoError(
      "unauthenticated",
      "session_invalid",
      "You are not signed in, or your session has ended: sign in again.",
    );
  }
  const csrf = request.headers["x-csrf-token"];
  if (
    !SAFE_METHODS.has(request.method) &&
    !sessions.csrfTokenValid(session.id, typeof csrf === "string" ? csrf : undefined)
  ) {
    throw new CertyneoError(
      "forbidden",
      "csrf_token_invalid",
      "A change made with a session cookie needs the session's token in the X-CSRF-Token header.",
    );
  }
  return session;
}

/**
 * onRequest hook: who is calling (an API key; without one, a dashboard session), and are they
 * within their rate limit.
 */
export function authenticate(
  keys: ApiKeyService,
  sessions: SessionService,
  limiter: RateLimiter,
  sessionRateLimit: TokenBucketPolicy,
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header && cookieValue(request.headers.cookie, SESSION_COOKIE)) {
      const session = await cookieSession(request, sessions);
      request.auth = {
        scope: { accountId: session.accountId, environment: session.environment },
        actor: { type: "user", id: session.userId },
        role: session.role,
        bucket: `user:${session.userId}`,
        rateLimit: sessionRateLimit,
      };
      await limit(request, reply, limiter);
      const needed = request.routeOptions.config.role;
      if (needed) requireRole(request.auth, needed, "do this");
      return;
    }
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
    const keyed = keys.readsWithKey ? request.routeOptions.config.keyedRead : undefined;
    const argument = keyed && keyedArgument(request.params, keyed.param);
    const key = await keys.authenticate(
      secret,
      keyed && argument !== undefined
        ? { keyedRead: keyed.read, argument, known: keyed.knows?.(argument) ?? -1 }
        : undefined,
    );
    if (!key) {
      throw unauthenticated(
        reply,
        "api_key_invalid",
        `The API key ending in "${secret.slice(-4)}" is unknown or has been revoked.`,
      );
    }
    request.auth = {
      scope: key.scope,
      actor: { type: "api_key", id: key.keyId },
      role: "admin",
      bucket: key.keyId,
      rateLimit: key.rateLimit,
    };
    if (argument !== undefined) request.keyedRead = key.read ?? null;
    await limit(request, reply, limiter, key.taken);
    // An API key manages its account as an admin does: what only an owner may do, it may not.
    const needed = request.routeOptions.config.role;
    if (needed) requireRole(request.auth, needed, "do this");
  };
}

/**
 * The path parameter a keyed read is given, if it can be: the route's validation comes after this
 * hook, so a value it would refuse (not 1-100 characters, or holding U+0000, which PostgreSQL
 * text cannot hold) is not read here; the route then reads, or refuses, as usual.
 */
function keyedArgument(params: unknown, name: string): string | undefined {
  const value = (params as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== "string" || value.length === 0 || value.length > 100) return undefined;
  return value.includes("\0") ? undefined : value;
}

/**
 * The caller's token bucket: one token per request, or 429 with Retry-After. `taken` is the token
 * the key's lookup already took, when it could.
 */
async function limit(
  request: FastifyRequest,
  reply: FastifyReply,
  limiter: RateLimiter,
  taken?: TakeResult,
): Promise<void> {
  const { bucket, rateLimit, actor } = request.auth;
  let decision: RateLimitDecision;
  try {
    decision = taken
      ? describeDecision(taken, rateLimit)
      : await limiter.consume(bucket, rateLimit);
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
      `Too many requests with this ${actor.type === "user" ? "session" : "API key"} (${rateLimit.perMinute} per minute, bursts of ${rateLimit.burst}). Retry in ${decision.retryAfterSeconds} s.`,
    );
  }
}
