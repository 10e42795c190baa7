import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cache = new Map<string, Uint8Array>();

export type FontName = "DejaVuSans" | "DejaVuSans-Bold" | "DejaVuSans-Oblique" | "DejaVuSansMono";

/**
 * DejaVu fonts, shipped as a package: every name and address prints, whatever its script, where
 * the PDF standard fonts know only Western European letters. Embedded subsetted.
 */
export function fontBytes(name: FontName): Uint8Array {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`)));
    cache.set(name, bytes);
  }
  return bytes;
}
