import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { testDatabaseKind } from "../helpers/database.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

/**
 * On PostgreSQL the most frequent statements are prepared once per connection, under a name
 * (`db/prepared-statements.ts`). A table changed under one of them (another instance migrating,
 * say) must not turn the next request into an error.
 */
describe("statements prepared on PostgreSQL", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  it("reads an envelope again after its table gained a column", {
    skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
  }, async () => {
    const document = await uploadDocument(t.url, key);
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Prepared", documentIds: [document.id], recipients: [signer(1)] },
    });
    const read = () => request(t.url, `/api/v1/envelopes/${created.body.id}`, { key });
    // Every connection of the pool has prepared the read (10 connections, 30 reads at once).
    const first = await Promise.all(Array.from({ length: 30 }, read));
    assert.deepEqual(new Set(first.map((r) => r.status)), new Set([200]));
    const db = t.app.database.db;
    await sql`alter table envelopes add column prepared_test text`.execute(db);
    try {
      const again = await Promise.all(Array.from({ length: 30 }, read));
      assert.deepEqual(
        again.map((r) => r.status),
        again.map(() => 200),
        JSON.stringify(again.find((r) => r.status !== 200)?.body),
      );
      assert.equal(again[0]!.body.subject, "Prepared");
    } finally {
      await sql`alter table envelopes drop column prepared_test`.execute(db);
    }
  });
});
