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
  // `npm run dev:dashboard`: the pages with live reload, the API from `npm start`.
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ["/api", "/sign-assets"].map((prefix) => [
        prefix,
        process.env.CERTYNEO_URL ?? "http://localhost:3000",
      ]),
    ),
  },
  logLevel: "warn",
});
