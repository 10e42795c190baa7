import type { FastifyInstance } from "fastify";

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
}

export function registerEmptyBodyDefault(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.method !== "GET" && request.method !== "HEAD") {
      request.body = {};
    }
  });
}
