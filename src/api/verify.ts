import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import { CertyneoError, RateLimitedError } from "../domain/errors.js";
import { clientError, statusOf } from "../http/errors.js";
import { badPart, partsOf, readFilePart } from "../http/multipart.js";
import { Component, errorResponses, Nullable, OneOf, Timestamp } from "../http/schemas.js";
import { pageHeaders } from "../http/security-headers.js";
import type { VerificationReport } from "../pdf/verify-pdf.js";
import type { VerificationService } from "../services/verification.js";
import { isLocale, type Locale, resolveLocale } from "../signing/i18n.js";
import { errorMessage } from "../verify/i18n.js";
import { VERIFY_PATH, verifyPage } from "../verify/page.js";

const Certificate = Type.Object({
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String({ description: "Hexadecimal" }),
  notBefore: Timestamp,
  notAfter: Timestamp,
  sha256: Type.String({ description: "The SHA-256 of the certificate's DER, hexadecimal" }),
  revocation: OneOf(
    ["good", "revoked", "missing", "not_applicable"],
    "From the revocation data the file carries (its DSS): nothing is fetched. not_applicable: a root.",
  ),
});

const Timestamped = Type.Object({
  time: Timestamp,
  authority: Nullable(Type.String()),
  authorityCertificate: Nullable(Type.String({ description: "SHA-256 of its certificate" })),
  intact: Type.Boolean(),
  trusted: Type.Boolean({ description: "Its certificate chains to this platform's root" }),
  byPlatform: Type.Boolean(),
  validUntil: Nullable(Timestamp),
});

const Signature = Type.Object({
  field: Type.String(),
  kind: OneOf(["signature", "document_timestamp"]),
  subFilter: Nullable(Type.String()),
  coveredBytes: Type.Integer(),
  coversWholeFile: Type.Boolean(),
  intact: Type.Boolean({
    description: "The bytes it covers are those it signed, and its signature verifies",
  }),
  claimedTime: Nullable(Timestamp),
  reason: Nullable(Type.String()),
  location: Nullable(Type.String()),
  certification: Nullable(
    OneOf(["no_changes", "form_filling", "form_filling_and_annotations"], "DocMDP permissions"),
  ),
  signer: Nullable(
    Type.Object({
      name: Nullable(Type.String()),
      organization: Nullable(Type.String()),
      trusted: Type.Boolean(),
      byPlatform: Type.Boolean(),
    }),
  ),
  timestamp: Nullable(Timestamped),
  longTermValidation: Type.Boolean({
    description:
      "Revocation data in the file for every certificate of the signer and its timestamp",
  }),
  certificates: Type.Array(Certificate),
  problems: Type.Array(
    OneOf([
      "byte_range_invalid",
      "cms_malformed",
      "digest_mismatch",
      "signature_invalid",
      "signer_certificate_missing",
      "signing_time_attribute",
      "signing_certificate_mismatch",
      "untrusted",
      "certificate_not_valid_at_signing_time",
      "revoked",
      "revocation_data_missing",
      "timestamp_invalid",
      "no_timestamp",
    ]),
  ),
});

const Verification = Component(
  "Verification",
  Type.Object({
    object: Type.Literal("verification"),
    result: OneOf(
      ["sealed_unchanged", "sealed_changed", "altered", "signed_elsewhere", "unsigned"],
      "sealed_unchanged: sealed by this platform, and nothing but validation data and timestamps added since. sealed_changed: sealed here, changed since. altered: a signature no longer matches the bytes it covers. signed_elsewhere: intact signatures, none of this platform. unsigned: no signature.",
    ),
    file: Type.Object({ sha256: Type.String(), size: Type.Integer() }),
    sealedByPlatform: Type.Boolean(),
    unchangedSinceSealing: Nullable(Type.Boolean()),
    sealedAt: Nullable(Timestamp),
    level: Nullable(OneOf(["B-B", "B-T", "B-LT", "B-LTA"], "PAdES baseline level of the seal")),
    archiveTimestamp: Nullable(Type.Object({ time: Timestamp, validUntil: Nullable(Timestamp) })),
    envelope: Nullable(
      Type.Object(
        {
          envelopeId: Type.String(),
          environment: OneOf(["test", "live"]),
          contents: OneOf(["documents", "audit_trail"]),
          signers: Type.Array(
            Type.Object({ name: Type.String(), role: Type.String(), signedAt: Timestamp }),
          ),
        },
        { description: "What the sealed file says of itself, covered by the seal" },
      ),
    ),
    eventChain: Nullable(
      Type.Object(
        { events: Type.Integer(), intact: Type.Boolean(), head: Nullable(Type.String()) },
        { description: "An audit trail's attached events, their hash chain recomputed" },
      ),
    ),
    signatures: Type.Array(Signature),
    uncoveredBytes: Type.Integer(),
    truncated: Type.Boolean(),
  }),
);

