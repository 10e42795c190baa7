import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { makePdf } from "./helpers/pdf.js";
import { freePort } from "./helpers/ports.js";
import { request, startTestServer, type TestServer } from "./helpers/server.js";
import { until } from "./helpers/wait.js";

const EXAMPLES = new URL("../examples/", import.meta.url).pathname;

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} failed: ${stderr || error.message}`))
          : resolve(stdout),
    );
  });
}

/** The product page's quick starts, run as a user would, against a real server. */
describe("the quick starts", () => {
  let t: TestServer;
  let secret: string;
  let cwd: string;
  before(async () => {
    t = await startTestServer();
    const account = await t.newAccount();
    ({ secret } = await t.newKey(account.accountId, "live"));
    cwd = await mkdtemp(path.join(os.tmpdir(), "certyneo-quickstart-"));
    await writeFile(path.join(cwd, "contrat.pdf"), await makePdf(["a4", "a4"]));
  });
  after(async () => {
    await t.close();
    await rm(cwd, { recursive: true, force: true });
  });

  async function expectSent(envelopeId: string) {
    const envelope = await request(t.url, `/api/v1/envelopes/${envelopeId}`, { key: secret });
    assert.equal(envelope.status, 200, JSON.stringify(envelope.body));
    assert.equal(envelope.body.status, "SENT");
    assert.equal(envelope.body.subject, "Contrat de prestation");
    assert.equal(envelope.body.environment, "live");
    assert.equal(envelope.body.documents[0].pages, 2);
    const [marie] = envelope.body.recipients;
    assert.equal(marie.email, "client@example.com");
    assert.equal(marie.status, "SENT");
    assert.match(marie.signUrl, /\/sign\/[0-9A-Za-z]{43}$/);
  }

  it("curl", async () => {
    const stdout = await run("bash", [path.join(EXAMPLES, "quickstart.sh")], cwd, {
      CERTYNEO_URL: t.url,
      CERTYNEO_API_KEY: secret,
    });
    const sent = JSON.parse(stdout);
    assert.equal(sent.status, "SENT");
    assert.match(sent.recipients[0].signUrl, /\/sign\//);
    await expectSent(sent.id);
  });

  it("Node", async () => {
    const stdout = await run(process.execPath, [path.join(EXAMPLES, "quickstart.mjs")], cwd, {
      CERTYNEO_URL: t.url,
      CERTYNEO_API_KEY: secret,
    });
    await expectSent(stdout.trim());
  });

  it("Node, with the SDK", async () => {
    const stdout = await run(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), path.join(EXAMPLES, "quickstart-sdk.ts")],
      cwd,
      { CERTYNEO_URL: t.url, CERTYNEO_API_KEY: secret },
    );
    await expectSent(stdout.trim());
  });

  it("Python", async () => {
    const stdout = await run("python3", [path.join(EXAMPLES, "quickstart.py")], cwd, {
      CERTYNEO_URL: t.url,
      CERTYNEO_API_KEY: secret,
    });
    await expectSent(stdout.trim());
  });
});

/** examples/webhook-receiver.ts, run as a user would, receiving a real delivery. */
describe("the webhook receiver example", () => {
  it("accepts a signed delivery and refuses a forged one", async () => {
    const t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
    const { secret: key } = await t.newAccount();
    const port = await freePort();
    const webhook = await request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key,
      json: { url: `http://127.0.0.1:${port}/certyneo`, events: ["envelope.created"] },
    });
    const receiver = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), path.join(EXAMPLES, "webhook-receiver.ts")],
      {
        env: { ...process.env, PORT: String(port), CERTYNEO_WEBHOOK_SECRET: webhook.body.secret },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    receiver.stdout.on("data", (chunk: Buffer) => (output += chunk));
    receiver.stderr.on("data", (chunk: Buffer) => (output += chunk));
    try {
      await until(async () => output.includes("listening"), "the receiver to listen");
      // Its clock is the machine's: the server's delivery must be signed now.
      t.clock.advance(Date.now() - t.clock.now().getTime());
      const pdf = await request(t.url, "/api/v1/documents", {
        method: "POST",
        key,
        json: { content: (await makePdf(["a4"])).toString("base64") },
      });
      const envelope = await request(t.url, "/api/v1/envelopes", {
        method: "POST",
        key,
        json: {
          subject: "Watched",
          documentIds: [pdf.body.id],
          recipients: [{ email: "a@example.com", name: "A", role: "SIGNER" }],
        },
      });
      await t.app.worker.runDue();
      await until(async () => output.includes("envelope.created"), "the event");
      assert.match(output, /envelope\.created evt_/);
      const forged = await fetch(`http://127.0.0.1:${port}/certyneo`, {
        method: "POST",
        headers: { "certyneo-signature": `t=${Math.floor(Date.now() / 1000)},v1=00` },
        body: JSON.stringify({ id: "evt_forged", type: "envelope.completed" }),
      });
      assert.equal(forged.status, 400);
      // Its log line travels through a pipe: it may come after the answer.
      await until(async () => output.includes("refused:"), "the refusal to be logged");
      assert.match(output, /refused: No signature matches the secret/);
      assert.ok(envelope.body.id);
    } finally {
      receiver.kill();
      await t.close();
    }
  });
});
