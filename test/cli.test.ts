import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase, testDatabaseKind } from "./helpers/database.js";
import { uploadDocument } from "./helpers/fixtures.js";
import { freePort } from "./helpers/ports.js";
import { request, startTestServer, type TestServer } from "./helpers/server.js";
import { until } from "./helpers/wait.js";

const BIN = new URL("../bin/certyneo", import.meta.url).pathname;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, LOG_LEVEL: "silent", ...env } },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

describe("the certyneo command", () => {
  before(() => {
    assert.ok(
      existsSync(new URL("../dist/cli/main.js", import.meta.url)),
      "run `npm run build` before the tests",
    );
  });

  describe("on an empty database", () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(() => db.drop());

    it("migrates once, then reports the database up to date", async () => {
      const first = await cli(["migrate"], db.env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Applied: 0001_foundation/);
      const second = await cli(["migrate"], db.env);
      assert.match(second.stdout, /up to date/);
    });

    it("creates the first account with the first key", async () => {
      const res = await cli(["keys", "create", "--env", "test", "--name", "ci", "--json"], db.env);
      assert.equal(res.code, 0, res.stderr);
      const key = JSON.parse(res.stdout);
      assert.match(key.id, /^key_/);
      assert.match(key.secret, /^sk_test_[0-9A-Za-z]{32}$/);
      assert.equal(key.environment, "test");
      assert.match(res.stderr, /Created account acct_/);
      const accounts = JSON.parse((await cli(["accounts", "list", "--json"], db.env)).stdout);
      assert.equal(accounts.length, 1);
      assert.equal(key.accountId, accounts[0].id);
    });

    it("needs --account once there are several accounts", async () => {
      const created = await cli(["accounts", "create", "--name", "Acme HR", "--json"], db.env);
      assert.equal(created.code, 0, created.stderr);
      const acme = JSON.parse(created.stdout);
      assert.match(acme.id, /^acct_/);
      assert.equal(acme.name, "Acme HR");

      const ambiguous = await cli(["keys", "create", "--env", "live"], db.env);
      assert.equal(ambiguous.code, 2);
      assert.match(ambiguous.stderr, /Several accounts exist .* --account/);

      const live = await cli(
        ["keys", "create", "--env", "live", "--account", acme.id, "--json"],
        db.env,
      );
      assert.equal(live.code, 0, live.stderr);
      assert.match(JSON.parse(live.stdout).secret, /^sk_live_/);

      const unknown = await cli(
        ["keys", "create", "--env", "live", "--account", "acct_nope"],
        db.env,
      );
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No account with id "acct_nope"/);

      const table = await cli(["accounts", "list"], db.env);
      assert.match(table.stdout, /^ID +NAME +CREATED/);
      assert.match(table.stdout, /Acme HR/);
    });

    it("adds people who sign in to the dashboard, a password read from stdin", async () => {
      const account = JSON.parse((await cli(["accounts", "list", "--json"], db.env)).stdout)[0].id;
      const plain = await cli(
        ["users", "create", "--email", "Lea@Example.com", "--account", account, "--json"],
        db.env,
      );
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(JSON.parse(plain.stdout).role, "member");
      assert.equal(JSON.parse(plain.stdout).hasPassword, false);
      const leasLink = JSON.parse(plain.stdout).signInUrl as string;
      assert.match(leasLink, /\/app\/sign-in#token=\w{43}$/);
      const password = "a password from a pipe";
      const withPassword = await new Promise<CliResult>((resolve) => {
        const child = execFile(
          process.execPath,
          [
            BIN,
            "users",
            "create",
            "--email",
            "owner@example.com",
            "--role",
            "owner",
            "--account",
            account,
            "--password-stdin",
          ],
          { env: { PATH: process.env.PATH, LOG_LEVEL: "silent", ...db.env } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        );
        child.stdin?.end(`${password}\n`);
      });
      assert.equal(withPassword.code, 0, withPassword.stderr);
      assert.match(
        withPassword.stdout,
        /Created owner owner@example\.com \(usr_\w+\) .*with a password/,
      );
      assert.doesNotMatch(withPassword.stdout, new RegExp(password));
      const server = await startTestServer({ database: db });
      try {
        const signedIn = await request(server.url, "/api/v1/session", {
          method: "POST",
          json: { email: "owner@example.com", password },
        });
        assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
        // The printed links sign in, once each; `users link` makes another.
        const token = (url: string) => new URL(url).hash.slice("#token=".length);
        const lea = await request(server.url, "/api/v1/session", {
          method: "POST",
          json: { token: token(leasLink) },
        });
        assert.equal(lea.body.user.email, "lea@example.com");
        const again = await cli(["users", "link", "--email", "LEA@example.com", "--json"], db.env);
        assert.equal(again.code, 0, again.stderr);
        const fresh = JSON.parse(again.stdout).signInUrl as string;
        assert.notEqual(fresh, leasLink);
        const second = await request(server.url, "/api/v1/session", {
          method: "POST",
          json: { token: token(fresh) },
        });
        assert.equal(second.status, 200);
        const nobody = await cli(["users", "link", "--email", "nobody@example.com"], db.env);
        assert.equal(nobody.code, 1);
        assert.match(nobody.stderr, /Nobody signs in as nobody@example.com/);
      } finally {
        await server.close();
      }
      const taken = await cli(
        ["users", "create", "--email", "lea@example.com", "--account", account],
        db.env,
      );
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /already signs in/);
      const badRole = await cli(
        ["users", "create", "--email", "x@example.com", "--role", "boss"],
        db.env,
      );
      assert.equal(badRole.code, 2);
      const listed = await cli(["users", "list", "--account", account], db.env);
      assert.match(listed.stdout, /lea@example\.com\s+member\s+no/);
      const id = JSON.parse(plain.stdout).id as string;
      assert.equal((await cli(["users", "remove", id], db.env)).code, 0);
      const after = await cli(["users", "list", "--account", account], db.env);
      assert.doesNotMatch(after.stdout, /lea@example\.com/);
    });

    it("lists keys without their secrets", async () => {
      const res = await cli(["keys", "list", "--json"], db.env);
      assert.equal(res.code, 0, res.stderr);
      const keys = JSON.parse(res.stdout);
      assert.equal(keys.length, 2);
      for (const key of keys) {
        assert.equal(key.secret, undefined);
        assert.equal(key.secretHash, undefined);
        assert.match(key.last4, /^[0-9A-Za-z]{4}$/);
      }
      const table = await cli(["keys", "list"], db.env);
      assert.match(table.stdout, /100\/min, burst 200 \(default\)/);
      assert.doesNotMatch(table.stdout, /sk_(test|live)_/);
    });

    it("lists failed background jobs and retries one", async () => {
      const none = await cli(["jobs", "failed"], db.env);
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stdout, /No failed jobs/);
      const database = (await import("../src/db/database.js")).openDatabase({
        databaseUrl: db.env.DATABASE_URL,
        dataDir: db.env.CERTYNEO_DATA_DIR,
      });
      const now = new Date().toISOString();
      await database.db
        .insertInto("jobs")
        .values({
          id: "job_stuck",
          kind: "seal_envelope",
          subject_id: "env_stuck",
          envelope_id: "env_stuck",
          account_id: "acct_x",
          environment: "live",
          state: "failed",
          attempts: 10,
          run_after: now,
          seq: 1,
          locked_until: null,
          last_error: "The stored file of document doc_x is missing.",
          created_at: now,
          updated_at: now,
        })
        .execute();
      try {
        const table = await cli(["jobs", "failed"], db.env);
        assert.match(table.stdout, /^ID +KIND +ENVELOPE/);
        assert.match(table.stdout, /job_stuck +seal_envelope +env_stuck .* is missing/);
        const json = JSON.parse((await cli(["jobs", "failed", "--json"], db.env)).stdout);
        assert.equal(json[0].id, "job_stuck");
        assert.equal(json[0].attempts, 10);

        const retried = await cli(["jobs", "retry", "job_stuck"], db.env);
        assert.equal(retried.code, 0, retried.stderr);
        assert.match(retried.stdout, /will run again/);
        const row = await database.db
          .selectFrom("jobs")
          .selectAll()
          .where("id", "=", "job_stuck")
          .executeTakeFirstOrThrow();
        assert.equal(row.state, "pending");
        assert.equal(row.attempts, 0);
        const status = await cli(["jobs", "status"], db.env);
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /^KIND +DUE +PENDING +RUNNING +FAILED +OLDEST DUE/);
        assert.match(status.stdout, /seal_envelope +1 +1 +0 +0 +\d+ s/);
        assert.match(status.stdout, /Every webhook endpoint is healthy/);
        const statusJson = JSON.parse((await cli(["jobs", "status", "--json"], db.env)).stdout);
        assert.deepEqual(
          statusJson.queue.map((q: { kind: string; due: number }) => [q.kind, q.due]),
          [["seal_envelope", 1]],
        );
        assert.deepEqual(statusJson.webhooks, []);
        const again = await cli(["jobs", "retry", "job_stuck"], db.env);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /No failed job with id "job_stuck"/);
        assert.equal((await cli(["jobs", "retry"], db.env)).code, 2);
      } finally {
        await database.db.deleteFrom("jobs").where("id", "=", "job_stuck").execute();
        await database.close();
      }
    });

    it("refuses bad usage with exit code 2 and the usage text", async () => {
      for (const args of [
        ["keys", "create"],
        ["keys", "create", "--env", "prod"],
        ["frobnicate"],
        ["keys", "revoke"],
        ["keys", "set-limit", "key_x"],
        ["keys", "set-limit", "key_x", "--burst", "0"],
        ["keys", "list", "--colour"],
      ]) {
        const res = await cli(args, db.env);
        assert.equal(res.code, 2, args.join(" "));
        assert.match(res.stderr, /Usage: certyneo/, args.join(" "));
      }
      const help = await cli(["--help"], db.env);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /keys set-limit/);
    });

    it("exports the platform's root certificate, to be trusted", async () => {
      const res = await cli(["pki", "export-root"], db.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(
        res.stdout,
        /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/,
      );
      assert.equal(
        res.stdout,
        await readFile(path.join(db.env.CERTYNEO_DATA_DIR, "pki", "root-ca.pem"), "utf8"),
      );
      assert.doesNotMatch(res.stdout + res.stderr, /PRIVATE KEY/);
      const again = await cli(["pki", "export-root"], db.env);
      assert.equal(again.stdout, res.stdout, "created once");
      // With the operator's certificate and an external timestamp authority, the platform root
      // vouches for nothing: the command says where to look instead.
      const operator = await cli(["pki", "export-root"], {
        ...db.env,
        CERTYNEO_PKCS12_PATH: "/nonexistent.p12",
        CERTYNEO_TSA_URL: "http://127.0.0.1:9/tsa",
      });
      assert.equal(operator.code, 2);
      assert.match(operator.stderr, /operator's certificate/);
    });

    it("timestamps sealed PDFs again on demand, and refuses a bad window", async () => {
      const res = await cli(["evidence", "renew", "--within-days", "30"], db.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Timestamped again: \d+ sealed PDFs\./);
      const bad = await cli(["evidence", "renew", "--within-days", "soon"], db.env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--within-days must be a whole number of days/);
    });

    it("refuses a bad configuration with one clear message and exit code 1", async () => {
      const res = await cli(["migrate"], { ...db.env, PORT: "eighty", DATABASE_URL: "mysql://x" });
      assert.equal(res.code, 1);
      assert.match(res.stderr, /Invalid configuration/);
      assert.match(res.stderr, /PORT must be a whole number/);
      assert.match(res.stderr, /DATABASE_URL must be a URL starting with postgres:\/\//);
      assert.doesNotMatch(res.stderr, /at .*\.js/);
    });
  });

  describe("against a running server", () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer();
    });
    after(() => t.close());

    it("revokes a key, effective on the server's next request", async () => {
      const { secret, keyId } = await t.newAccount();
      assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
      const res = await cli(["keys", "revoke", keyId], t.database.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, new RegExp(`Revoked ${keyId}`));
      assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 401);
      const unknown = await cli(["keys", "revoke", "key_nope"], t.database.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No API key with id "key_nope"/);
    });

    it("changes a key's rate limit without a restart", async () => {
      const { secret, keyId } = await t.newAccount();
      const res = await cli(
        ["keys", "set-limit", keyId, "--per-minute", "30", "--burst", "2"],
        t.database.env,
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /30\/min, burst 2/);
      const first = await request(t.url, "/api/v1/keys", { key: secret });
      assert.equal(first.headers.get("x-ratelimit-limit"), "2");
      await request(t.url, "/api/v1/keys", { key: secret });
      const refused = await request(t.url, "/api/v1/keys", { key: secret });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get("retry-after"), "2");
      const burstOnly = await cli(["keys", "set-limit", keyId, "--burst", "5"], t.database.env);
      assert.match(burstOnly.stdout, /30\/min, burst 5/);
    });

    it("sets who is notified, reminders and expiry, as the API then shows them", async () => {
      const { secret, accountId } = await t.newAccount();
      const set = await cli(
        [
          "settings",
          "set",
          "--env",
          "test",
          "--account",
          accountId,
          "--sender-emails",
          "ops@acme.example,legal@acme.example",
          "--sender-locale",
          "fr",
          "--reminders",
          "3,2,4",
          "--expires-after-days",
          "14",
        ],
        t.database.env,
      );
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, /ops@acme\.example, legal@acme\.example/);
      assert.match(set.stdout, /first after 3 day\(s\), then every 2, at most 4/);
      const api = await request(t.url, "/api/v1/settings", { key: secret });
      assert.deepEqual(api.body.senderEmails, ["ops@acme.example", "legal@acme.example"]);
      assert.equal(api.body.senderLocale, "fr");
      assert.deepEqual(api.body.reminders, { firstAfterDays: 3, everyDays: 2, max: 4 });
      assert.equal(api.body.expiresAfterDays, 14);

      const off = await cli(
        [
          "settings",
          "set",
          "--env",
          "test",
          "--account",
          accountId,
          "--reminders",
          "off",
          "--expires-after-days",
          "default",
          "--json",
        ],
        t.database.env,
      );
      assert.equal(off.code, 0, off.stderr);
      const json = JSON.parse(off.stdout);
      assert.equal(json.reminders, null);
      assert.equal(json.expiresAfterDays, 30);
      assert.deepEqual(json.senderEmails, ["ops@acme.example", "legal@acme.example"], "kept");
      const live = await cli(
        ["settings", "show", "--env", "live", "--account", accountId, "--json"],
        t.database.env,
      );
      assert.deepEqual(JSON.parse(live.stdout).senderEmails, [], "live is set apart");

      const bad = await cli(
        [
          "settings",
          "set",
          "--env",
          "test",
          "--account",
          accountId,
          "--sender-emails",
          "not-an-address",
        ],
        t.database.env,
      );
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /"not-an-address" is not an email address/);
      const usage = await cli(
        ["settings", "set", "--env", "test", "--account", accountId, "--reminders", "3,2"],
        t.database.env,
      );
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--reminders is FIRST,EVERY,MAX/);
    });

    it("empties an account's test environment, named explicitly", async () => {
      const { accountId, secret } = await t.newAccount("test");
      const live = await t.newKey(accountId, "live");
      await uploadDocument(t.url, secret);
      await uploadDocument(t.url, live.secret);
      const unnamed = await cli(["sandbox", "reset"], t.database.env);
      assert.equal(unnamed.code, 2);
      assert.match(unnamed.stderr, /sandbox reset needs --account/);
      const unknown = await cli(["sandbox", "reset", "--account", "acct_nope"], t.database.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No account with id "acct_nope"/);
      const res = await cli(["sandbox", "reset", "--account", accountId, "--json"], t.database.env);
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), {
        object: "sandbox_reset",
        deleted: { envelopes: 0, documents: 1, webhooks: 0, events: 0 },
      });
      assert.equal(
        (await request(t.url, "/api/v1/documents", { key: secret })).body.data.length,
        0,
      );
      assert.equal(
        (await request(t.url, "/api/v1/documents", { key: live.secret })).body.data.length,
        1,
      );
    });
  });

  describe("serve", () => {
    let db: TestDatabase;
    let child: ChildProcess | undefined;
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      child?.kill("SIGKILL");
      await db.drop();
    });

    async function serve(port: number, env: Record<string, string> = {}) {
      const proc = spawn(process.execPath, [BIN, "serve"], {
        env: { PATH: process.env.PATH, LOG_LEVEL: "info", PORT: String(port), ...db.env, ...env },
      });
      child = proc;
      let stdout = "";
      let stderr = "";
      proc.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      proc.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const stop = () =>
        new Promise<number | null>((resolve) => {
          proc.once("exit", (code) => resolve(code));
          proc.kill("SIGTERM");
        });
      return { url, output: () => stdout, banner: () => stderr, stop };
    }

    it("creates an account and prints one test key on the first start only", async () => {
      const first = await serve(await freePort());
      await new Promise((r) => setTimeout(r, 200));
      // The banner on stderr: stdout is the log alone, a JSON object a line (for jq).
      const secret = /sk_test_[0-9A-Za-z]{32}/.exec(first.banner())?.[0];
      assert.ok(secret, first.banner());
      assert.doesNotMatch(first.output(), /sk_test_/);
      assert.equal((await request(first.url, "/api/v1/keys", { key: secret })).status, 200);
      // The owner's way into the dashboard, printed next to the key.
      const link = /\/app\/sign-in#token=([0-9A-Za-z]{43})/.exec(first.banner())?.[1];
      assert.ok(link, first.banner());
      assert.match(first.banner(), /sign in as owner@localhost \(owner\)/);
      const signedIn = await request(first.url, "/api/v1/session", {
        method: "POST",
        json: { token: link },
      });
      assert.equal(signedIn.status, 200);
      assert.equal(signedIn.body.user.role, "owner");
      // Written once answered, it comes through a pipe: it may arrive after the answer.
      await until(async () => first.output().includes('"path":"/api/v1/keys"'), "its log line");
      const logLines = first.output().split("\n").filter(Boolean);
      const entries = logLines.map((line) => JSON.parse(line));
      // One line per request, with what an operator looks for.
      const requestLogs = entries.filter((e) => e.msg === "request" && e.path === "/api/v1/keys");
      assert.equal(requestLogs.length, 1, logLines.join("\n"));
      for (const entry of requestLogs) {
        assert.match(entry.requestId, /^req_/);
        assert.equal(entry.method, "GET");
        assert.equal(entry.path, "/api/v1/keys");
        assert.equal(entry.status, 200);
        assert.equal(typeof entry.durationMs, "number");
      }
      assert.ok(
        !entries.some((e) => e.msg === "incoming request" || e.msg === "request completed"),
      );
      for (const line of logLines) assert.doesNotMatch(line, /sk_test_|authorization/i);
      // A signing link's token is a bearer secret too: its paths are logged without it.
      const token = "tok3nThatMustNotBeLogged";
      await fetch(`${first.url}/sign/${token}?x=1`);
      await fetch(`${first.url}/api/v1/signing/${token}`);
      await until(
        async () => first.output().includes('"path":"/api/v1/signing/[redacted]"'),
        "the signing API's log line",
      );
      assert.match(first.output(), /"path":"\/sign\/\[redacted\]\?x=1"/);
      assert.doesNotMatch(first.output(), new RegExp(token));
      const warned = entries.some((e) => e.level === 40 && /CERTYNEO_SECRET_KEY/.test(e.msg));
      assert.equal(
        warned,
        testDatabaseKind === "postgres",
        "a cluster without a shared secret is warned about",
      );
      assert.equal(await first.stop(), 0);

      const second = await serve(await freePort());
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(second.output() + second.banner(), /sk_test_|sign-in#token/);
      assert.equal((await request(second.url, "/api/v1/keys", { key: secret })).status, 200);
      assert.equal(await second.stop(), 0);
    });

    it("logs readable lines for a person with LOG_FORMAT=pretty", async () => {
      const pretty = await serve(await freePort(), { LOG_FORMAT: "pretty" });
      await fetch(`${pretty.url}/healthz`);
      await until(async () => pretty.output().includes("/healthz"), "its log line");
      const line = pretty
        .output()
        .split("\n")
        .find((l) => l.includes("/healthz"))!;
      assert.ok(!line.startsWith("{"), line);
      assert.match(line, /INFO: request GET \/healthz 200 [\d.]+ ms 127\.0\.0\.1 req_\w+$/);
      assert.equal(await pretty.stop(), 0);
    });
  });
});
