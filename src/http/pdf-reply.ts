import type { Readable } from "node:stream";
import type { FastifyReply } from "fastify";

/** `attachment` (or `inline`) with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(
  fileName: string,
  disposition: "attachment" | "inline" = "attachment",
): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Sends a PDF, streamed when it is a stream, with its length and file name. */
export function sendPdf(
  reply: FastifyReply,
  body: Readable | Uint8Array,
  options: { fileName: string; size?: number; inline?: boolean; etag?: string },
): FastifyReply {
  const size = options.size ?? (body instanceof Uint8Array ? body.byteLength : undefined);
  reply
    .type("application/pdf")
    .header(
      "Content-Disposition",
      contentDisposition(options.fileName, options.inline ? "inline" : "attachment"),
    );
  if (size !== undefined) reply.header("Content-Length", size);
  if (options.etag) reply.header("ETag", `"${options.etag}"`);
  return reply.send(
    body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body,
  );
}
