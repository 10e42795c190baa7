import type { FastifyInstance } from "fastify";

/** Headers every response gets; HTML pages add their own Content-Security-Policy. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // Hooks that do not wait take `done`: an async one costs every request a promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    // API answers carry account data and secrets (a new key): no cache may keep them.
    if (request.url.startsWith("/api/")) reply.header("Cache-Control", "no-store");
    done();
  });
}

/**
 * The headers of our HTML applications (the signing pages, the dashboard). Strict by default:
 * only our own scripts, styles, fonts and API; framed only by the allow-list, by default nobody.
 */
export function pageHeaders(
  frameAncestors: readonly string[] = [],
  /** Where the page's forms may be sent: nowhere unless it has one of ours. */
  formAction = "'none'",
  /** A page without script that sets its own colours in one `<style nonce>` element. */
  styleNonce?: string,
): Record<string, string> {
  const ancestors = frameAncestors.length > 0 ? frameAncestors.join(" ") : "'none'";
  return {
    "Content-Security-Policy": [
      "default-src 'none'",
      "script-src 'self'",
      styleNonce ? `style-src 'self' 'nonce-${styleNonce}'` : "style-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      "connect-src 'self'",
      "worker-src 'self'",
      "base-uri 'none'",
      `form-action ${formAction}`,
      `frame-ancestors ${ancestors}`,
    ].join("; "),
    ...(frameAncestors.length === 0 && { "X-Frame-Options": "DENY" }),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}
