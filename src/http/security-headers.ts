import type { FastifyInstance } from "fastify";

/** Headers every response gets; HTML pages add their own Content-Security-Policy. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    // API answers carry account data and secrets (a new key): no cache may keep them.
    if (request.url.startsWith("/api/")) reply.header("Cache-Control", "no-store");
  });
}
