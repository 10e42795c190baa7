import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fromPackage = (specifier: string) => require.resolve(specifier);

/** The only files the signing pages load: ours and the libraries we serve ourselves (no CDN). */
/** The signing page's own modules (public/sign/), loaded by sign.js. */
const SIGNING_MODULES = [
  "sign.js",
  "page.js",
  "fields.js",
  "documents.js",
  "otp.js",
  "signature-image.js",
  "adopt.js",
  "bar.js",
  "dialogs.js",
  "outcome.js",
  "parent.js",
  "ended.js",
];

const ASSETS: Record<string, { file: () => string; type: string }> = {
  ...Object.fromEntries(
    SIGNING_MODULES.map((name) => [
      name,
      { file: () => path.join(root, "public/sign", name), type: "text/javascript; charset=utf-8" },
    ]),
  ),
  "sign.css": {
    file: () => path.join(root, "public/sign/sign.css"),
    type: "text/css; charset=utf-8",
  },
  "verify.css": {
    file: () => path.join(root, "public/verify/verify.css"),
    type: "text/css; charset=utf-8",
  },
  "pdf.mjs": {
    file: () => fromPackage("pdfjs-dist/build/pdf.min.mjs"),
    type: "text/javascript; charset=utf-8",
  },
  "pdf.worker.mjs": {
    file: () => fromPackage("pdfjs-dist/build/pdf.worker.min.mjs"),
    type: "text/javascript; charset=utf-8",
  },
  "signature_pad.js": {
    file: () => path.join(path.dirname(fromPackage("signature_pad")), "signature_pad.js"),
    type: "text/javascript; charset=utf-8",
  },
  // The fonts the seal draws values and typed signatures with (src/pdf/fonts.ts), so that a field
  // shows them as they will be stamped.
  "stamp-regular.ttf": {
    file: () => fromPackage("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
    type: "font/ttf",
  },
  "stamp-oblique.ttf": {
    file: () => fromPackage("dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf"),
    type: "font/ttf",
  },
};

export const ASSET_PREFIX = "/sign-assets/";

export function registerSigningAssets(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>(
    `${ASSET_PREFIX}:name`,
    { schema: { hide: true } },
    async (request, reply) => {
      const asset = ASSETS[request.params.name];
      if (!asset) return reply.callNotFound();
      const file = asset.file();
      const { size } = await stat(file);
      return reply
        .type(asset.type)
        .header("Content-Length", size)
        .header("Cache-Control", "public, max-age=3600")
        .header("Cross-Origin-Resource-Policy", "same-origin")
        .send(createReadStream(file));
    },
  );
}
