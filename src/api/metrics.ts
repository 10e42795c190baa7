import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { CertyneoError } from "../domain/errors.js";
import type { Metrics } from "../metrics.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * `GET /metrics` for a Prometheus server holding `CERTYNEO_METRICS_TOKEN` as a bearer token, and
 * each request counted by its route template (never its raw path: ids would make a series each).
 * Not registered without a token: `/metrics` is then a 404 like any unknown path.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string): void {
  const expected = digest(`Bearer ${token}`);
  app.addHook("onResponse", async (request, reply) => {
    metrics.request(
      request.method,
      request.routeOptions.url ?? "unmatched",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    // Digests of equal length, compared in constant time.
    if (!timingSafeEqual(digest(request.headers.authorization ?? ""), expected)) {
      reply.header("WWW-Authenticate", 'Bearer realm="metrics"');
      throw new CertyneoError(
        "unauthenticated",
        "metrics_token_invalid",
        "Send CERTYNEO_METRICS_TOKEN as a bearer token: Authorization: Bearer <token>.",
      );
    }
    return reply
      .type(metrics.contentType)
      .header("Cache-Control", "no-store")
      .send(await metrics.scrape());
  });
}
