import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { bigPdf } from "../../bench/big-pdf.js";
import { THREAD_CONNECTION_NAME } from "../../src/db/copy-out.js";
import { DEFAULT_PDF_LIMITS } from "../../src/pdf/pdf-limits.js";
import { copyIntoDatabase } from "../../src/services/blob-references.js";
import { BlobMissingError } from "../../src/storage/blob-store.js";
import { chunkRows } from "../../src/storage/chunk-rows.js";
import { CHUNK_BYTES, type DatabaseBlobStore } from "../../src/storage/database-blob-store.js";
import { readStoredFile, storedFileChunks } from "../../src/storage/stored-file.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { filesUnder } from "../helpers/files.js";
import { sealedEnvelope, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const DATABASE = { CERTYNEO_BLOB_STORE: "database" };

/** Stored files kept in the database (the default on PostgreSQL), on either database. */
describe("the database blob store", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer({ env: DATABASE });
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  const db = () => t.app.database.db;
  const storedFiles = () => filesUnder(path.join(t.app.config.dataDir, "blobs"));

  async function upload(bytes: Buffer, name = "scan.pdf") {
    const res = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { name, content: bytes.toString("base64") },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  it("keeps a file in chunks of 1 MB, nothing on disk, and serves it whole and by ranges", async () => {
    const pdf = bigPdf(5, Math.round(2.5 * CHUNK_BYTES));
    const doc = await upload(pdf);
    const row = await db()
      .selectFrom("stored_blobs")
      .selectAll()
      .where("sha256", "=", doc.sha256)
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.size), pdf.length);
    const chunks = await db()
      .selectFrom("stored_blob_chunks")
      .select("seq")
      .where("sha256", "=", doc.sha256)
      .orderBy("seq")
      .execute();
    assert.deepEqual(
      chunks.map((c) => Number(c.seq)),
      [0, 1, 2],
    );
    assert.deepEqual(await storedFiles(), [], "nothing left on disk, staging included");

    const whole = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(pdf));
    // Across the boundary between the first two chunks, and the very end.
    for (const [start, end] of [
      [CHUNK_BYTES - 100, CHUNK_BYTES + 100],
      [pdf.length - 10, pdf.length - 1],
      [0, 0],
    ] as const) {
      const part = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
        headers: { authorization: `Bearer ${key}`, range: `bytes=${start}-${end}` },
      });
      assert.equal(part.status, 206);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(pdf.subarray(start, end + 1)));
    }
  });

  it("reads chunks on PostgreSQL as bytes (COPY in binary), and gives a connection back after a failed COPY", async () => {
    const { copyOut } = t.app.database;
    if (t.app.database.dialect === "sqlite") {
      assert.equal(copyOut, undefined, "SQLite selects its blobs as bytes already");
      return;
    }
    assert.ok(copyOut);
    const pdf = bigPdf(3, Math.round(1.5 * CHUNK_BYTES));
    const doc = await upload(pdf, "copied.pdf");
    const rows = chunkRows(
      await copyOut(
        `copy (select seq, data from stored_blob_chunks where sha256 = '${doc.sha256}' order by seq) to stdout (format binary)`,
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.seq),
      [0, 1],
    );
    assert.ok(Buffer.concat(rows.map((r) => r.data)).equals(pdf));
    // Every connection of the pool made to fail a COPY: each is closed, none is reused broken.
    for (let i = 0; i < 12; i++)
      await assert.rejects(copyOut("copy (select no_such_column from stored_blobs) to stdout"));
    const read = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.ok(Buffer.from(await read.arrayBuffer()).equals(pdf));
  });

  it("lets worker threads read a stored file on their own connection (PostgreSQL)", async () => {
    const pdf = bigPdf(4, Math.round(2.2 * CHUNK_BYTES));
    const doc = await upload(pdf, "threads.pdf");
    const ref = await t.app.blobs.threadRef?.(doc.sha256);
    if (t.app.database.dialect === "sqlite") {
      assert.equal(ref, undefined, "on SQLite the bytes are read where they are needed");
      return;
    }
    assert.ok(ref && "chunks" in ref, JSON.stringify(ref));
    assert.equal(ref.chunks.size, pdf.length);
    assert.equal(ref.chunks.sha256, doc.sha256);
    // A PDF thread reads it by itself, on a connection named for operators (pg_stat_activity).
    const facts = await t.app.pdf.inspect(ref, DEFAULT_PDF_LIMITS);
    assert.equal(facts.pages.length, 4);
    const threads = await sql<{ count: string }>`
      select count(*) as count from pg_stat_activity
      where datname = current_database() and application_name = ${THREAD_CONNECTION_NAME}`.execute(
      db(),
    );
    assert.ok(Number(threads.rows[0]!.count) >= 1, "a worker thread's own connection");
    assert.ok((await readStoredFile(ref)).equals(pdf));
    const chunks: Buffer[] = [];
    for await (const chunk of storedFileChunks(ref)) chunks.push(chunk);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [CHUNK_BYTES, CHUNK_BYTES, pdf.length - 2 * CHUNK_BYTES],
    );
    // A file whose rows went after the reference was taken: the typed error, from either reader.
    await db().deleteFrom("stored_blob_chunks").where("sha256", "=", doc.sha256).execute();
    await assert.rejects(readStoredFile(ref), BlobMissingError);
    await assert.rejects(t.app.pdf.inspect(ref, DEFAULT_PDF_LIMITS), BlobMissingError);
  });

  it("seals an envelope whose files are in the database, and keeps the sealed PDF there", async () => {
    const id = await sealedEnvelope(t, key, "Sealed from the database");
    const signed = await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(signed.status, 200);
    const sealed = await db()
      .selectFrom("sealed_documents")
      .innerJoin("stored_blobs", "stored_blobs.sha256", "sealed_documents.sha256")
      .select("stored_blobs.size")
      .where("sealed_documents.envelope_id", "=", id)
      .execute();
    assert.ok(sealed.length > 0, "the sealed PDF is a stored file of the database");
    assert.deepEqual(await storedFiles(), []);
  });

  it("answers 410 document_content_missing when a file's rows are gone, and deletes with its rows", async () => {
    const doc = await upload(bigPdf(2, 50_000), "gone.pdf");
    await db().deleteFrom("stored_blob_chunks").where("sha256", "=", doc.sha256).execute();
    const missing = await request(t.url, `/api/v1/documents/${doc.id}/content`, { key });
    assert.equal(missing.status, 410);
    assert.equal(missing.body.error.code, "document_content_missing");

    const kept = await upload(bigPdf(2, 60_000), "kept.pdf");
    const deleted = await request(t.url, `/api/v1/documents/${kept.id}`, {
      method: "DELETE",
      key,
    });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    for (const table of ["stored_blobs", "stored_blob_chunks"] as const) {
      const rows = await db()
        .selectFrom(table)
        .select("sha256")
        .where("sha256", "=", kept.sha256)
        .execute();
      assert.deepEqual(rows, [], `${table} emptied`);
    }
  });
});

