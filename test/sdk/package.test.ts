import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);
const SDK = fileURLToPath(new URL("../../packages/sdk", import.meta.url));
const TSC = path.join(
  path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")),
  "bin",
  "tsc",
);

/** What an integrator writes under `strict`: every import and type the README shows. */
const USE = `import {
  Certyneo,
  CertyneoError,
  InvalidRequestError,
  verifyWebhook,
  type Envelope,
  type EnvelopeStatus,
  type WebhookEvent,
} from "@certyneo/sdk";

const certyneo = new Certyneo({ apiKey: "sk_test_x", baseUrl: "http://localhost:3000" });

export async function use(raw: string, header: string, secret: string): Promise<string[]> {
  const status: EnvelopeStatus = "SENT";
  const ids: string[] = [];
  for await (const envelope of certyneo.envelopes.list({ status })) ids.push(envelope.id);
  const first: Envelope = await certyneo.envelopes.get(ids[0] ?? "env_x");
  const token: string | null | undefined = first.recipients[0]?.signingToken;
  try {
    await certyneo.envelopes.send(first.id, { idempotencyKey: "k", timeoutMs: 5000 });
  } catch (error) {
    if (error instanceof InvalidRequestError && error.code === "envelope_not_draft") ids.push("sent");
    else if (error instanceof CertyneoError) ids.push(error.requestId ?? "");
  }
  const event: WebhookEvent = await verifyWebhook(raw, header, secret);
  if (event.type === "recipient.signed") ids.push(event.data.recipientId);
  const pdf = await certyneo.envelopes.signedDocument(first.id);
  const bytes: Uint8Array = await pdf.bytes();
  return [...ids, String(token), String(bytes.length)];
}
`;

describe("the packed @certyneo/sdk", () => {
  let dir: string;
  let tarball: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-sdk-package-"));
    await exec("npm", ["pack", "--pack-destination", dir], { cwd: SDK });
    const packed = (await readdir(dir)).find((f) => f.endsWith(".tgz"));
    assert.ok(packed, "npm pack made no tarball");
    tarball = path.join(dir, packed);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A project with the tarball installed (no registry needed: the SDK has no dependency). */
  async function project(name: string, type: "module" | "commonjs"): Promise<string> {
    const root = path.join(dir, name);
    await mkdir(root);
    await writeFile(path.join(root, "package.json"), JSON.stringify({ name, private: true, type }));
    await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: root });
    return root;
  }

  it("holds only the builds and its README, with no dependency", async () => {
    const { stdout } = await exec("tar", ["-tzf", tarball]);
    const files = stdout.trim().split("\n");
    assert.ok(files.includes("package/dist/esm/index.js"));
    assert.ok(files.includes("package/dist/esm/index.d.ts"));
    assert.ok(files.includes("package/dist/cjs/index.js"));
    assert.ok(files.includes("package/dist/cjs/index.d.ts"));
    assert.ok(files.includes("package/README.md"));
    assert.ok(
      files.every((f) => /^package\/(dist\/|README\.md$|package\.json$)/.test(f)),
      stdout,
    );
  });

  for (const resolution of ["NodeNext", "Bundler"] as const) {
    it(`type-checks under strict with moduleResolution ${resolution}`, async () => {
      const root = await project(`typed-${resolution.toLowerCase()}`, "module");
      await writeFile(path.join(root, "use.ts"), USE);
      await writeFile(
        path.join(root, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "ES2022",
            lib: ["ES2022", "DOM", "DOM.AsyncIterable"],
            module: resolution === "NodeNext" ? "NodeNext" : "ESNext",
            moduleResolution: resolution,
            types: [],
            skipLibCheck: false,
          },
          include: ["use.ts"],
        }),
      );
      const result = await exec(process.execPath, [TSC, "-p", root]).catch(
        (error: { stdout: string }) => error,
      );
      assert.equal(result.stdout, "", result.stdout);
    });
  }

  it("loads as an ES module and as CommonJS", async () => {
    const esm = await project("esm", "module");
    const imported = await exec(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'import { Certyneo } from "@certyneo/sdk"; console.log(typeof new Certyneo({ apiKey: "k" }).envelopes.list);',
      ],
      { cwd: esm },
    );
    assert.equal(imported.stdout.trim(), "function");
    const cjs = await project("cjs", "commonjs");
    const required = await exec(
      process.execPath,
      [
        "-e",
        'const { Certyneo, verifyWebhook } = require("@certyneo/sdk"); console.log(typeof Certyneo, typeof verifyWebhook);',
      ],
      { cwd: cjs },
    );
    assert.equal(required.stdout.trim(), "function function");
  });
});
