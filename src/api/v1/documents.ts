import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import { CertyneoError } from "../../domain/errors.js";
import { badPart, partsOf, readFilePart } from "../../http/multipart.js";
import { sendPdf } from "../../http/pdf-reply.js";
import {
  AUTHENTICATED_ERRORS,
  Component,
  Environment,
  errorResponses,
  IdParams,
  ListOf,
  listBody,
  ObjectId,
  PageQuery,
  PdfResponse,
  Timestamp,
} from "../../http/schemas.js";
import type { Document, DocumentService, PreparedUpload } from "../../services/documents.js";

export const PageSize = Component(
  "PageSize",
  Type.Object(
    { width: Type.Number(), height: Type.Number() },
    { description: "A page's displayed size in PDF points (1/72 inch)" },
  ),
);

export const DocumentObject = Component(
  "Document",
  Type.Object(
    {
      id: ObjectId("doc"),
      object: Type.Literal("document"),
      name: Type.String(),
      contentType: Type.Literal("application/pdf"),
      size: Type.Integer({ description: "Bytes" }),
      pages: Type.Integer(),
      pageSizes: Type.Array(PageSize, {
        description:
          "Each page's displayed size in PDF points (rotation applied): where fields may go",
      }),
      sha256: Type.String({ description: "SHA-256 of the original bytes, hex" }),
      environment: Environment,
      createdAt: Timestamp,
    },
    { description: "An uploaded PDF" },
  ),
);

export function serializeDocument(document: Document) {
  return { object: "document" as const, ...document };
}

const DocumentName = Type.String({
  minLength: 1,
  maxLength: 255,
  description: "Defaults to the file name",
});

const Base64Upload = Component(
  "Base64DocumentUpload",
  Type.Object(
    {
      name: Type.Optional(DocumentName),
      content: Type.String({
        minLength: 1,
        description: "The PDF, base64-encoded (a data: URL prefix is accepted)",
      }),
    },
    { additionalProperties: false, description: "A PDF sent in JSON, base64-encoded" },
  ),
);

const MultipartUpload = Component(
  "MultipartDocumentUpload",
  Type.Object(
    {
      file: Type.String({ format: "binary", description: "The PDF" }),
      name: Type.Optional(DocumentName),
    },
    { description: "A PDF sent as a file: the multipart/form-data of an HTML form or curl -F" },
  ),
);

/** Control characters and path separators have no place in a display name. */
function cleanName(raw: string | undefined): string | undefined {
  const name = raw
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/\p{Cc}/gu, "")
    .trim();
  return name ? name.slice(0, 255) : undefined;
}

function decodeBase64(content: string): Buffer {
  const payload = content.replace(/^data:[^,]*;base64,/, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
    throw new CertyneoError(
      "invalid_request",
      "parameter_invalid",
      'Invalid "content": not base64.',
      "content",
    );
  }
  return Buffer.from(payload, "base64");
}

/** Reads the parts in any order: the file is staged to disk as it streams, then kept. */
async function uploadMultipart(
  request: FastifyRequest,
  documents: DocumentService,
): Promise<Document> {
  let prepared: PreparedUpload | undefined;
  let name: string | undefined;
  let fileName: string | undefined;
  try {
    for await (const part of partsOf(request)) {
      if (part.type === "file") {
        if (part.fieldname !== "file") {
          part.file.resume();
          throw badPart(
            "parameter_unknown",
            `Unknown file part "${part.fieldname}": send the PDF as "file".`,
            part.fieldname,
          );
        }
        if (prepared) {
          part.file.resume();
          throw badPart("too_many_files", 'Send one file per request, in the "file" part.', "file");
        }
        fileName = part.filename;
        prepared = await readFilePart(part, (file) => documents.prepare(file));
      } else if (part.fieldname === "name") {
        if (typeof part.value !== "string") {
          throw badPart("parameter_invalid", 'Invalid "name": must be string.', "name");
        }
        name = part.value;
      } else {
        throw badPart(
          "parameter_unknown",
          `Unknown parameter "${part.fieldname}".`,
          part.fieldname,
        );
      }
    }
    if (!prepared) throw badPart("parameter_missing", 'Missing required parameter "file".', "file");
    return await documents.store(
      request.auth.scope,
      prepared,
      cleanName(name) ?? cleanName(fileName),
    );
  } catch (error) {
    if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw documents.tooLarge();
    throw error;
  } finally {
    await prepared?.discard();
  }
}

