import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import {
  AUTHENTICATED_ERRORS,
  Component,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  ObjectId,
  OneOf,
  Timestamp,
} from "../../http/schemas.js";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../security/passwords.js";
import type { SignInMail } from "../../services/sign-in-mail.js";
import { USER_ROLES, type User, type UserManager, type UserService } from "../../services/users.js";
import { LOCALES, resolveLocale } from "../../signing/i18n.js";

const tags = ["People"];

const Role = OneOf(USER_ROLES, "owner and admin manage the account; member sends envelopes");
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ minLength: 3, maxLength: 254, format: "email" });

const UserObject = Component(
  "User",
  Type.Object(
    {
      id: ObjectId("usr"),
      object: Type.Literal("user"),
      email: Type.String(),
      name: Nullable(Type.String()),
      role: Role,
      hasPassword: Type.Boolean({ description: "Whether they can sign in with a password" }),
      createdAt: Timestamp,
    },
    { description: "A person who signs in to the account's dashboard" },
  ),
);

function serialize(user: User) {
  return {
    id: user.id,
    object: "user" as const,
    email: user.email,
    name: user.name,
    role: user.role,
    hasPassword: user.hasPassword,
    createdAt: user.createdAt,
  };
}

function manager(request: FastifyRequest): UserManager {
  const { actor, role } = request.auth;
  return { userId: actor.type === "user" ? actor.id : null, role };
}

/**
 * The people of an account. Everyone sees who is in it; owners and admins invite and remove
 * (admins never an owner); each person changes their own name, email and password.
 */
export const usersRoutes: FastifyPluginAsyncTypebox<{
  users: UserService;
  signInMail: SignInMail;
}> = async (app, { users, signInMail }) => {
  app.get(
    "/users",
    {
      schema: {
        tags,
        operationId: "listUsers",
        summary: "List the people of the account",
        description: "Everyone who signs in to the account's dashboard, oldest first.",
        response: { 200: ListOf(UserObject), ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => ({
      object: "list" as const,
      data: (await users.list(request.auth.scope.accountId)).map(serialize),
      hasMore: false,
      nextCursor: null,
    }),
  );

  app.post(
    "/users",
    {
      config: { role: "admin" },
      schema: {
        tags,
        operationId: "inviteUser",
        summary: "Invite a person to the account",
        description:
          "Emails them a link that signs them in once, within 7 days. Only an owner invites an owner.",
        body: Component(
          "InviteUserRequest",
          Type.Object(
            {
              email: Email,
              role: Type.Optional(Role),
              name: Type.Optional(Name),
              locale: Type.Optional(
                OneOf(LOCALES, "The invitation's language; default: the caller's browser's"),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          201: UserObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const by = manager(request);
      const { user, token } = await users.invite(
        request.auth.scope.accountId,
        {
          email: request.body.email,
          role: request.body.role ?? "member",
          name: request.body.name,
        },
        by,
      );
      const inviter = by.userId ? await users.find(by.userId) : undefined;
      const locale = request.body.locale ?? resolveLocale(null, request.headers["accept-language"]);
      // The person exists whether the email goes out now or not: a failure is logged, and a
      // new link can be asked for on the sign-in page.
      void signInMail
        .sendInvitation(user, token, inviter?.name ?? inviter?.email ?? "Your team", locale)
        .catch((error: unknown) => request.log.error({ err: error }, "invitation not sent"));
      return reply.code(201).send(serialize(user));
    },
  );

  app.get(
    "/users/:id",
    {
      schema: {
        tags,
        operationId: "getUser",
        summary: "Get a person of the account",
        description: "404 user_not_found for an id of no person of the caller's account.",
        params: IdParams,
        response: { 200: UserObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) => serialize(await users.get(request.auth.scope.accountId, request.params.id)),
  );

  app.patch(
    "/users/:id",
    {
      schema: {
        tags,
        operationId: "updateUser",
        summary: "Change a person: your own name, email or password; someone's role",
        description:
          "Your own name, email and password are yours to change. Owners change anyone's role, admins the roles of admins and members; the last owner stays an owner (409 last_owner).",
        params: IdParams,
        body: Component(
          "UpdateUserRequest",
          Type.Object(
            {
              name: Type.Optional(Nullable(Name)),
              email: Type.Optional(Email),
              password: Type.Optional(
                Type.String({
                  minLength: PASSWORD_MIN,
                  maxLength: PASSWORD_MAX,
                  description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
                }),
              ),
              role: Type.Optional(Role),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: UserObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409, 413, 415),
        },
      },
    },
    async (request) =>
      serialize(
        await users.update(
          request.auth.scope.accountId,
          request.params.id,
          request.body,
          manager(request),
        ),
      ),
  );

  app.delete(
    "/users/:id",
    {
      schema: {
        tags,
        operationId: "removeUser",
        summary: "Remove a person from the account",
        description:
          "Their sessions end at once, on every instance, and their links stop working. Anyone may leave; owners remove anyone, admins remove admins and members; the last owner stays (409 last_owner).",
        params: IdParams,
        response: {
          204: Type.Null({ description: "Removed" }),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      await users.removeFrom(request.auth.scope.accountId, request.params.id, manager(request));
      return reply.code(204).send(null);
    },
  );
};
