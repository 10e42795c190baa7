import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import type { RecipientRole } from "../domain/recipients.js";
import { sendPdf } from "../http/pdf-reply.js";
import { errorResponses, Nullable, PdfResponse } from "../http/schemas.js";
import type { ActionContext } from "../services/event-log.js";
import type { SealingService } from "../services/sealing.js";
import { SigningRateLimitedError, type SigningService } from "../services/signing.js";
import { type Locale, resolveLocale, translate } from "../signing/i18n.js";
import { FieldObject } from "./v1/envelopes.js";

const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
const tags = ["Signing"];
const SIGNING_ERRORS = [400, 404, 409, 410, 429] as const;

export function recipientContext(request: FastifyRequest, recipientId: string): ActionContext {
  return {
    actor: { type: "recipient", id: recipientId },
    ip: request.ip,
    userAgent: request.headers["user-agent"]?.slice(0, 500) ?? null,
  };
}

export function consentText(locale: Locale, role: RecipientRole): string {
  return translate(locale, role === "APPROVER" ? "consentApprove" : "consentSign");
}

const SigningViewObject = Type.Object({
  envelope: Type.Object({
    id: Type.String(),
    subject: Type.String(),
    message: Nullable(Type.String()),
    status: Type.String(),
    environment: Type.String(),
    accountName: Type.String(),
    documents: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        pages: Type.Integer(),
        pageSizes: Type.Array(Type.Object({ width: Type.Number(), height: Type.Number() })),
      }),
    ),
  }),
  recipient: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
    status: Type.String(),
    auth: Type.String(),
    locale: Nullable(Type.String()),
    verified: Type.Boolean(),
  }),
  fields: Type.Array(Type.Omit(FieldObject, ["autoPlaced"])),
  canAct: Type.Boolean(),
  reason: Nullable(
    Type.String({
      description:
        "Why the recipient cannot act: not_your_turn, already_acted, declined, no_action",
    }),
  ),
  waitingFor: Type.Array(Type.String(), { description: "Whom a sequential envelope waits for" }),
  otpRequired: Type.Boolean({ description: "A one-time code must be confirmed before signing" }),
  locale: Type.String(),
  consentText: Type.String({
    description: "The consent the recipient gives by signing, recorded verbatim",
  }),
});