describe("moving to the database blob store", () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.drop());

  it("still reads the files stored on disk before, and copies them in (certyneo blobs copy)", async () => {
    const before = await startTestServer({ database, env: { CERTYNEO_BLOB_STORE: "filesystem" } });
    const { secret } = await before.newAccount();
    const old = await uploadDocument(before.url, secret);
    const gone = await uploadDocument(before.url, secret, ["letter"]);
    await before.close();
    const blobs = path.join(database.env.CERTYNEO_DATA_DIR, "blobs");
    assert.equal((await filesUnder(blobs)).length, 2);

    const now = await startTestServer({ database, env: DATABASE });
    const content = (id: string) =>
      fetch(`${now.url}/api/v1/documents/${id}/content`, {
        headers: { authorization: `Bearer ${secret}` },
      });
    try {
      const read = await content(old.id);
      assert.equal(read.status, 200);
      assert.equal(Buffer.from(await read.arrayBuffer()).length, old.size);
      await uploadDocument(now.url, secret, ["a4", "a4"]);
      assert.equal((await filesUnder(blobs)).length, 2, "a new upload goes to the database");

      // One file lost from this disk: reported, the others copied, checked by their hash.
      const [lost] = (await filesUnder(blobs)).filter((f) => f.endsWith(gone.sha256));
      await rm(lost!);
      const copy = () =>
        copyIntoDatabase(
          now.app.database.db,
          now.app.database.dialect,
          now.app.blobs as DatabaseBlobStore,
        );
      assert.deepEqual(await copy(), {
        copied: 1,
        already: 1,
        missing: [gone.sha256],
        damaged: [],
      });
      assert.deepEqual(await filesUnder(blobs), [], "the copied file leaves the disk");
      const again = await content(old.id);
      assert.equal(Buffer.from(await again.arrayBuffer()).length, old.size);
      assert.deepEqual(await copy(), {
        copied: 0,
        already: 2,
        missing: [gone.sha256],
        damaged: [],
      });
    } finally {
      await now.close();
    }
  });
});
