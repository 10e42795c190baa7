import type { FastifyInstance } from "fastify";
import { type App, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { Environment } from "../../src/domain/environment.js";
import { buildServer } from "../../src/server.js";
import { ManualClock } from "./clock.js";
import { checkContract } from "./contract.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface TestServer {
  url: string;
  app: App;
  server: FastifyInstance;
  clock: ManualClock;
  database: TestDatabase;
  /** A new account with one key in `environment`. */
  newAccount(
    environment?: Environment,
  ): Promise<{ accountId: string; secret: string; keyId: string }>;
  /** Another key in an existing account. */
  newKey(accountId: string, environment: Environment): Promise<{ secret: string; keyId: string }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Runs on the built server before it listens, e.g. to add a route for a test. */
  beforeListen?: (server: FastifyInstance) => void | Promise<void>;
  /** Reuse a database, e.g. to run a second instance against it. */
  database?: TestDatabase;
  /** Listen on this port (and make it PUBLIC_URL's) instead of an ephemeral one. */
  port?: number;
}

/** A real server on an ephemeral port of 127.0.0.1, on a fresh database of the run's kind. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const clock = new ManualClock();
  const config = loadConfig({
    LOG_LEVEL: "silent",
    PORT: "0",
    PUBLIC_URL: `http://127.0.0.1:${options.port ?? 3000}`,
    ...database.env,
    ...options.env,
  });
  const app = await createApp(config, { clock });
  const server = await buildServer(app);
  await options.beforeListen?.(server);
  await server.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("no address");

  const newKey = async (accountId: string, environment: Environment) => {
    const { key, secret } = await app.keys.create({ accountId, environment }, { name: "test" });
    return { secret, keyId: key.id };
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    server,
    clock,
    database,
    newKey,
    async newAccount(environment = "test") {
      const account = await app.accounts.create("Test account");
      return { accountId: account.id, ...(await newKey(account.id, environment)) };
    },
    async close() {
      await server.close();
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  method?: string;
  key?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/** One HTTP request; the body is parsed as JSON when the response says it is JSON. */
export async function request<T = any>(
  baseUrl: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await fetch(baseUrl + path, { method: options.method ?? "GET", headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("json");
  const parsed = isJson && text ? JSON.parse(text) : text;
  checkContract(options.method ?? "GET", baseUrl + path, response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}

/** `POST url` with `bytes` as the multipart `file` part, as curl -F would send it. */
export async function postFile(
  url: string,
  bytes: Uint8Array,
  name = "document.pdf",
  field = "file",
): Promise<Response> {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: "application/pdf" }), name);
  return fetch(url, { method: "POST", body: form });
}
