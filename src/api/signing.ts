import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import { RateLimitedError } from "../domain/errors.js";
import type { RecipientRole } from "../domain/recipients.js";
import { sendPdf } from "../http/pdf-reply.js";
import {
  Component,
  Environment,
  errorResponses,
  Nullable,
  ObjectId,
  OneOf,
  PdfResponse,
  Timestamp,
} from "../http/schemas.js";
import type { AuditTrailService } from "../services/audit-trail.js";
import type { ActionContext } from "../services/event-log.js";
import type { SealingService } from "../services/sealing/index.js";
import type { SigningService } from "../services/signing/index.js";
import { type Locale, resolveLocale, translate } from "../signing/i18n.js";
import { PageSize } from "./v1/documents.js";
import {
  EnvelopeStatus,
  FieldObject,
  RecipientAuth,
  RecipientRole as RecipientRoleSchema,
  RecipientStatus,
} from "./v1/envelopes.js";

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

const SigningViewObject = Component(
  "SigningSession",
  Type.Object(
    {
      envelope: Type.Object({
        id: ObjectId("env"),
        subject: Type.String(),
        message: Nullable(Type.String()),
        status: EnvelopeStatus,
        environment: Environment,
        accountName: Type.String({ description: "Who sent it" }),
        documents: Type.Array(
          Type.Object({
            id: ObjectId("doc"),
            name: Type.String(),
            pages: Type.Integer(),
            pageSizes: Type.Array(PageSize),
          }),
        ),
      }),
      recipient: Type.Object({
        id: ObjectId("rcp"),
        name: Type.String(),
        email: Type.String(),
        role: RecipientRoleSchema,
        status: RecipientStatus,
        auth: RecipientAuth,
        locale: Nullable(Type.String()),
        verified: Type.Boolean({ description: "Whether the one-time code has been confirmed" }),
      }),
      fields: Type.Array(
        Component(
          "SigningField",
          Type.Omit(FieldObject, ["autoPlaced"], {
            description: "A field of this recipient, with its value so far",
          }),
        ),
      ),
      canAct: Type.Boolean({
        description: "Whether the recipient can sign, approve or decline now",
      }),
      reason: Nullable(
        OneOf(
          ["not_your_turn", "already_acted", "declined", "no_action"] as const,
          "Why the recipient cannot act: not_your_turn (a sequential envelope waits for others), already_acted, declined, no_action (a CC)",
        ),
      ),
      waitingFor: Type.Array(Type.String(), {
        description: "Whom a sequential envelope waits for",
      }),
      otpRequired: Type.Boolean({
        description: "A one-time code must be confirmed before signing",
      }),
      redirectUrl: Nullable(
        Type.String({
          description:
            "Where to send the recipient after they sign or decline, with ?event=signed|declined&envelopeId=…&recipientId=… added to its query: the recipient's own redirectUrl, else the envelope's; null: none",
        }),
      ),
      locale: Type.String(),
      consentText: Type.String({
        description: "The consent the recipient gives by signing, recorded verbatim",
      }),
    },
    { description: "What a recipient sees through their signing link" },
  ),
);