const SignBody = Type.Object(
  {
    consent: Type.Boolean({ description: "Must be true" }),
    signature: Type.Optional(
      Type.Union([
        Type.Object(
          { type: Type.Literal("typed"), text: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            type: Type.Literal("drawn"),
            image: Type.String({ maxLength: 1_500_000, description: "data:image/png;base64,…" }),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    fields: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: "object",
        additionalProperties: { type: "string", maxLength: 500 },
        description: "Values by field id",
      }),
    ),
  },
  { additionalProperties: false },
);

export const signingRoutes: FastifyPluginAsyncTypebox<{
  signing: SigningService;
  sealing: SealingService;
}> = async (app, { signing, sealing }) => {
  const localeOf = (request: FastifyRequest, recipientLocale: string | null) =>
    resolveLocale(recipientLocale, request.headers["accept-language"]);
  // Every request through a link is counted, per link and per client address, before any work.
  app.addHook("onRequest", async (request) => {
    const { token } = request.params as { token?: string };
    if (token === undefined) return;
    const read = request.method === "GET" || request.method === "HEAD";
    await signing.throttle(token, request.ip, read ? "read" : "write");
  });
  app.addHook("onError", async (_request, reply, error) => {
    if (error instanceof SigningRateLimitedError)
      reply.header("Retry-After", error.retryAfterSeconds);
  });
  const contextFor = async (request: FastifyRequest<{ Params: { token: string } }>) => {
    const session = await signing.resolve(request.params.token);
    return { session, context: recipientContext(request, session.recipient.id) };
  };

  app.get(
    "/signing/:token",
    {
      schema: {
        tags,
        security: [],
        summary: "What the recipient sees: envelope, documents, their fields and what they can do",
        description:
          "Authenticated by the signing token alone. The first view marks the recipient VIEWED.",
        params: TokenParams,
        response: { 200: SigningViewObject, ...errorResponses(...SIGNING_ERRORS) },
      },
    },
    async (request) => {
      const { session, context } = await contextFor(request);
      const view = await signing.view(request.params.token, context);
      const locale = localeOf(request, session.recipient.locale);
      return { ...view, locale, consentText: consentText(locale, view.recipient.role) };
    },
  );

  app.get(
    "/signing/:token/documents/:documentId",
    {
      schema: {
        tags,
        security: [],
        summary: "A document of the envelope, to display",
        description:
          "410 document_content_missing if the stored file is missing from the server's storage (the sender should contact the platform's operator).",
        params: Type.Object({
          token: Type.String({ maxLength: 100 }),
          documentId: Type.String({ maxLength: 100 }),
        }),
        response: {
          200: PdfResponse("The PDF"),
          ...errorResponses(...SIGNING_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const document = await signing.openDocument(request.params.token, request.params.documentId);
      return sendPdf(reply, document.stream, {
        fileName: document.name,
        size: document.size,
        inline: true,
      });
    },
  );

  app.get(
    "/signing/:token/signed-document",
    {
      schema: {
        tags,
        security: [],
        summary: "The signed PDF, for any recipient (CC included) once the envelope is completed",
        description:
          "One PDF with every document, sealed. 409 envelope_not_completed until the envelope is COMPLETED and sealed. This is the link of the completed email when the PDF is too large to attach.",
        params: TokenParams,
        response: {
          200: PdfResponse("The signed PDF"),
          ...errorResponses(...SIGNING_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { envelope, scope } = await signing.resolve(request.params.token);
      const signed = await sealing.signedDocument(scope, envelope.id, undefined);
      return sendPdf(reply, signed.stream, { fileName: signed.fileName, size: signed.size });
    },
  );

  app.post(
    "/signing/:token/otp",
    {
      schema: {
        tags,
        security: [],
        summary: "Send a one-time code to the recipient (email or SMS)",
        description:
          "Rate limited: 3 codes at once, then 2 a minute. A new code replaces the previous one.",
        params: TokenParams,
        response: {
          202: Type.Object({
            sent: Type.Literal(true),
            destination: Type.String(),
            expiresAt: Type.String(),
          }),
          ...errorResponses(...SIGNING_ERRORS, 503),
        },
      },
    },
    async (request, reply) => {
      const { session, context } = await contextFor(request);
      const sent = await signing.sendOtp(
        request.params.token,
        context,
        localeOf(request, session.recipient.locale),
      );
      return reply.code(202).send({ sent: true as const, ...sent });
    },
  );

  app.post(
    "/signing/:token/otp/verify",
    {
      schema: {
        tags,
        security: [],
        summary: "Confirm the one-time code",
        description:
          "401 otp_invalid for a wrong code (five wrong codes lock it: otp_locked), otp_expired after 10 minutes. In the test environment 123456 is always accepted.",
        params: TokenParams,
        body: Type.Object(
          { code: Type.String({ maxLength: 10 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ verified: Type.Literal(true) }),
          ...errorResponses(...SIGNING_ERRORS, 401),
        },
      },
    },
    async (request) => {
      const { context } = await contextFor(request);
      return signing.verifyOtp(request.params.token, request.body.code, context);
    },
  );

  app.post(
    "/signing/:token/sign",
    {
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags,
        security: [],
        summary: "Sign (a SIGNER) or approve (an APPROVER)",
        description:
          'A signer sends {"consent": true, "signature": {"type": "typed", "text"} | {"type": "drawn", "image": "data:image/png;base64,…"}, "fields": {"fld_…": "value"}}; an approver sends {"consent": true}. Out of turn, twice or after the end: 409/410; without a required code: 403 otp_required. A drawn image is checked before it is decoded: over a limit (size, pixels per side, decoded size), 400 signature_image_too_large. Every request through a link is rate limited per link and per client address (429 with Retry-After).',
        params: TokenParams,
        body: SignBody,
        response: {
          200: Type.Object({ status: Type.String(), envelopeStatus: Type.String() }),
          ...errorResponses(...SIGNING_ERRORS, 403),
        },
      },
    },
    async (request) => {
      const { session, context } = await contextFor(request);
      const locale = localeOf(request, session.recipient.locale);
      return signing.sign(request.params.token, request.body, context, (role) =>
        consentText(locale, role),
      );
    },
  );

  app.post(
    "/signing/:token/decline",
    {
      schema: {
        tags,
        security: [],
        summary: "Decline, with a reason: the envelope becomes DECLINED",
        params: TokenParams,
        body: Type.Object(
          { reason: Type.String({ maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal("DECLINED") }),
          ...errorResponses(...SIGNING_ERRORS),
        },
      },
    },
    async (request) => {
      const { context } = await contextFor(request);
      return signing.decline(request.params.token, request.body.reason, context);
    },
  );
};