const VerifyUpload = Component(
  "VerifyUpload",
  Type.Object(
    { file: Type.String({ format: "binary", description: "The PDF" }) },
    { description: "The PDF to verify, as the multipart/form-data of an HTML form or curl -F" },
  ),
);

/** Reads the one `file` part and verifies it: nothing else may be sent. */
async function verifyMultipart(
  request: FastifyRequest,
  verification: VerificationService,
): Promise<{ report: VerificationReport; fileName: string | undefined }> {
  let result: { report: VerificationReport; fileName: string | undefined } | undefined;
  try {
    for await (const part of partsOf(request)) {
      if (part.type !== "file" || part.fieldname !== "file") {
        if (part.type === "file") part.file.resume();
        throw badPart(
          "parameter_unknown",
          `Unknown parameter "${part.fieldname}": send the PDF as "file", and nothing else.`,
          part.fieldname,
        );
      }
      if (result) {
        part.file.resume();
        throw badPart("too_many_files", 'Send one file per request, in the "file" part.', "file");
      }
      const fileName = part.filename || undefined;
      result = { report: await readFilePart(part, (file) => verification.verify(file)), fileName };
    }
  } catch (error) {
    if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
      throw verification.tooLarge();
    throw error;
  }
  if (!result) throw badPart("parameter_missing", 'Missing required parameter "file".', "file");
  return result;
}

function retryAfter(reply: FastifyReply, error: unknown): void {
  if (error instanceof RateLimitedError) reply.header("Retry-After", error.retryAfterSeconds);
  else if (error instanceof CertyneoError && error.code === "verification_busy")
    reply.header("Retry-After", 5);
}

/**
 * `POST /api/v1/verify` for programs and `/verify` for people: what a PDF proves, to anyone,
 * without an API key.
 */
export const verifyRoutes: FastifyPluginAsyncTypebox<{
  verification: VerificationService;
}> = async (app, { verification }) => {
  await app.register(multipart, {
    // One byte more than allowed, so that our own check reports the overflow precisely.
    limits: { fileSize: verification.maxBytes + 1, files: 1, fields: 0, parts: 2 },
  });

  app.post(
    "/api/v1/verify",
    {
      schema: {
        tags: ["Verification"],
        operationId: "verifyPdf",
        summary: "Verify a signed PDF",
        description:
          "No API key. multipart/form-data with a `file` part: any PDF, sealed here or not. Every signature and document timestamp is checked against the bytes it covers, its certificates chained and their revocation looked up in the file's own DSS (nothing is fetched), and the answer says whether this platform sealed it and nothing changed since, for which envelope, by whom, and the PAdES level. The file is not kept. Limited per client address (429) and in how many run at once (503 verification_busy, with Retry-After).",
        security: [],
        body: { content: { "multipart/form-data": { schema: VerifyUpload } } },
        response: {
          200: Verification,
          ...errorResponses(400, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      try {
        await verification.throttle(request.ip);
        if (!request.isMultipart())
          throw new CertyneoError(
            "unsupported_media_type",
            "multipart_required",
            'Send the PDF as multipart/form-data, in a "file" part (curl -F file=@document.pdf).',
          );
        return (await verifyMultipart(request, verification)).report;
      } catch (error) {
        retryAfter(reply, error);
        throw error;
      }
    },
  );

  const localeOf = (request: FastifyRequest<{ Querystring: { lang?: string } }>): Locale => {
    const asked = request.query.lang;
    return asked && isLocale(asked)
      ? asked
      : resolveLocale(null, request.headers["accept-language"]);
  };
  const html = (reply: FastifyReply) =>
    reply.headers(pageHeaders([], "'self'")).type("text/html; charset=utf-8");
  const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });

  app.get(VERIFY_PATH, { schema: { hide: true, querystring: Query } }, async (request, reply) =>
    html(reply).send(verifyPage({ locale: localeOf(request) })),
  );

  app.post(VERIFY_PATH, { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const locale = localeOf(request);
    html(reply);
    try {
      await verification.throttle(request.ip);
      if (!request.isMultipart()) throw badPart("parameter_missing", "No file.", "file");
      const { report, fileName } = await verifyMultipart(request, verification);
      return reply.send(verifyPage({ locale, report, fileName }));
    } catch (thrown) {
      const error = clientError(thrown);
      if (!error) throw thrown;
      retryAfter(reply, error);
      return reply
        .code(statusOf(error))
        .send(verifyPage({ locale, error: errorMessage(locale, error.code) ?? error.message }));
    }
  });
};
