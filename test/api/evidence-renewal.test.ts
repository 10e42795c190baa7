import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { BlobMissingError } from "../../src/storage/blob-store.js";
import { FilesystemBlobStore } from "../../src/storage/filesystem-blob-store.js";
import { sealedEnvelope } from "../helpers/fixtures.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { pdfsig, signatureStructure } from "../helpers/validators.js";

describe("archive timestamps renewed before they expire", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    // A webhook endpoint on this machine: only the deliveries planned for it are checked.
    t = await startTestServer({
      // Stored files are looked for on disk.
      env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", CERTYNEO_BLOB_STORE: "filesystem" },
    });
    ({ secret: key } = await t.newAccount());
    const scope = (await t.app.keys.authenticate(key))!.scope;
    await t.app.webhooks.create(scope, {
      url: "http://127.0.0.1:9/hooks",
      events: ["envelope.evidence_renewed"],
    });
  });
  after(() => t.close());

  const signedPdf = async (id: string) =>
    Buffer.from(
      await (
        await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).arrayBuffer(),
    );

  it("brings a PDF whose last timestamp is unknown (sealed by an earlier version) to a known one, once", async () => {
    const id = await sealedEnvelope(t, key, "Archive");
    await t.app.database.db
      .updateTable("sealed_documents")
      .set({ timestamp_expires_at: null })
      .where("envelope_id", "=", id)
      .execute();
    const renewal = await t.app.evidence.renewDue();
    assert.equal(renewal.failures.length, 0, JSON.stringify(renewal.failures));
    assert.ok(renewal.renewed >= 2);
    const rows = await t.app.database.db
      .selectFrom("sealed_documents")
      .select("timestamp_expires_at")
      .where("envelope_id", "=", id)
      .execute();
    assert.ok(rows.every((r) => r.timestamp_expires_at !== null));
    assert.deepEqual(await t.app.evidence.renewDue(), { renewed: 0, failures: [] });
  });

  it("appends a DSS and a document timestamp, keeps every signature valid, and records both hashes", async () => {
    const id = await sealedEnvelope(t, key, "Archive");
    const before = await signedPdf(id);
    const [{ sha256: previous }] = (await t.app.database.db
      .selectFrom("sealed_documents")
      .select("sha256")
      .where("envelope_id", "=", id)
      .execute()) as [{ sha256: string }];

    // The built-in authority's certificate is good for ten years: nothing is due within 90 days.
    assert.deepEqual(await t.app.evidence.renewDue(), { renewed: 0, failures: [] });

    // Within 11 years, it is: both parts (one document: the combined PDF is the same bytes).
    const renewal = await t.app.evidence.renewDue(11 * 365);
    assert.equal(renewal.failures.length, 0, JSON.stringify(renewal.failures));
    assert.ok(renewal.renewed >= 2);

    const after = await signedPdf(id);
    assert.ok(after.subarray(0, before.length).equals(before), "an incremental update");
    const { signatures, dss } = await signatureStructure(after);
    assert.deepEqual(
      signatures.map((s) => s.type),
      ["/Sig", "/DocTimeStamp", "/DocTimeStamp"],
    );
    assert.equal(signatures.at(-1)!.coversWholeFile, true);
    assert.ok(dss.crls >= 1);
    const report = await pdfsig(after);
    assert.match(report, /Signature #1:[\s\S]*Signature is Valid\./);

    const rows = await t.app.database.db
      .selectFrom("sealed_documents")
      .select(["part", "sha256", "timestamp_expires_at"])
      .where("envelope_id", "=", id)
      .execute();
    assert.equal(new Set(rows.map((r) => r.sha256)).size, 1, "the parts stay the same bytes");
    assert.notEqual(rows[0]!.sha256, previous);
    assert.ok(
      rows.every(
        (r) => r.timestamp_expires_at && r.timestamp_expires_at > new Date().toISOString(),
      ),
    );
    // The bytes it replaced are gone; the event names both.
    const blobs = new FilesystemBlobStore(path.join(t.app.config.dataDir, "blobs"));
    await assert.rejects(blobs.read(previous), BlobMissingError);
    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      (await t.app.keys.authenticate(key))!.scope,
      id,
    );
    const renewed = events.filter((e) => e.type === "envelope.evidence_renewed");
    assert.equal(renewed.length, 1);
    // Integrators who keep a copy are told, by the webhook of the same name.
    const deliveries = await t.app.database.db
      .selectFrom("webhook_deliveries")
      .select("event_type")
      .where("event_id", "=", renewed[0]!.id)
      .execute();
    assert.deepEqual(
      deliveries.map((d) => d.event_type),
      ["envelope.evidence_renewed"],
    );
    assert.deepEqual(
      {
        previous: (renewed[0]!.data as any).previousSha256,
        sha256: (renewed[0]!.data as any).sha256,
      },
      { previous, sha256: rows[0]!.sha256 },
    );
  });
});
