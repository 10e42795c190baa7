import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import { pageHeaders } from "../http/security-headers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Where `npm run build` puts the dashboard (Vite). */
const BUILT = path.join(root, "dist", "dashboard-ui");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The same strictness as the signing page: our own scripts, styles and API; never framed. */
const PAGE_HEADERS = { ...pageHeaders(), "Content-Type": "text/html; charset=utf-8" };

/**
 * The dashboard at /app/: one page (every path under /app answers it, the browser routes), and
 * its hashed assets, cached for good. `/` leads there.
 */
export function registerDashboard(app: FastifyInstance): void {
  let page: Promise<Buffer> | undefined;
  const sendPage = async (reply: FastifyReply) => {
    page ??= readFile(path.join(BUILT, "index.html")).catch((error: unknown) => {
      page = undefined;
      throw error;
    });
    const html = await page.catch(() => null);
    if (!html) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The dashboard is not built: run `npm run build`, then restart.");
    }
    return reply.headers(PAGE_HEADERS).send(html);
  };

  app.get("/", { schema: { hide: true } }, (_request, reply) => reply.redirect("/app/", 302));
  app.get("/app", { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  app.get<{ Params: { name: string } }>(
    "/app/assets/:name",
    { schema: { hide: true } },
    async (request, reply) => {
      const name = request.params.name;
      const type = TYPES[path.extname(name)];
      if (!type || !/^[\w.-]+$/.test(name)) return reply.callNotFound();
      const bytes = await readFile(path.join(BUILT, "assets", name)).catch(() => null);
      if (!bytes) return reply.callNotFound();
      return reply
        .type(type)
        .header("Cache-Control", "public, max-age=31536000, immutable")
        .header("Cross-Origin-Resource-Policy", "same-origin")
        .send(bytes);
    },
  );
  app.get("/app/*", { schema: { hide: true } }, (_request, reply) => sendPage(reply));
}
