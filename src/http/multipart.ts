import type { Multipart, MultipartFile } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { CertyneoError } from "../domain/errors.js";

export function badPart(code: string, message: string, param: string): CertyneoError {
  return new CertyneoError("invalid_request", code, message, param);
}

/**
 * What the multipart parser (busboy) refuses — no boundary, a truncated body, a malformed part —
 * is the client's error. Its errors carry no code; those of @fastify/multipart (FST_…) and our
 * own are mapped by the error handler.
 */
function malformedMultipart(error: unknown): unknown {
  if (error instanceof CertyneoError || !(error instanceof Error)) return error;
  if (typeof (error as { code?: unknown }).code === "string") return error;
  return new CertyneoError(
    "invalid_request",
    "invalid_multipart",
    `The multipart/form-data body is malformed (${error.message}).`,
  );
}

/** The parts of the body; an error of the parser itself becomes a 400 invalid_multipart. */
export async function* partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
  let iterator: AsyncIterator<Multipart>;
  try {
    iterator = request.parts()[Symbol.asyncIterator]();
  } catch (error) {
    throw malformedMultipart(error);
  }
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw malformedMultipart(error);
    }
    if (next.done) return;
    yield next.value;
  }
}

/**
 * What `consume` makes of a file part's stream. A body cut short fails the stream (maybe before
 * the part is handed over, when the body arrived first): the client's error, not ours.
 */
export async function readFilePart<T>(
  part: MultipartFile,
  consume: (file: MultipartFile["file"]) => Promise<T>,
): Promise<T> {
  const streamErrors = new Set<unknown>();
  part.file.on("error", (error) => streamErrors.add(error));
  try {
    return await consume(part.file);
  } catch (error) {
    const fromStream = streamErrors.has(error) || part.file.errored === error;
    throw fromStream ? malformedMultipart(error) : error;
  }
}
