import type { FastifyInstance } from "fastify";
import { CertyneoError } from "../domain/errors.js";

/**
 * JSON bodies parsed safely (prototype poisoning refused). An absent or empty body reads as `{}`,
 * so that `POST /envelopes/{id}/send` works with or without `Content-Type: application/json`.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === "") {
      done(null, {});
      return;
    }
    parseJson(request, text, done);
  });
  // Any other type is refused unread, except an empty body, which needs no parser at all.
  app.addContentTypeParser("*", (request, _payload, done) => {
    if (request.headers["content-length"] === "0") {
      done(null, {});
      return;
    }
    const type = request.headers["content-type"]?.split(";")[0];
    done(
      new CertyneoError(
        "unsupported_media_type",
        "unsupported_media_type",
        `Unsupported Content-Type "${type}": send application/json.`,
      ),
      undefined,
    );
  });
}

export function registerEmptyBodyDefault(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.method !== "GET" && request.method !== "HEAD") {
      request.body = {};
    }
  });
}