export const documentsRoutes: FastifyPluginAsyncTypebox<{ documents: DocumentService }> = async (
  app,
  { documents },
) => {
  await app.register(multipart, {
    // One byte more than allowed, so that our own check reports the overflow precisely.
    limits: { fileSize: documents.maxBytes + 1, files: 1, fields: 10, parts: 20, fieldSize: 4096 },
  });
  const base64Limit = Math.ceil((documents.maxBytes * 4) / 3) + 64 * 1024;

  app.post(
    "/documents",
    {
      bodyLimit: base64Limit,
      schema: {
        tags: ["Documents"],
        operationId: "uploadDocument",
        summary: "Upload a PDF",
        description:
          "multipart/form-data with a `file` part (and an optional `name`), or JSON with the PDF in base64. The PDF must be readable and not encrypted; the size limit is 25 MB by default.",
        body: {
          content: {
            "multipart/form-data": { schema: MultipartUpload },
            "application/json": { schema: Base64Upload },
          },
        },
        response: {
          201: DocumentObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      let document: Document;
      if (request.isMultipart()) {
        document = await uploadMultipart(request, documents);
      } else {
        const body = request.body as { name?: string; content?: unknown };
        // Without a Content-Type the body is empty and no schema applied: say what is missing.
        if (typeof body.content !== "string") {
          throw badPart("parameter_missing", 'Missing required parameter "content".', "content");
        }
        const bytes = decodeBase64(body.content);
        if (bytes.length > documents.maxBytes) throw documents.tooLarge();
        document = await documents.upload(request.auth.scope, {
          name: cleanName(body.name),
          content: bytes,
        });
      }
      return reply.code(201).send(serializeDocument(document));
    },
  );

  app.get(
    "/documents",
    {
      schema: {
        tags: ["Documents"],
        operationId: "listDocuments",
        summary: "List documents",
        description:
          "The documents uploaded in the key's environment, newest first, a page at a time (limit, after).",
        querystring: PageQuery,
        response: { 200: ListOf(DocumentObject), ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => {
      const page = await documents.list(request.auth.scope, request.query);
      return listBody(page, serializeDocument);
    },
  );

  app.get(
    "/documents/:id",
    {
      schema: {
        tags: ["Documents"],
        operationId: "getDocument",
        summary: "Fetch a document's metadata",
        description:
          "Its name, size, pages and each page's size (where fields may go), and the SHA-256 of its bytes.",
        params: IdParams,
        response: { 200: DocumentObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
    },
    async (request) =>
      serializeDocument(await documents.get(request.auth.scope, request.params.id)),
  );

  app.get(
    "/documents/:id/content",
    {
      schema: {
        tags: ["Documents"],
        operationId: "downloadDocumentContent",
        summary: "Download the original PDF",
        description:
          "410 document_content_missing if the stored file is missing from the server's storage (an operator's matter: contact them). Accepts one byte range (Range: bytes=start-end, start-, or -length): 206 with those bytes only.",
        params: IdParams,
        response: {
          200: PdfResponse("The original bytes"),
          206: PdfResponse("The bytes of the Range asked for (Content-Range says which)"),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 410, 416),
        },
      },
    },
    async (request, reply) => {
      const { document, stream, range } = await documents.openContent(
        request.auth.scope,
        request.params.id,
        request.headers.range,
      );
      return sendPdf(reply, stream, {
        fileName: document.name,
        size: document.size,
        etag: document.sha256,
        range,
      });
    },
  );

  app.delete(
    "/documents/:id",
    {
      schema: {
        tags: ["Documents"],
        operationId: "deleteDocument",
        summary: "Delete a document",
        description:
          "Also removes it from draft envelopes; refused (409 document_in_use) while a sent envelope uses it.",
        params: IdParams,
        response: {
          200: Component(
            "DeletedDocument",
            Type.Object(
              {
                id: ObjectId("doc"),
                object: Type.Literal("document"),
                deleted: Type.Literal(true),
              },
              { description: "The document, deleted" },
            ),
          ),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request) => {
      await documents.delete(request.auth.scope, request.params.id);
      return { id: request.params.id, object: "document" as const, deleted: true as const };
    },
  );
};
