// The OpenAPI document, as the server builds it, written to `openapi.json` at the repository's
// root: what the SDK's types are generated from and what integrators can read without a server.
//   node --import tsx scripts/openapi.ts           writes it
//   node --import tsx scripts/openapi.ts --check   fails if the committed file differs
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { buildServer } from "../src/server.js";
import { writeOrCheck } from "./generated-file.js";

/** The address the committed document names as its default server. */
const PUBLIC_URL = "http://localhost:3000";
const FILE = fileURLToPath(new URL("../openapi.json", import.meta.url));

async function serverDocument(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-openapi-"));
  try {
    const config = loadConfig({
      LOG_LEVEL: "silent",
      PORT: "0",
      PUBLIC_URL,
      CERTYNEO_DATA_DIR: dataDir,
    });
    const app = await createApp(config);
    const server = await buildServer(app);
    try {
      await server.ready();
      return `${JSON.stringify(server.swagger(), null, 2)}\n`;
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await writeOrCheck(FILE, await serverDocument(), "npm run openapi");
