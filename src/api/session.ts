import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import { CertyneoError } from "../domain/errors.js";
import type { TokenBucketPolicy } from "../domain/token-bucket.js";
import { cookieSession, SESSION_COOKIE } from "../http/auth.js";
import {
  Component,
  Environment,
  errorResponses,
  ObjectId,
  OneOf,
  Timestamp,
} from "../http/schemas.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import { PASSWORD_MAX } from "../security/passwords.js";
import { SESSION_MAX_MS, type Session, type SessionService } from "../services/sessions.js";
import { USER_ROLES, type UserService } from "../services/users.js";

const tags = ["Dashboard session"];

/** Sign-in attempts, per client address and per email: a guess costs a token either way. */
const SIGN_IN_LIMIT: TokenBucketPolicy = { perMinute: 5, burst: 10 };

const SessionObject = Component(
  "DashboardSession",
  Type.Object(
    {
      object: Type.Literal("session"),
      user: Type.Object({
        id: ObjectId("usr"),
        email: Type.String(),
        role: OneOf(USER_ROLES, "owner and admin manage the account; member sends envelopes"),
      }),
      accountId: ObjectId("acct"),
      environment: Environment,
      csrfToken: Type.String({
        description: "Send it as X-CSRF-Token with every change (POST, PATCH, DELETE)",
      }),
      expiresAt: Timestamp,
    },
    { description: "The signed-in user's session: the dashboard's way into the API" },
  ),
);

const SignIn = Component(
  "SignInRequest",
  Type.Object(
    {
      email: Type.String({ minLength: 3, maxLength: 254 }),
      password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
    },
    { additionalProperties: false },
  ),
);

function failed(): CertyneoError {
  return new CertyneoError(
    "unauthenticated",
    "sign_in_failed",
    "The email or the password is not right.",
  );
}

/**
 * The dashboard's sign-in: a session cookie (HttpOnly, SameSite=Lax, Secure when PUBLIC_URL is
 * https) for the public API, with the CSRF token its changes need. A wrong email and a wrong
 * password answer the same, in the same time.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  users: UserService;
  sessions: SessionService;
  limiter: RateLimiter;
  secureCookies: boolean;
}> = async (app, { users, sessions, limiter, secureCookies }) => {
  const cookie = (value: string, maxAgeSeconds: number) =>
    [
      `${SESSION_COOKIE}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Lax",
      `Max-Age=${maxAgeSeconds}`,
      ...(secureCookies ? ["Secure"] : []),
    ].join("; ");

  const body = (session: Session) => ({
    object: "session" as const,
    user: { id: session.userId, email: session.email, role: session.role },
    accountId: session.accountId,
    environment: session.environment,
    csrfToken: sessions.csrfTokenFor(session.id),
    expiresAt: session.expiresAt,
  });

  async function throttle(request: FastifyRequest, reply: FastifyReply, email: string) {
    for (const bucket of [
      `sign-in:ip:${request.ip}`,
      `sign-in:email:${email.trim().toLowerCase()}`,
    ]) {
      const decision = await limiter.consume(bucket, SIGN_IN_LIMIT);
      if (!decision.allowed) {
        reply.header("Retry-After", decision.retryAfterSeconds);
        throw new CertyneoError(
          "rate_limited",
          "rate_limit_exceeded",
          `Too many sign-in attempts. Retry in ${decision.retryAfterSeconds} s.`,
        );
      }
    }
  }

  app.post(
    "/session",
    {
      schema: {
        tags,
        security: [],
        operationId: "signIn",
        summary: "Sign in to the dashboard with an email and a password",
        description:
          "Sets the session cookie and answers the session with its CSRF token. A wrong email or password is 401 sign_in_failed, the same for both; attempts are limited per address and per email (429).",
        body: SignIn,
        response: { 200: SessionObject, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await throttle(request, reply, request.body.email);
      const user = await users.signInWithPassword(request.body.email, request.body.password);
      if (!user) throw failed();
      const { token, session } = await sessions.create(user, {
        ip: request.ip,
        userAgent: request.headers["user-agent"] ?? null,
      });
      reply.header("Set-Cookie", cookie(token, SESSION_MAX_MS / 1000));
      return body(session);
    },
  );

  app.get(
    "/session",
    {
      schema: {
        tags,
        security: [{ sessionCookie: [] }],
        operationId: "getSession",
        summary: "The signed-in user's session, with its CSRF token",
        description: "401 session_invalid when the cookie's session has ended.",
        response: { 200: SessionObject, ...errorResponses(400, 401) },
      },
    },
    async (request) => body(await cookieSession(request, sessions)),
  );

  app.delete(
    "/session",
    {
      schema: {
        tags,
        security: [{ sessionCookie: [] }],
        operationId: "signOut",
        summary: "Sign out: the session ends on every instance at once",
        description: "Needs the session's X-CSRF-Token, like every change made with the cookie.",
        response: {
          204: Type.Null({ description: "Signed out" }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const session = await cookieSession(request, sessions);
      await sessions.revoke(session.id);
      return reply.header("Set-Cookie", cookie("", 0)).code(204).send(null);
    },
  );
};
