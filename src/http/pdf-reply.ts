import type { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { safeFileName } from "../domain/user-text.js";

/**
 * `attachment` (or `inline`) with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). Names
 * come from users: control, invisible and reordering characters, and those file systems refuse,
 * never reach the header.
 */
export function contentDisposition(
  fileName: string,
  disposition: "attachment" | "inline" = "attachment",
): string {
  const name = safeFileName(fileName, "document.pdf");
  const ascii = name.replace(/[^\x20-\x7e]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
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
