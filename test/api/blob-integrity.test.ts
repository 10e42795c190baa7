import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FilesystemBlobStore } from "../../src/storage/filesystem-blob-store.js";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { freePort } from "../helpers/ports.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { until } from "../helpers/wait.js";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

const ROUNDS = 30;
/** Distinct contents raced at once in each round. */
const PARALLEL = 6;

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every stored file holding exactly these bytes, whatever the store's layout. */
async function filesWithContent(root: string, sha: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (sha256(await readFile(file)) === sha) found.push(file);
  }
  return found;
}

async function content(t: TestServer, key: string, id: string) {
  const res = await fetch(`${t.url}/api/v1/documents/${id}/content`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes };
}

async function allDocuments(t: TestServer, key: string): Promise<{ id: string; sha256: string }[]> {
  const documents: { id: string; sha256: string }[] = [];
  let after: string | null = null;
  do {
    const query: string = after ? `?limit=100&after=${after}` : "?limit=100";
    const page = await request(t.url, `/api/v1/documents${query}`, { key });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    documents.push(...page.body.data);
    after = page.body.nextCursor;
  } while (after);
  return documents;
}

/**
 * A second instance in its own process, on the same database and data directory: two servers
 * behind a load balancer, or the server and the CLI. (Two SQLite connections in one process would
 * block each other's event loop while one waits for the other's lock.)
 */
async function spawnInstance(
  env: Record<string, string>,
): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN, "serve"], {
    env: { PATH: process.env.PATH, LOG_LEVEL: "silent", PORT: String(port), ...env },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error("instance did not start");
    await sleep(100);
  }
  return { url, proc };
}

