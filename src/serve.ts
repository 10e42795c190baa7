import type { FastifyInstance } from "fastify";
import type { App } from "./app.js";
import { buildServer } from "./server.js";

/** The HTTP server over an app, with the background work that goes with serving. */
export async function startServer(app: App): Promise<FastifyInstance> {
  const server = await buildServer(app);
  app.lastUsed.start();
  await server.listen({ port: app.config.port, host: app.config.host });
  app.startWorker(server.log);
  return server;
}
