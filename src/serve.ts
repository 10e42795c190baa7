import type { FastifyInstance } from "fastify";
import type { App } from "./app.js";
import { buildServer } from "./server.js";
import { loadInputChecks } from "./services/envelopes/load-input-checks.js";

/**
 * Modules the app loads at their first use, which most CLI commands never make: a server loads
 * them before it listens, so that no request waits for them (or the event loop with it).
 */
function loadFirstUseModules(): Promise<unknown> {
  return Promise.all([import("./pki/platform-pki.js"), loadInputChecks()]);
}

/** The HTTP server over an app, with the background work that goes with serving. */
export async function startServer(app: App): Promise<FastifyInstance> {
  const [server] = await Promise.all([buildServer(app), loadFirstUseModules()]);
  app.lastUsed.start();
  await server.listen({ port: app.config.port, host: app.config.host });
  app.startWorker(server.log);
  return server;
}
