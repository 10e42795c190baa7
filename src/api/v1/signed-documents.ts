import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { sendPdf } from "../../http/pdf-reply.js";
import { AUTHENTICATED_ERRORS, errorResponses, IdParams, PdfResponse } from "../../http/schemas.js";
import type { AuditTrailService } from "../../services/audit-trail.js";
import type { SealingService } from "../../services/sealing/index.js";

export const signedDocumentRoutes: FastifyPluginAsyncTypebox<{
  sealing: SealingService;
  auditTrails: AuditTrailService;
}> = async (app, { sealing, auditTrails }) => {
  app.get(
    "/envelopes/:id/audit-trail",
    {
      schema: {
        tags: ["Envelopes"],
        operationId: "getEnvelopeAuditTrail",
        summary: "Download the audit trail (PDF)",
        description:
          "For any sent envelope: its identity, the SHA-256 of each original and signed document, the recipients and how they authenticated, every event with its UTC time, actor, IP address, user agent, consent text and chain hash. Sealed with the platform certificate. Final once the envelope has ended (and, when completed, been sealed); marked provisional before. 409 envelope_not_sent for a draft.",
        params: IdParams,
        response: {
          200: PdfResponse("The audit trail"),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const pdf = await auditTrails.render(request.auth.scope, request.params.id);
      return sendPdf(reply, pdf, { fileName: `audit-trail-${request.params.id}.pdf` });
    },
  );

  app.get(
    "/envelopes/:id/signed-document",
    {
      schema: {
        tags: ["Envelopes"],
        operationId: "getEnvelopeSignedDocument",
        summary: "Download the signed PDF",
        description:
          "Once the envelope is COMPLETED and sealed: one PDF with every document, or the one named by documentId. Each carries the recipients' visible signatures and a PAdES signature (ETSI.CAdES.detached, SHA-256) over the whole file. 409 envelope_not_completed before; 410 document_content_missing if the stored file is missing from the server's storage.",
        params: IdParams,
        querystring: Type.Object(
          { documentId: Type.Optional(Type.String({ description: "Only this document" })) },
          { additionalProperties: false },
        ),
        response: {
          200: PdfResponse("The signed PDF"),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409, 410),
        },
      },
    },
    async (request, reply) => {
      const signed = await sealing.signedDocument(
        request.auth.scope,
        request.params.id,
        request.query.documentId,
      );
      return sendPdf(reply, signed.stream, { fileName: signed.fileName, size: signed.size });
    },
  );
};
