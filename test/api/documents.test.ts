import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { filesUnder } from "../helpers/files.js";
import { badFiles, makePdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const MAX_BYTES = 64 * 1024;

function multipart(
  bytes: Buffer,
  fileName = "contrat.pdf",
  extra: Record<string, string> = {},
): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(extra)) form.append(key, value);
  form.append("file", new Blob([bytes], { type: "application/pdf" }), fileName);
  return form;
}

describe("documents", () => {
  let t: TestServer;
  let key: string;
  let blobsDir: string;
  before(async () => {
    t = await startTestServer({
      // Stored files are looked for on disk.
      env: { CERTYNEO_MAX_DOCUMENT_BYTES: String(MAX_BYTES), CERTYNEO_BLOB_STORE: "filesystem" },
    });
    ({ secret: key } = await t.newAccount());
    blobsDir = path.join(t.database.env.CERTYNEO_DATA_DIR, "blobs");
  });
  after(() => t.close());

  async function upload(form: FormData, secret = key) {
    const response = await fetch(`${t.url}/api/v1/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  it("uploads a PDF as multipart, the way the quick start does", async () => {
    const pdf = await makePdf(["a4", "letter", { width: 842, height: 595 }]);
    const res = await upload(multipart(pdf));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.id, /^doc_[0-9A-Za-z]{24}$/);
    assert.equal(res.body.object, "document");
    assert.equal(res.body.name, "contrat.pdf");
    assert.equal(res.body.contentType, "application/pdf");
    assert.equal(res.body.size, pdf.length);
    assert.equal(res.body.pages, 3);
    assert.deepEqual(res.body.pageSizes, [
      { width: 595.28, height: 841.89 },
      { width: 612, height: 792 },
      { width: 842, height: 595 },
    ]);
    assert.equal(res.body.sha256, createHash("sha256").update(pdf).digest("hex"));
    assert.equal(res.body.environment, "test");
    assert.equal(res.body.createdAt, t.clock.now().toISOString());

    const content = await fetch(`${t.url}/api/v1/documents/${res.body.id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(content.status, 200);
    assert.equal(content.headers.get("content-type"), "application/pdf");
    assert.match(
      content.headers.get("content-disposition") ?? "",
      /^attachment; filename="contrat.pdf"/,
    );
    assert.ok(Buffer.from(await content.arrayBuffer()).equals(pdf));

    const meta = await request(t.url, `/api/v1/documents/${res.body.id}`, { key });
    assert.deepEqual(meta.body, res.body);
  });

  it("takes the name field before or after the file, and cleans it", async () => {
    const pdf = await makePdf();
    const before = await upload(multipart(pdf, "x.pdf", { name: "Avenant n°2.pdf" }));
    assert.equal(before.body.name, "Avenant n°2.pdf");
    const form = multipart(pdf, "C:\\Users\\marie\\contrat signé.pdf");
    form.append("name", "  Contrat\u0000 final.pdf ");
    const afterFile = await upload(form);
    assert.equal(afterFile.status, 201);
    assert.equal(afterFile.body.name, "Contrat final.pdf");
    const fromPath = await upload(multipart(pdf, "C:\\Users\\marie\\contrat signé.pdf"));
    assert.equal(fromPath.body.name, "contrat signé.pdf");
    const content = await fetch(`${t.url}/api/v1/documents/${fromPath.body.id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.match(
      content.headers.get("content-disposition") ?? "",
      /filename\*=UTF-8''contrat%20sign%C3%A9\.pdf/,
    );
  });

  it("uploads a PDF as JSON base64, with or without a data: prefix", async () => {
    const pdf = await makePdf(["letter"]);
    for (const content of [
      pdf.toString("base64"),
      `data:application/pdf;base64,${pdf.toString("base64")}`,
    ]) {
      const res = await request(t.url, "/api/v1/documents", {
        method: "POST",
        key,
        json: { name: "contrat.pdf", content },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.pages, 1);
      assert.equal(res.body.size, pdf.length);
    }
    const unnamed = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: pdf.toString("base64") },
    });
    assert.equal(unnamed.body.name, "document.pdf");
  });

  it("refuses bad files with a precise code and keeps nothing", async () => {
    const before = await filesUnder(blobsDir);
    const { body: listBefore } = await request(t.url, "/api/v1/documents?limit=100", { key });
    for (const bad of await badFiles()) {
      const viaMultipart = await upload(multipart(bad.bytes));
      assert.equal(
        viaMultipart.status,
        bad.status,
        `${bad.label}: ${JSON.stringify(viaMultipart.body)}`,
      );
      assert.equal(viaMultipart.body.error.code, bad.code, bad.label);
      assert.equal(viaMultipart.body.error.param, "file", bad.label);
      if (bad.bytes.length === 0) continue; // JSON refuses an empty string before decoding
      const viaJson = await request(t.url, "/api/v1/documents", {
        method: "POST",
        key,
        json: { content: bad.bytes.toString("base64") },
      });
      assert.equal(viaJson.status, bad.status, bad.label);
      assert.equal(viaJson.body.error.code, bad.code, bad.label);
    }
    assert.deepEqual(await filesUnder(blobsDir), before);
    const { body: listAfter } = await request(t.url, "/api/v1/documents?limit=100", { key });
    assert.deepEqual(listAfter.data, listBefore.data);
  });

  it("refuses a file one byte over the limit with 413, and accepts one at the limit", async () => {
    const pdf = await makePdf();
    const pad = (size: number) => Buffer.concat([pdf, Buffer.alloc(size - pdf.length, 0x20)]);
    const before = await filesUnder(blobsDir);
    const over = await upload(multipart(pad(MAX_BYTES + 1)));
    assert.equal(over.status, 413);
    assert.equal(over.body.error.code, "document_too_large");
    assert.match(over.body.error.message, /0\.1 MB|64/);
    const overJson = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: pad(MAX_BYTES + 1).toString("base64") },
    });
    assert.equal(overJson.status, 413);
    assert.equal(overJson.body.error.code, "document_too_large");
    assert.deepEqual(await filesUnder(blobsDir), before);
    const atLimit = await upload(multipart(pad(MAX_BYTES)));
    assert.equal(atLimit.status, 201, JSON.stringify(atLimit.body));
    assert.equal(atLimit.body.size, MAX_BYTES);
  });

  it("refuses malformed uploads with 400", async () => {
    const pdf = await makePdf();
    const noFile = new FormData();
    noFile.append("name", "x.pdf");
    assert.equal((await upload(noFile)).body.error.code, "parameter_missing");
    const wrongPart = new FormData();
    wrongPart.append("document", new Blob([pdf]), "x.pdf");
    const wrong = await upload(wrongPart);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, "parameter_unknown");
    const notBase64 = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: "%%%not base64%%%" },
    });
    assert.equal(notBase64.status, 400);
    assert.equal(notBase64.body.error.param, "content");
    const missing = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { name: "x.pdf" },
    });
    assert.equal(missing.body.error.code, "parameter_missing");
    assert.equal(missing.body.error.param, "content");
    const text = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 415);
  });

  it("stores identical content once, and deletes it with its last document", async () => {
    const pdf = await makePdf(["legal"]);
    const first = await upload(multipart(pdf));
    const second = await upload(multipart(pdf));
    assert.equal(first.body.sha256, second.body.sha256);
    const blobFiles = () =>
      filesUnder(blobsDir).then((files) => files.filter((f) => f.endsWith(first.body.sha256)));
    assert.equal((await blobFiles()).length, 1);
    const deleted = await request(t.url, `/api/v1/documents/${first.body.id}`, {
      method: "DELETE",
      key,
    });
    assert.deepEqual(deleted.body, { id: first.body.id, object: "document", deleted: true });
    assert.equal((await blobFiles()).length, 1);
    assert.equal((await request(t.url, `/api/v1/documents/${first.body.id}`, { key })).status, 404);
    await request(t.url, `/api/v1/documents/${second.body.id}`, { method: "DELETE", key });
    assert.equal((await blobFiles()).length, 0);
    const again = await request(t.url, `/api/v1/documents/${second.body.id}`, {
      method: "DELETE",
      key,
    });
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, "document_not_found");
  });

  it("lists newest first with a cursor, and isolates accounts and environments", async () => {
    const account = await t.newAccount();
    const live = await t.newKey(account.accountId, "live");
    const other = await t.newAccount();
    const pdf = await makePdf();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      ids.push((await upload(multipart(pdf), account.secret)).body.id);
    }
    const page1 = await request(t.url, "/api/v1/documents?limit=2", { key: account.secret });
    assert.deepEqual(
      page1.body.data.map((d: any) => d.id),
      [ids[2], ids[1]],
    );
    assert.equal(page1.body.hasMore, true);
    const page2 = await request(t.url, `/api/v1/documents?limit=2&after=${page1.body.nextCursor}`, {
      key: account.secret,
    });
    assert.deepEqual(
      page2.body.data.map((d: any) => d.id),
      [ids[0]],
    );
    assert.equal(page2.body.hasMore, false);

    for (const secret of [live.secret, other.secret]) {
      assert.deepEqual((await request(t.url, "/api/v1/documents", { key: secret })).body.data, []);
      for (const path of [`/api/v1/documents/${ids[0]}`, `/api/v1/documents/${ids[0]}/content`]) {
        const res = await request(t.url, path, { key: secret });
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, "document_not_found");
      }
      assert.equal(
        (await request(t.url, `/api/v1/documents/${ids[0]}`, { method: "DELETE", key: secret }))
          .status,
        404,
      );
    }
    assert.equal(
      (await request(t.url, `/api/v1/documents/${ids[0]}`, { key: account.secret })).status,
      200,
    );
  });
});
