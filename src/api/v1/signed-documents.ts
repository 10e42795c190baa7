import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AUTHENTICATED_ERRORS, errorResponses, IdParams } from "../../http/schemas.js";
import type { SealingService } from "../../services/sealing.js";
import { contentDisposition } from "./documents.js";

export const signedDocumentRoutes: FastifyPluginAsyncTypebox<{ sealing: SealingService }> = async (
  app,
  { sealing },
) => {
  app.get(
    "/envelopes/:id/signed-document",
    {
      schema: {
        tags: ["Envelopes"],
        summary: "Download the signed PDF",
        description:
          "Once the envelope is COMPLETED and sealed: one PDF with every document, or the one named by documentId. Each carries the recipients' visible signatures and a PAdES signature (ETSI.CAdES.detached, SHA-256) over the whole file. 409 envelope_not_completed before.",
        params: IdParams,
        querystring: Type.Object(
          { documentId: Type.Optional(Type.String({ description: "Only this document" })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<unknown>({
            description: "The signed PDF",
            content: { "application/pdf": { schema: { type: "string", format: "binary" } } },
          }),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const signed = await sealing.signedDocument(
        request.auth.scope,
        request.params.id,
        request.query.documentId,
      );
      return reply
        .type("application/pdf")
        .header("Content-Length", signed.size)
        .header("Content-Disposition", contentDisposition(signed.fileName))
        .send(signed.stream);
    },
  );
};
