import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rename } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { SQLITE_FILE_NAME } from "../src/db/database.js";
import { copyToPostgres } from "../src/db-copy.js";
import {
  createPostgresDatabase,
  createTestDatabase,
  testDatabaseKind,
} from "./helpers/database.js";
import { filesUnder } from "./helpers/files.js";
import { sendEnvelope, signer, uploadDocument } from "./helpers/fixtures.js";
import { signaturePngDataUrl } from "./helpers/png.js";
import { request, startTestServer } from "./helpers/server.js";

const run = promisify(execFile);
const BIN = new URL("../bin/certyneo", import.meta.url).pathname;

/** Outgrowing SQLite: `certyneo db copy --to postgres://…` (the SQLite pass runs it). */
describe("copying a SQLite deployment to PostgreSQL", {
  skip: testDatabaseKind !== "sqlite" && "its source is a SQLite deployment",
}, () => {
  it("copies every table and stored file, checks them, resumes, and serves from PostgreSQL", async () => {
    const source = await createTestDatabase();
    const sqlite = await startTestServer({ database: source });
    const dataDir = sqlite.app.config.dataDir;
    const target = await createPostgresDatabase(path.join(dataDir, "unused"));
    const to = target.env.DATABASE_URL!;
    try {
      const { secret } = await sqlite.newAccount();
      const doc = await uploadDocument(sqlite.url, secret, ["a4", "a4"]);
      const dropped = await uploadDocument(sqlite.url, secret, ["letter"]);
      const sent = await sendEnvelope(sqlite.url, secret, {
        documentIds: [doc.id],
        recipients: [signer(1)],
      });
      const token = sent.recipients[0].signUrl.split("/sign/")[1];
      const signed = await request(sqlite.url, `/api/v1/signing/${token}/sign`, {
        method: "POST",
        json: { consent: true, signature: { type: "drawn", image: signaturePngDataUrl() } },
      });
      assert.equal(signed.body.envelopeStatus, "COMPLETED");
      while ((await sqlite.app.worker.runDue()) > 0);
      const sealed = await fetch(`${sqlite.url}/api/v1/envelopes/${sent.id}/signed-document`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      const sealedBytes = Buffer.from(await sealed.arrayBuffer());

      // While the SQLite deployment serves: everything copied and checked.
      const first = await copyToPostgres(sqlite.app.config, to);
      assert.deepEqual(first.mismatches, []);
      assert.deepEqual(first.brokenChains, []);
      assert.deepEqual(first.files.missing, []);
      assert.deepEqual(first.files.damaged, []);
      assert.ok(first.files.copied >= 3, "the document, the sealed PDF and the signature image");
      assert.equal(first.envelopes, 1);
      const events = first.tables.find((table) => table.name === "events")!;
      assert.ok(events.rows > 5 && events.copied === events.rows);

      // Meanwhile an envelope is sent and a document deleted: a second run takes exactly that.
      await sendEnvelope(sqlite.url, secret, { documentIds: [doc.id], recipients: [signer(2)] });
      const deleted = await request(sqlite.url, `/api/v1/documents/${dropped.id}`, {
        method: "DELETE",
        key: secret,
      });
      assert.equal(deleted.status, 200);
      await sqlite.close();
      const { stdout } = await run(process.execPath, [BIN, "db", "copy", "--to", to, "--json"], {
        env: { ...process.env, CERTYNEO_DATA_DIR: dataDir, DATABASE_URL: "" },
      });
      const second = JSON.parse(stdout);
      assert.equal(second.object, "database_copy");
      assert.deepEqual(second.mismatches, []);
      assert.equal(second.envelopes, 2);
      assert.equal(second.tables.find((table: any) => table.name === "envelopes").copied, 1);
      assert.equal(second.files.copied, 0);
      const documents = second.tables.find((table: any) => table.name === "documents");
      assert.equal(documents.rows, 1, "the deleted document is gone from PostgreSQL too");

      // Served from PostgreSQL, with the same key, and the stored files from the database only.
      await rename(path.join(dataDir, "blobs"), path.join(dataDir, "blobs-before"));
      const postgres = await startTestServer({
        env: { DATABASE_URL: to, CERTYNEO_DATA_DIR: dataDir },
      });
      try {
        const envelope = await request(postgres.url, `/api/v1/envelopes/${sent.id}`, {
          key: secret,
        });
        assert.equal(envelope.status, 200);
        assert.equal(envelope.body.status, "COMPLETED");
        const again = await fetch(`${postgres.url}/api/v1/envelopes/${sent.id}/signed-document`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        assert.ok(Buffer.from(await again.arrayBuffer()).equals(sealedBytes));
        assert.deepEqual(await filesUnder(path.join(dataDir, "blobs")), []);

        // An event altered on PostgreSQL is put back as SQLite has it by the next run...
        await postgres.app.database.db
          .updateTable("events")
          .set({ ip: "203.0.113.9" })
          .where("envelope_id", "=", sent.id)
          .where("sequence", "=", 2)
          .execute();
        const repaired = await copyToPostgres(sqlite.app.config, to);
        assert.deepEqual(repaired.brokenChains, []);
        assert.equal(repaired.tables.find((table) => table.name === "events")!.copied, 1);
        // ...and one altered in SQLite itself is copied as it is, and reported.
        const file = new SQLite(path.join(dataDir, SQLITE_FILE_NAME));
        file
          .prepare("update events set ip = '203.0.113.9' where envelope_id = ? and sequence = 2")
          .run(sent.id);
        file.close();
        const checked = await copyToPostgres(sqlite.app.config, to);
        assert.deepEqual(checked.brokenChains, [{ envelopeId: sent.id, sequence: 2 }]);
      } finally {
        await postgres.close();
      }
    } finally {
      await target.drop();
      await source.drop();
    }
  });
});
