import type { FastifyInstance } from "fastify";
import { CertyneoError } from "../domain/errors.js";

/**
 * No parameter has a use for U+0000, and PostgreSQL text cannot hold it (the query would fail:
 * a 500). So it is refused in path parameters, the query string and JSON bodies alike, on every
 * database, before validation: a 400 `parameter_invalid` that names the parameter.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook("preValidation", (request, _reply, done) => {
    for (const value of [request.params, request.query, request.body]) {
      const param = pathOfNul(value);
      if (param !== undefined) {
        done(
          new CertyneoError(
            "invalid_request",
            "parameter_invalid",
            `Invalid "${param}": must not contain the NUL character (U+0000).`,
            param,
          ),
        );
        return;
      }
    }
    done();
  });
}

/** The Stripe-style name of the first string (or key) holding U+0000; iterative, for any depth. */
function pathOfNul(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === "string") {
      if (value.includes("\0")) return path || "body";
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        stack.push([item, `${path}[${index}]`]);
      });
    } else if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) {
        const keyPath = path ? `${path}.${key}` : key;
        if (key.includes("\0")) return keyPath;
        stack.push([item, keyPath]);
      }
    }
  }
  return undefined;
}