const SignBody = Component(
  "SignRequest",
  Type.Object(
    {
      consent: Type.Boolean({ description: "Must be true" }),
      signature: Type.Optional(
        Type.Union([
          Component(
            "TypedSignature",
            Type.Object(
              {
                type: Type.Literal("typed"),
                text: Type.String({
                  minLength: 1,
                  maxLength: 100,
                  description: "The name as signed",
                }),
              },
              { additionalProperties: false, description: "A signature typed as text" },
            ),
          ),
          Component(
            "DrawnSignature",
            Type.Object(
              {
                type: Type.Literal("drawn"),
                image: Type.String({
                  maxLength: 1_500_000,
                  description: "data:image/png;base64,…",
                }),
              },
              { additionalProperties: false, description: "A signature drawn, as a PNG image" },
            ),
          ),
          Component(
            "UploadedSignature",
            Type.Object(
              {
                type: Type.Literal("uploaded"),
                image: Type.String({
                  maxLength: 1_500_000,
                  description: "data:image/png;base64,… (converted to PNG before it is sent)",
                }),
              },
              {
                additionalProperties: false,
                description:
                  "An image of their signature the recipient uploaded, as a PNG image; checked, stored and stamped as a drawn one",
              },
            ),
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
    {
      additionalProperties: false,
      description: "A signer sends consent, a signature and field values; an approver only consent",
    },
  ),
);

export const signingRoutes: FastifyPluginAsyncTypebox<{
  signing: SigningService;
  sealing: SealingService;
  auditTrails: AuditTrailService;
}> = async (app, { signing, sealing, auditTrails }) => {
  const localeOf = (request: FastifyRequest, recipientLocale: string | null) =>
    resolveLocale(recipientLocale, request.headers["accept-language"]);
  // Every request through a link is counted, per link and per client address, before any work.
  app.addHook("onRequest", async (request) => {
    const { token } = request.params as { token?: string };
    if (token === undefined) return;
    const read = request.method === "GET" || request.method === "HEAD";
    // A viewer reads a large document by ranges, dozens of requests for one page view: those
    // count against the client address's reads only, not the link's.
    const ranged =
      read &&
      request.headers.range !== undefined &&
      request.routeOptions.url?.endsWith("/documents/:documentId") === true;
    await signing.throttle(token, request.ip, ranged ? "range" : read ? "read" : "write");
  });
  app.addHook("onError", async (_request, reply, error) => {
    if (error instanceof RateLimitedError) reply.header("Retry-After", error.retryAfterSeconds);
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
        operationId: "getSigningSession",
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
        operationId: "getSigningDocument",
        summary: "A document of the envelope, to display",
        description:
          "410 document_content_missing if the stored file is missing from the server's storage (the sender should contact the platform's operator). Accepts one byte range (Range: bytes=start-end, start-, or -length): 206 with those bytes only, which lets a viewer read only the pages it shows of a large PDF.",
        params: Type.Object({
          token: Type.String({ maxLength: 100 }),
          documentId: Type.String({ maxLength: 100 }),
        }),
        response: {
          200: PdfResponse("The PDF"),
          206: PdfResponse("The bytes of the Range asked for (Content-Range says which)"),
          ...errorResponses(...SIGNING_ERRORS, 416),
        },
      },
    },
    async (request, reply) => {
      const document = await signing.openDocument(
        request.params.token,
        request.params.documentId,
        request.headers.range,
      );
      return sendPdf(reply, document.stream, {
        fileName: document.name,
        size: document.size,
        inline: true,
        range: document.range,
      });
    },
  );

  app.get(
    "/signing/:token/signed-document",
    {
      schema: {
        tags,
        security: [],
        operationId: "getSigningSignedDocument",
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

  app.get(
    "/signing/:token/audit-trail",
    {
      schema: {
        tags,
        security: [],
        operationId: "getSigningAuditTrail",
        summary: "The audit trail, for any recipient once the envelope is completed",
        description:
          "The final audit trail PDF (every event, recipient and hash; sealed), as the sender gets it. 409 envelope_not_completed until the envelope is COMPLETED and sealed. Rendered on each call: limited like the signer's actions (10 a minute per link).",
        params: TokenParams,
        response: {
          200: PdfResponse("The audit trail"),
          ...errorResponses(...SIGNING_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      await signing.throttle(token, request.ip, "write");
      const { envelope, scope } = await signing.resolve(token);
      // Final only: the sealed documents exist (or say why not), then the trail that lists them.
      await sealing.ensureSealed(scope, envelope.id);
      const pdf = await auditTrails.render(scope, envelope.id);
      return sendPdf(reply, pdf, { fileName: `audit-trail-${envelope.id}.pdf` });
    },
  );

  app.post(
    "/signing/:token/otp",
    {
      schema: {
        tags,
        security: [],
        operationId: "sendSigningCode",
        summary: "Send a one-time code to the recipient (email or SMS)",
        description:
          "Rate limited: 3 codes at once, then 2 a minute. A new code replaces the previous one.",
        params: TokenParams,
        response: {
          202: Component(
            "SigningCodeSent",
            Type.Object(
              {
                sent: Type.Literal(true),
                destination: Type.String({
                  description: "Where the code went, partly hidden: j•••@example.com",
                }),
                expiresAt: Timestamp,
              },
              { description: "A one-time code is on its way" },
            ),
          ),
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
        operationId: "verifySigningCode",
        summary: "Confirm the one-time code",
        description:
          "401 otp_invalid for a wrong code (five wrong codes lock it: otp_locked), otp_expired after 10 minutes. In the test environment 123456 is always accepted.",
        params: TokenParams,
        body: Type.Object(
          { code: Type.String({ maxLength: 10, description: "The code received" }) },
          { additionalProperties: false },
        ),
        response: {
          200: Component(
            "SigningCodeVerified",
            Type.Object(
              { verified: Type.Literal(true) },
              { description: "The code is right: the recipient can sign" },
            ),
          ),
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
        operationId: "signAsRecipient",
        summary: "Sign (a SIGNER) or approve (an APPROVER)",
        description:
          'A signer sends {"consent": true, "signature": {"type": "typed", "text"} | {"type": "drawn" | "uploaded", "image": "data:image/png;base64,…"}, "fields": {"fld_…": "value"}}; an approver sends {"consent": true}. Out of turn, twice or after the end: 409/410; without a required code: 403 otp_required. A drawn or uploaded image (a PNG) is checked before it is decoded: over a limit (size, pixels per side, decoded size), 400 signature_image_too_large. Every request through a link is rate limited per link and per client address (429 with Retry-After).',
        params: TokenParams,
        body: SignBody,
        response: {
          200: Component(
            "SignResult",
            Type.Object(
              { status: RecipientStatus, envelopeStatus: EnvelopeStatus },
              { description: "The recipient's status now, and the envelope's" },
            ),
          ),
          ...errorResponses(...SIGNING_ERRORS, 403, 422),
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
        operationId: "declineAsRecipient",
        summary: "Decline, with a reason: the envelope becomes DECLINED",
        description:
          "The recipient refuses to sign or approve: the envelope becomes DECLINED at once, the other recipients' links stop working, and the sender's addresses and the recipients who knew of the envelope are told, with the reason. Out of turn, twice or after the end: 409/410.",
        params: TokenParams,
        body: Type.Object(
          {
            reason: Type.String({
              maxLength: 1000,
              description: "Why; shown to the sender and in the audit trail",
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Component(
            "Declined",
            Type.Object(
              { status: Type.Literal("DECLINED") },
              { description: "Declined: the envelope is DECLINED" },
            ),
          ),
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
