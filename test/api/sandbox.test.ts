import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { UserRole } from "../../src/services/users.js";
import { sealedEnvelope, sendEnvelope, signer } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

/** Rows of `table` in one account and environment. */
async function count(
  t: TestServer,
  table: "envelopes" | "documents" | "webhooks" | "events" | "jobs" | "notifications",
  accountId: string,
  environment: "test" | "live",
): Promise<number> {
  const row = await t.app.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .where("environment", "=", environment)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("resetting an account's test environment", () => {
  let t: TestServer;
  let accountId: string;
  let testKey: string;
  let liveKey: string;
  let otherKey: string;
  let otherAccountId: string;
  before(async () => {
    t = await startTestServer({
      // Stored files are looked for on disk.
      env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", CERTYNEO_BLOB_STORE: "filesystem" },
    });
    ({ accountId, secret: testKey } = await t.newAccount("test"));
    liveKey = (await t.newKey(accountId, "live")).secret;
    ({ accountId: otherAccountId, secret: otherKey } = await t.newAccount("test"));
  });
  after(() => t.close());

  const blobPath = (sha256: string) =>
    path.join(t.app.config.dataDir, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  async function session(role: UserRole) {
    const user = await t.app.users.create({ accountId, email: `${role}@example.com`, role });
    const { token, session } = await t.app.sessions.create(user, { ip: null, userAgent: null });
    return {
      cookie: `certyneo_session=${token}`,
      "x-csrf-token": t.app.sessions.csrfTokenFor(session.id),
    };
  }

  it("deletes every test object of the account, and nothing else", async () => {
    // The same bytes in test and live: one stored file, which live still needs afterwards.
    const shared = await makePdf(["a4", "letter"]);
    const upload = async (key: string) =>
      (
        await request(t.url, "/api/v1/documents", {
          method: "POST",
          key,
          json: { name: "shared.pdf", content: shared.toString("base64") },
        })
      ).body;
    const testDoc = await upload(testKey);
    const liveDoc = await upload(liveKey);
    assert.equal(testDoc.sha256, liveDoc.sha256);
    await sealedEnvelope(t, testKey, "Sealed in test");
    await sendEnvelope(t.url, testKey, {
      subject: "Sent in test",
      documentIds: [testDoc.id],
      recipients: [signer(1)],
    });
    const draft = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key: testKey,
      json: { subject: "Deleted draft", documentIds: [testDoc.id], recipients: [signer(1)] },
    });
    await request(t.url, `/api/v1/envelopes/${draft.body.id}`, { method: "DELETE", key: testKey });
    const webhook = { url: "http://127.0.0.1:9/hook", events: ["envelope.completed"] };
    for (const key of [testKey, liveKey, otherKey])
      assert.equal(
        (await request(t.url, "/api/v1/webhooks", { method: "POST", key, json: webhook })).status,
        201,
      );
    const live = await sendEnvelope(t.url, liveKey, {
      subject: "Live",
      documentIds: [liveDoc.id],
      recipients: [signer(1)],
    });
    const other = await sealedEnvelope(t, otherKey, "Another account's test");
    const before = {
      live: await Promise.all(
        (["envelopes", "documents", "webhooks", "events"] as const).map((table) =>
          count(t, table, accountId, "live"),
        ),
      ),
      other: await Promise.all(
        (["envelopes", "documents", "webhooks", "events"] as const).map((table) =>
          count(t, table, otherAccountId, "test"),
        ),
      ),
    };
    const testEvents = await count(t, "events", accountId, "test");
    const sealedFiles = (
      await t.app.database.db
        .selectFrom("sealed_documents")
        .innerJoin("envelopes", "envelopes.id", "sealed_documents.envelope_id")
        .select("sealed_documents.sha256")
        .where("envelopes.account_id", "=", accountId)
        .execute()
    ).map((r) => r.sha256);
    assert.ok(sealedFiles.length > 0);
    for (const sha256 of sealedFiles) assert.ok(existsSync(blobPath(sha256)));
    const owner = await session("owner");

    // An API key (an admin) and an admin's session may not; the owner may.
    const byKey = await request(t.url, "/api/v1/sandbox/reset", { method: "POST", key: testKey });
    assert.equal(byKey.status, 403);
    assert.equal(byKey.body.error.code, "role_insufficient");
    const byAdmin = await request(t.url, "/api/v1/sandbox/reset", {
      method: "POST",
      headers: await session("admin"),
    });
    assert.equal(byAdmin.status, 403);
    const reset = await request(t.url, "/api/v1/sandbox/reset", { method: "POST", headers: owner });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.deepEqual(reset.body, {
      object: "sandbox_reset",
      deleted: { envelopes: 2, documents: 2, webhooks: 1, events: testEvents },
    });

    for (const table of [
      "envelopes",
      "documents",
      "webhooks",
      "events",
      "jobs",
      "notifications",
    ] as const)
      assert.equal(await count(t, table, accountId, "test"), 0, table);
    assert.equal((await request(t.url, "/api/v1/envelopes", { key: testKey })).body.data.length, 0);
    // The key still works; live and the other account are untouched.
    assert.deepEqual(
      await Promise.all(
        (["envelopes", "documents", "webhooks", "events"] as const).map((table) =>
          count(t, table, accountId, "live"),
        ),
      ),
      before.live,
    );
    assert.deepEqual(
      await Promise.all(
        (["envelopes", "documents", "webhooks", "events"] as const).map((table) =>
          count(t, table, otherAccountId, "test"),
        ),
      ),
      before.other,
    );
    const liveContent = await fetch(`${t.url}/api/v1/documents/${liveDoc.id}/content`, {
      headers: { authorization: `Bearer ${liveKey}` },
    });
    assert.equal(liveContent.status, 200, "the shared file is kept for live");
    assert.ok(Buffer.from(await liveContent.arrayBuffer()).equals(shared));
    assert.equal(
      (await request(t.url, `/api/v1/envelopes/${live.id}`, { key: liveKey })).status,
      200,
    );
    const otherSealed = await fetch(`${t.url}/api/v1/envelopes/${other}/signed-document`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    assert.equal(otherSealed.status, 200);

    // The sealed PDFs' files went with them; a second reset finds nothing.
    for (const sha256 of sealedFiles)
      assert.equal(existsSync(blobPath(sha256)), false, `stored file ${sha256} removed`);
    assert.ok(existsSync(blobPath(liveDoc.sha256)));
    const again = await request(t.url, "/api/v1/sandbox/reset", { method: "POST", headers: owner });
    assert.deepEqual(again.body.deleted, { envelopes: 0, documents: 0, webhooks: 0, events: 0 });
  });
});
