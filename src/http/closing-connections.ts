import type { FastifyInstance } from "fastify";

/**
 * Once the server is closing, each keep-alive connection is closed as soon as its response is
 * done. Fastify closes the connections idle when the close begins; one whose response was still
 * being sent then (a download streaming its last bytes) would stay open for the keep-alive
 * timeout, 72 s, and the close would wait for it.
 */
export function registerClosingConnections(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onResponse", (_request, _reply, done) => {
    // Node's own test of idleness: a connection whose response is not finished is left alone.
    if (closing) app.server.closeIdleConnections();
    done();
  });
}

/**
 * Stops taking requests and waits for those being answered, for at most `graceMs`: then the
 * connections still open (a client reading a download slowly, or not at all) are cut.
 */
export async function closeServer(app: FastifyInstance, graceMs: number): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
