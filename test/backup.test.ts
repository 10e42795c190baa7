import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { testDatabaseKind } from "./helpers/database.js";
import { sealedEnvelope, uploadDocument } from "./helpers/fixtures.js";
import { makePdf } from "./helpers/pdf.js";
import { request, startTestServer, type TestServer } from "./helpers/server.js";

const BIN = new URL("../bin/certyneo", import.meta.url).pathname;

function cli(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, LOG_LEVEL: "silent", ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe("certyneo backup", () => {
  let t: TestServer;
  let key: string;
  let dir: string;
  before(async () => {
    t = await startTestServer();
    const account = await t.newAccount();
    key = account.secret;
    // Writes go on as fast as they can while the copy is made.
    await t.app.keys.setRateLimit(account.keyId, { perMinute: 1_000_000, burst: 1_000_000 });
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-backup-"));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("copies a SQLite deployment while it serves, and the copy serves the same", {
    skip: testDatabaseKind === "postgres" ? "a SQLite deployment's command" : false,
  }, async () => {
    const envelopeId = await sealedEnvelope(t, key, "Backed up");
    // Traffic while the copy is made: uploads, and deletes of what was just uploaded.
    let writing = true;
    const traffic = (async () => {
      let n = 0;
      while (writing) {
        const doc = await uploadDocument(t.url, key, [n % 2 ? "a4" : "letter"]);
        if (n % 3 === 0)
          await request(t.url, `/api/v1/documents/${doc.id}`, { method: "DELETE", key });
        n++;
      }
      return n;
    })();
    const target = path.join(dir, "copy");
    const result = await cli(["backup", target, "--json"], t.database.env);
    writing = false;
    const uploads = await traffic;
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.object, "backup");
    assert.equal(report.secretIncluded, true);
    assert.ok(report.files >= 2, "the document and its sealed PDF at least");
    assert.ok(uploads > 0, "writes went on during the backup");
    assert.equal(statSync(target).mode & 0o777, 0o700);

    // Served from the copy (a restore): the key, the envelope, its events and every file.
    const restored = await startTestServer({ env: { CERTYNEO_DATA_DIR: target } });
    try {
      const envelope = await request(restored.url, `/api/v1/envelopes/${envelopeId}`, { key });
      assert.equal(envelope.status, 200);
      assert.equal(envelope.body.status, "COMPLETED");
      const download = async (url: string, base: string) => {
        const response = await fetch(base + url, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(response.status, 200, url);
        return Buffer.from(await response.arrayBuffer());
      };
      const signedUrl = `/api/v1/envelopes/${envelopeId}/signed-document`;
      const signed = await download(signedUrl, restored.url);
      assert.ok(signed.equals(await download(signedUrl, t.url)), "the same sealed PDF");
      const form = new FormData();
      form.append("file", new Blob([signed], { type: "application/pdf" }), "signed.pdf");
      const verified = await (
        await fetch(`${restored.url}/api/v1/verify`, { method: "POST", body: form })
      ).json();
      assert.equal((verified as { result: string }).result, "sealed_unchanged", "same root");
      const events = await request(restored.url, `/api/v1/envelopes/${envelopeId}/events`, {
        key,
      });
      assert.ok(events.body.data.length > 0);
      // Every document the copy lists has its file: the copy is consistent.
      let after: string | undefined;
      let documents = 0;
      do {
        const page = await request(
          restored.url,
          `/api/v1/documents?limit=100${after ? `&after=${after}` : ""}`,
          { key },
        );
        for (const doc of page.body.data) {
          await download(`/api/v1/documents/${doc.id}/content`, restored.url);
          documents++;
        }
        after = page.body.nextCursor ?? undefined;
      } while (after);
      assert.ok(documents >= 1);
    } finally {
      await restored.close();
    }
  });

  it("refuses a directory that is not empty, and a PostgreSQL deployment", async () => {
    const full = path.join(dir, "full");
    await rm(full, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(full));
    await writeFile(path.join(full, "something"), await makePdf());
    const refused = await cli(["backup", full], {
      CERTYNEO_DATA_DIR: t.database.env.CERTYNEO_DATA_DIR,
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not empty/);
    const postgres = await cli(["backup", path.join(dir, "pg")], {
      ...t.database.env,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
    });
    assert.equal(postgres.code, 2);
    assert.match(postgres.stderr, /pg_dump/);
  });
});
