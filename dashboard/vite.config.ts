import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

// The dashboard, built into dist/dashboard-ui and served by the API's own process at /app/.
export default defineConfig({
  root: here("."),
  base: "/app/",
  resolve: { alias: { "@certyneo/sdk": here("../packages/sdk/src/index.ts") } },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: here("../dist/dashboard-ui"),
    emptyOutDir: true,
    target: "es2022",
    // Everything inline would need 'unsafe-inline' in the CSP: keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  logLevel: "warn",
});
