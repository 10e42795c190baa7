import type { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import type { RequestedRange } from "../domain/byte-range.js";
import { CertyneoError } from "../domain/errors.js";
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

/**
 * Sends a PDF, streamed when it is a stream, with its length and file name. With `range` (the
 * body then holds only those bytes of the `size`), a 206 partial answer, or a 416 when the range
 * asked for is past the end; a reply that can serve ranges says so (`Accept-Ranges`).
 */
export function sendPdf(
  reply: FastifyReply,
  body: Readable | Uint8Array,
  options: {
    fileName: string;
    size?: number;
    inline?: boolean;
    etag?: string;
    range?: RequestedRange;
  },
): FastifyReply {
  const size = options.size ?? (body instanceof Uint8Array ? body.byteLength : undefined);
  if (options.etag) reply.header("ETag", `"${options.etag}"`);
  if (options.range !== undefined && size !== undefined) {
    reply.header("Accept-Ranges", "bytes");
    if (options.range === "unsatisfiable") {
      reply.header("Content-Range", `bytes */${size}`);
      throw new CertyneoError(
        "range_not_satisfiable",
        "range_not_satisfiable",
        `The Range asked for starts past the end of the file (${size} bytes).`,
      );
    }
    if (options.range) {
      const { start, end } = options.range;
      reply
        .code(206)
        .type("application/pdf")
        .header("Content-Range", `bytes ${start}-${end}/${size}`)
        .header("Content-Length", end - start + 1);
      return reply.send(body);
    }
  }
  reply
    .type("application/pdf")
    .header(
      "Content-Disposition",
      contentDisposition(options.fileName, options.inline ? "inline" : "attachment"),
    );
  if (size !== undefined) reply.header("Content-Length", size);
  return reply.send(
    body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body,
  );
}
