import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { bigPdf } from "../../bench/big-pdf.js";
import { filesUnder } from "../helpers/files.js";
import { sealedEnvelope, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const BUCKET = "certyneo-files";
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

/**
 * Stored files in an S3-compatible bucket, against s3rver (the S3 server the npm registry offers;
 * MinIO and the others are not served by npm nor Debian), on 127.0.0.1.
 */
describe("the S3 blob store", () => {
  let s3: S3rver;
  let directory: string;
  let endpoint: string;
  let t: TestServer;
  let key: string;
  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "certyneo-s3-"));
    s3 = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = (await s3.run()) as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
    // The AWS SDK reads its standard variables from the process, as it would in production
    // (this file runs in a process of its own).
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      ...CREDENTIALS,
    });
    t = await startTestServer({
      env: {
        CERTYNEO_BLOB_STORE: "s3",
        CERTYNEO_S3_BUCKET: BUCKET,
        CERTYNEO_S3_PREFIX: "deployment-a/",
        CERTYNEO_S3_FORCE_PATH_STYLE: "true",
      },
    });
    ({ secret: key } = await t.newAccount());
  });
  after(async () => {
    await t.close();
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  });

  async function objects(): Promise<string[]> {
    const client = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    client.destroy();
    return (listed.Contents ?? []).map((o) => o.Key!).sort();
  }

  it("stores uploads as objects under the prefix, nothing on disk, and reads them whole and by ranges", async () => {
    // 20 MB: sent to the bucket as a multipart upload, 8 MB a part.
    const pdf = bigPdf(20, 20 * 1024 * 1024);
    const form = new FormData();
    form.append("file", new Blob([pdf], { type: "application/pdf" }), "scan.pdf");
    const uploaded = await fetch(`${t.url}/api/v1/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    assert.equal(uploaded.status, 201);
    const doc: any = await uploaded.json();
    const sha = doc.sha256 as string;
    assert.ok(
      (await objects()).includes(`deployment-a/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`),
    );
    assert.deepEqual(await filesUnder(path.join(t.app.config.dataDir, "blobs")), []);

    const whole = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(pdf));
    const part = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
      headers: { authorization: `Bearer ${key}`, range: "bytes=8388600-8388700" },
    });
    assert.equal(part.status, 206);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(pdf.subarray(8388600, 8388701)));
  });

  it("seals an envelope from the bucket, and deletes an unused document's object", async () => {
    const id = await sealedEnvelope(t, key, "Sealed from the bucket");
    const signed = await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(signed.status, 200);
    assert.match(
      Buffer.from(await signed.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      /^%PDF-/,
    );

    const spare = await uploadDocument(t.url, key, ["letter"]);
    const before = await objects();
    const deleted = await request(t.url, `/api/v1/documents/${spare.id}`, {
      method: "DELETE",
      key,
    });
    assert.equal(deleted.status, 200);
    const after = await objects();
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.some((name) => name.endsWith(spare.sha256)));
    const envelope = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    const kept = envelope.body.documents[0].id;
    const gone = await request(t.url, `/api/v1/documents/${kept}/content`, { key });
    assert.equal(gone.status, 200, "the sealed envelope's document is kept");
  });
});
