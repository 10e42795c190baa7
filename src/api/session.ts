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
import type { SignInMail } from "../services/sign-in-mail.js";
import { USER_ROLES, type UserService } from "../services/users.js";
import { resolveLocale } from "../signing/i18n.js";

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

const Email = Type.String({ minLength: 3, maxLength: 254, format: "email" });

const SignIn = Component(
  "SignInRequest",
  Type.Union(
    [
      Type.Object(
        { email: Email, password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }) },
        { additionalProperties: false, title: "With a password" },
      ),
      Type.Object(
        {
          token: Type.String({
            minLength: 20,
            maxLength: 200,
            description: "The token of an emailed sign-in link (after #token= in its address)",
          }),
        },
        { additionalProperties: false, title: "With an emailed link" },
      ),
    ],
    { description: "An email and a password, or the token of an emailed sign-in link" },
  ),
);

const SignInLinkRequest = Component(
  "SignInLinkRequest",
  Type.Object({ email: Email }, { additionalProperties: false }),
);

const SignInLinkSent = Component(
  "SignInLinkSent",
  Type.Object(
    {
      object: Type.Literal("sign_in_link"),
      message: Type.String(),
    },
    { description: "The same answer whether the email belongs to someone or not" },
  ),
);

function failed(withLink: boolean): CertyneoError {
  return new CertyneoError(
    "unauthenticated",
    "sign_in_failed",
    withLink
      ? "This sign-in link has been used, has expired or is not right: ask for a new one."
      : "The email or the password is not right.",
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
  signInMail: SignInMail;
  limiter: RateLimiter;
  secureCookies: boolean;
}> = async (app, { users, sessions, signInMail, limiter, secureCookies }) => {
  const cookie = (value: string, maxAgeSeconds: number) =>
    [
      `${SESSION_COOKIE}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Lax",
      `Max-Age=${maxAgeSeconds}`,
      ...(secureCookies ? ["Secure"] : []),
    ].join("; ");

  const sessionBody = (session: Session) => ({
    object: "session" as const,
    user: { id: session.userId, email: session.email, role: session.role },
    accountId: session.accountId,
    environment: session.environment,
    csrfToken: sessions.csrfTokenFor(session.id),
    expiresAt: session.expiresAt,
  });

  async function throttle(request: FastifyRequest, reply: FastifyReply, email: string | null) {
    for (const bucket of [
      `sign-in:ip:${request.ip}`,
      ...(email === null ? [] : [`sign-in:email:${email.trim().toLowerCase()}`]),
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
        summary: "Sign in to the dashboard, with a password or an emailed link",
        description:
          "Sets the session cookie and answers the session with its CSRF token. A wrong email or password is 401 sign_in_failed, the same for both; so is a link used before, expired or unknown. Attempts are limited per address and per email (429).",
        body: SignIn,
        response: { 200: SessionObject, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const withLink = "token" in body;
      await throttle(request, reply, withLink ? null : body.email);
      const user = withLink
        ? await users.useSignInLink(body.token)
        : await users.signInWithPassword(body.email, body.password);
      if (!user) throw failed(withLink);
      const { token, session } = await sessions.create(user, {
        ip: request.ip,
        userAgent: request.headers["user-agent"] ?? null,
      });
      reply.header("Set-Cookie", cookie(token, SESSION_MAX_MS / 1000));
      return sessionBody(session);
    },
  );

  app.post(
    "/session/link",
    {
      schema: {
        tags,
        security: [],
        operationId: "requestSignInLink",
        summary: "Email a one-time sign-in link",
        description:
          "Sends the person of this email a link that signs them in once, within 15 minutes. The answer is the same, at once, whether the email belongs to someone or not; requests are limited per address and per email (429).",
        body: SignInLinkRequest,
        response: { 202: SignInLinkSent, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await throttle(request, reply, request.body.email);
      const locale = resolveLocale(null, request.headers["accept-language"]);
      // Sent after answering: how long sending takes must not tell whether the email is known.
      void users
        .createSignInLink(request.body.email)
        .then((link) => link && signInMail.sendLink(link.user, link.token, locale))
        .catch((error: unknown) => request.log.error({ err: error }, "sign-in link not sent"));
      return reply.code(202).send({
        object: "sign_in_link",
        message:
          "If this email belongs to someone, a sign-in link is on its way. It works once, for 15 minutes.",
      });
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
    async (request) => sessionBody(await cookieSession(request, sessions)),
  );

  app.patch(
    "/session",
    {
      schema: {
        tags,
        security: [{ sessionCookie: [] }],
        operationId: "updateSession",
        summary: "Switch the session between the test and live environments",
        description:
          "What the session's calls see and change from then on: the keys, webhooks, envelopes and settings of that environment. Needs the session's X-CSRF-Token.",
        body: Component(
          "UpdateSessionRequest",
          Type.Object({ environment: Environment }, { additionalProperties: false }),
        ),
        response: { 200: SessionObject, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const session = await cookieSession(request, sessions);
      await sessions.switchEnvironment(session.id, request.body.environment);
      return sessionBody({ ...session, environment: request.body.environment });
    },
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
