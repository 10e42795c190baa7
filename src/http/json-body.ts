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
    parseJson(request, text, (error, value) => {
      if (!error && nestingOf(value) > MAX_JSON_DEPTH) {
        // No body needs it, and recursive code (canonical JSON, validation) must not overflow.
        done(
          new CertyneoError(
            "invalid_request",
            "invalid_json",
            `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`,
          ),
          undefined,
        );
        return;
      }
      done(error, value);
    });
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

const MAX_JSON_DEPTH = 32;

/** How deeply arrays and objects nest in `root`, counted without recursion. */
function nestingOf(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return deepest;
}

export function registerEmptyBodyDefault(app: FastifyInstance): void {
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.body === undefined && request.method !== "GET" && request.method !== "HEAD") {
      request.body = {};
    }
    done();
  });
}