describe("stored files shared by content", () => {
  let t: TestServer;
  let other: { url: string; proc: ChildProcess } | undefined;
  let keyA: string;
  let keyB: string;
  const realDelete = FilesystemBlobStore.prototype.delete;
  before(async () => {
    // A slow disk in this process: removing a file takes a few milliseconds, so that the other
    // requests have time to act between "no row uses it" and its removal if nothing orders them.
    FilesystemBlobStore.prototype.delete = async function (this: FilesystemBlobStore, sha) {
      await sleep(5);
      return realDelete.call(this, sha);
    };
    // Many requests in a short time: the per-key limit is lifted.
    // Stored files on disk, where the slow delete above applies.
    const env = {
      CERTYNEO_RATE_LIMIT_PER_MINUTE: "1000000",
      CERTYNEO_RATE_LIMIT_BURST: "1000000",
      CERTYNEO_BLOB_STORE: "filesystem",
    };
    t = await startTestServer({ env });
    other = await spawnInstance({ ...env, ...t.database.env });
    ({ secret: keyA } = await t.newAccount());
    ({ secret: keyB } = await t.newAccount());
  });
  after(async () => {
    if (other && other.proc.exitCode === null) {
      const exited = new Promise((resolve) => other!.proc.once("exit", resolve));
      other.proc.kill("SIGTERM");
      await exited;
    }
    await t.close();
    FilesystemBlobStore.prototype.delete = realDelete;
  });

  async function upload(
    key: string,
    pdf: Buffer,
    via: { url: string } = t,
  ): Promise<{ id: string } | undefined> {
    const res = await request(via.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { name: "shared.pdf", content: pdf.toString("base64") },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  async function remove(key: string, id: string): Promise<void> {
    const res = await request(t.url, `/api/v1/documents/${id}`, { method: "DELETE", key });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  it("keeps every document's bytes, whatever the interleaving of uploads and deletes across accounts", async () => {
    const expected = new Map<string, string>(); // sha256 of each content raced
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: PARALLEL }, async (_, i) => {
          // Unique bytes per race: the page width differs.
          const pdf = await makePdf([{ width: 200 + round * PARALLEL + i, height: 300 }]);
          expected.set(sha256(pdf), "");
          const first = await upload(keyA, pdf);
          // The delete starts a little after, before or during the other uploads, which go
          // through either instance.
          await Promise.all([
            sleep(Math.floor(Math.random() * 4)).then(() => remove(keyA, first!.id)),
            upload(keyB, pdf, i % 2 === 0 ? other! : t),
            sleep(Math.floor(Math.random() * 4)).then(() =>
              upload(keyA, pdf, i % 2 === 0 ? t : other!),
            ),
          ]);
        }),
      );
    }
    let checked = 0;
    const missing: string[] = [];
    for (const key of [keyA, keyB]) {
      for (const document of await allDocuments(t, key)) {
        const res = await content(t, key, document.id);
        if (res.status !== 200) {
          missing.push(`${document.id}: ${res.status} ${res.bytes.toString()}`);
          continue;
        }
        assert.equal(sha256(res.bytes), document.sha256, `the bytes of ${document.id}`);
        assert.ok(expected.has(document.sha256));
        checked++;
      }
    }
    assert.deepEqual(missing, [], `${missing.length} documents lost their bytes`);
    assert.equal(checked, ROUNDS * PARALLEL * 2, "each race leaves two documents");
  });

  it("keeps a sealed PDF's bytes when a document with the same bytes is deleted", async () => {
    const doc = await uploadDocument(t.url, keyA);
    const sent = await sendEnvelope(t.url, keyA, {
      documentIds: [doc.id],
      recipients: [signer(1)],
    });
    const token = sent.recipients[0].signUrl.split("/sign/")[1];
    const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Signer 1" } },
    });
    assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
    const signedPdf = async () => {
      const res = await fetch(
        `${t.url}/api/v1/envelopes/${sent.id}/signed-document?documentId=${doc.id}`,
        { headers: { authorization: `Bearer ${keyA}` } },
      );
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    };
    // Sealed by this instance or by the other one, woken at once by the commit.
    await t.app.worker.runDue();
    let before = await signedPdf();
    await until(async () => {
      before = await signedPdf();
      return before.status !== 409;
    }, "the seal");
    assert.equal(before.status, 200);

    // Another account uploads the signed PDF it received, then deletes it.
    const copy = await upload(keyB, before.bytes);
    await remove(keyB, copy!.id);

    const afterDelete = await signedPdf();
    assert.equal(afterDelete.status, 200, afterDelete.bytes.toString());
    assert.ok(afterDelete.bytes.equals(before.bytes));
  });

  it("answers 410 document_content_missing when a stored file is gone, never a 500", async () => {
    const doc = await uploadDocument(t.url, keyA);
    const sent = await sendEnvelope(t.url, keyA, {
      documentIds: [doc.id],
      recipients: [signer(1)],
    });
    const token = sent.recipients[0].signUrl.split("/sign/")[1];
    const blobs = path.join(t.app.config.dataDir, "blobs");
    const files = await filesWithContent(blobs, doc.sha256);
    assert.ok(files.length > 0);
    // Not a state the API can reach: an operator's disk lost the file.
    for (const file of files) await rename(file, `${file}.away`);
    try {
      const res = await request(t.url, `/api/v1/documents/${doc.id}/content`, { key: keyA });
      assert.equal(res.status, 410, JSON.stringify(res.body));
      assert.equal(res.body.error.type, "invalid_request_error");
      assert.equal(res.body.error.code, "document_content_missing");
      assert.match(res.body.error.message, /stored file of document doc_\w+ is missing/);
      assert.match(res.body.error.message, /operator/);
      assert.equal(res.body.error.requestId, res.headers.get("x-request-id"));

      const signerView = await request(t.url, `/api/v1/signing/${token}/documents/${doc.id}`);
      assert.equal(signerView.status, 410, JSON.stringify(signerView.body));
      assert.equal(signerView.body.error.code, "document_content_missing");
    } finally {
      for (const file of files) await rename(`${file}.away`, file);
    }
    const restored = await content(t, keyA, doc.id);
    assert.equal(restored.status, 200);
    assert.equal(sha256(restored.bytes), doc.sha256);
  });
});
