import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { makePdf } from "./helpers/pdf.js";
import { freePort } from "./helpers/ports.js";
import { until } from "./helpers/wait.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const deployFile = (name: string) => path.join(ROOT, "deploy", name);

function run(command: string, args: string[]) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(command, args, (error, stdout, stderr) =>
      resolve({
        code: error ? Number((error as { code?: number }).code ?? 1) : 0,
        output: stdout + stderr,
      }),
    );
  });
}

/** `KEY=value` lines, comments and blanks aside, as systemd's EnvironmentFile reads them. */
function environmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/**
 * The deployment recipes of `deploy/`, run: the instance started as the systemd unit starts it,
 * with its environment file, behind nginx configured by `deploy/nginx.conf` (TLS and ports
 * swapped for local ones).
 */
describe("the deployment recipes", () => {
  let db: TestDatabase;
  let dir: string;
  let instance: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let log = "";
  let banner = "";
  let publicUrl: string;
  before(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-deploy-"));
  });
  after(async () => {
    instance?.kill("SIGKILL");
    nginx?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    await db.drop();
  });

  it("has a systemd unit that systemd accepts", async () => {
    const verified = await run("systemd-analyze", ["verify", deployFile("certyneo.service")]);
    assert.equal(verified.code, 0, verified.output);
    assert.doesNotMatch(verified.output, /Unknown (key|section)|Invalid|Failed to parse/);
  });

  it("serves behind nginx as the unit starts it, with the proxy's client addresses", async () => {
    const unit = await readFile(deployFile("certyneo.service"), "utf8");
    const execStart = /^ExecStart=(.+)$/m.exec(unit)![1]!.split(/\s+/);
    assert.equal(execStart[0], "/usr/bin/node");
    const [port, proxyPort] = [await freePort(), await freePort()];
    publicUrl = `http://127.0.0.1:${proxyPort}`;
    const env: Record<string, string> = {
      ...environmentFile(await readFile(deployFile("certyneo.env"), "utf8")),
      // Where this machine differs from the recipe's: ports, paths and the public address.
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      ...db.env,
      PATH: process.env.PATH ?? "",
    };
    assert.equal(env.CERTYNEO_TRUST_PROXY, "true");
    const args = execStart.slice(1).map((a) => a.replace("/opt/certyneo", ROOT.replace(/\/$/, "")));
    instance = spawn(process.execPath, args, { env, cwd: ROOT });
    instance.stdout!.on("data", (chunk) => (log += chunk));
    instance.stderr!.on("data", (chunk) => (banner += chunk));

    const config = await readFile(deployFile("nginx.conf"), "utf8");
    const tls = config
      .replace("server 127.0.0.1:3000;", `server 127.0.0.1:${port};`)
      .replace("listen 443 ssl http2;", `listen 127.0.0.1:${proxyPort};`)
      .replace(/^\s*ssl_certificate.*$/gm, "")
      .replace(/server \{\n\s*listen 80;[\s\S]*?\n\}\n/, "");
    assert.doesNotMatch(tls, /listen 80|ssl_/, "the local variant keeps only the proxy");
    const prefix = path.join(dir, "nginx");
    await mkdir(path.join(prefix, "logs"), { recursive: true });
    const conf = path.join(prefix, "nginx.conf");
    await writeFile(
      conf,
      `worker_processes 1;\nerror_log ${prefix}/logs/error.log;\npid ${prefix}/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${prefix}/body;\n  proxy_temp_path ${prefix}/proxy;\n  fastcgi_temp_path ${prefix}/fastcgi;\n  uwsgi_temp_path ${prefix}/uwsgi;\n  scgi_temp_path ${prefix}/scgi;\n${tls}\n}\n`,
    );
    nginx = spawn("/usr/sbin/nginx", [
      "-p",
      prefix,
      "-c",
      conf,
      "-g",
      "daemon off; master_process off;",
    ]);
    let nginxErrors = "";
    nginx.stderr!.on("data", (chunk) => (nginxErrors += chunk));
    await until(
      async () => (await fetch(`${publicUrl}/healthz`).catch(() => undefined))?.ok === true,
      `the instance through nginx (${nginxErrors})`,
    );

    const key = /sk_test_[0-9A-Za-z]{32}/.exec(banner)?.[0];
    assert.ok(key, banner);
    // An upload through the proxy, a spoofed client address that the proxy replaces.
    const form = new FormData();
    form.append("file", new Blob([await makePdf(["a4"])], { type: "application/pdf" }), "c.pdf");
    const uploaded = await fetch(`${publicUrl}/api/v1/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "x-forwarded-for": "203.0.113.7" },
      body: form,
    });
    assert.equal(uploaded.status, 201);
    const document = (await uploaded.json()) as { id: string };
    await until(async () => log.includes('"path":"/api/v1/documents"'), "the upload's log line");
    const line = JSON.parse(log.split("\n").find((l) => l.includes('"path":"/api/v1/documents"'))!);
    assert.equal(line.ip, "127.0.0.1", "the address nginx saw, not the one the client claimed");

    // Links point to the public address.
    const created = await fetch(`${publicUrl}/api/v1/envelopes`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        subject: "Behind nginx",
        documentIds: [document.id],
        recipients: [{ email: "s@example.com", name: "Sam", role: "SIGNER" }],
      }),
    });
    const envelope = (await created.json()) as { id: string };
    const sent = (await (
      await fetch(`${publicUrl}/api/v1/envelopes/${envelope.id}/send`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      })
    ).json()) as { recipients: { signUrl: string }[] };
    const signUrl = sent.recipients[0]!.signUrl;
    assert.ok(signUrl.startsWith(`${publicUrl}/sign/`), signUrl);
    assert.equal((await fetch(signUrl)).status, 200);

    // Stopped as systemd stops it: SIGTERM, well within TimeoutStopSec.
    const exited = new Promise<number | null>((resolve) => instance!.once("exit", resolve));
    instance.kill("SIGTERM");
    assert.equal(await exited, 0);
    instance = undefined;
  });
});
