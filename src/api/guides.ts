import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Marked, type Tokens } from "marked";
import { escapeHtml } from "../signing/page.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The guides in docs/ that integrators read, in the order the index lists them. */
export const GUIDES = [
  "api",
  "dashboard",
  "documents-and-envelopes",
  "webhooks",
  "notifications",
  "signing",
  "signatures",
  "sdk",
  "security",
] as const;

export const GUIDES_PATH = "/docs/guides";

/**
 * Links as they work on this server: another guide stays a guide, the OpenAPI document is the
 * served one, the web is the web; a file of the repository (an example, the SDK's source) is
 * named rather than linked, since the server does not serve it.
 */
function link(href: string): string | null {
  if (/^(https?:|mailto:|#)/.test(href)) return href;
  const [file, anchor] = href.split("#", 2);
  const name = file?.replace(/^\.\//, "").replace(/\.md$/, "");
  if (name && (GUIDES as readonly string[]).includes(name))
    return `${GUIDES_PATH}/${name}${anchor ? `#${anchor}` : ""}`;
  if (file === "../openapi.json") return "/api/v1/openapi.json";
  return null;
}

const markdown = new Marked({
  gfm: true,
  renderer: {
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = link(token.href);
      return href ? `<a href="${escapeHtml(href)}">${text}</a>` : text;
    },
    // The guides are ours, but nothing of them runs: raw HTML (comments, mostly) is shown as text.
    html(token: Tokens.HTML | Tokens.Tag) {
      return token.text.startsWith("<!--") ? "" : escapeHtml(token.text);
    },
  },
});

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Certyneo</title>
<link rel="stylesheet" href="${GUIDES_PATH}/guides.css">
</head>
<body>
<header><a href="${GUIDES_PATH}">Certyneo guides</a><a href="/docs">API reference</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

const HEADERS = {
  "Content-Security-Policy": [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Frame-Options": "DENY",
  "Cache-Control": "public, max-age=300",
  "Cross-Origin-Opener-Policy": "same-origin",
};

const rendered = new Map<string, Promise<string>>();

async function render(name: string): Promise<string> {
  const text = await readFile(path.join(root, "docs", `${name}.md`), "utf8");
  const title = /^# (.+)$/m.exec(text)?.[1]?.replaceAll("`", "") ?? name;
  return page(title, await markdown.parse(text));
}

function index(): string {
  return page(
    "Guides",
    `<h1>Certyneo guides</h1>
<p>How the API works, beyond the <a href="/docs">reference</a>.</p>
<ul>${GUIDES.map((name) => `<li><a href="${GUIDES_PATH}/${name}">${escapeHtml(name.replaceAll("-", " "))}</a></li>`).join("")}</ul>`,
  );
}

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.headers(HEADERS).type("text/html; charset=utf-8").send(html);
}

/** docs/*.md as pages, linked from /docs: the guides, on the instance itself, offline too. */
export function registerGuides(app: FastifyInstance): void {
  app.get(GUIDES_PATH, { schema: { hide: true } }, async (_request, reply) =>
    sendHtml(reply, index()),
  );
  app.get(`${GUIDES_PATH}/guides.css`, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type("text/css; charset=utf-8")
      .header("Cache-Control", "public, max-age=3600")
      .send(await readFile(path.join(root, "public", "guides", "guides.css"))),
  );
  app.get<{ Params: { name: string } }>(
    `${GUIDES_PATH}/:name`,
    { schema: { hide: true } },
    async (request, reply) => {
      const name = request.params.name.replace(/\.md$/, "");
      if (!(GUIDES as readonly string[]).includes(name)) return reply.callNotFound();
      let html = rendered.get(name);
      if (!html) {
        html = render(name);
        rendered.set(name, html);
        html.catch(() => rendered.delete(name));
      }
      return sendHtml(reply, await html);
    },
  );
}
