import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Database, openDatabase } from "../../src/db/database.js";
import { insertRows } from "../../src/db/insert-rows.js";
import type { EnvelopeDocumentsTable } from "../../src/db/schema.js";
import { createTestDatabase, type TestDatabase, testDatabaseKind } from "../helpers/database.js";

describe(`rows inserted by shape (${testDatabaseKind})`, () => {
  let test: TestDatabase;
  let database: Database;

  before(async () => {
    test = await createTestDatabase();
    database = openDatabase({
      databaseUrl: test.env.DATABASE_URL,
      dataDir: test.env.CERTYNEO_DATA_DIR,
    });
    await database.migrate();
    // No foreign keys to satisfy: a table of plain values.
    await database.db.schema.dropTable("envelope_documents").execute();
    await database.db.schema
      .createTable("envelope_documents")
      .addColumn("envelope_id", "text", (c) => c.notNull())
      .addColumn("document_id", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("envelope_documents_pk", ["envelope_id", "document_id"])
      .execute();
  });

  after(async () => {
    await database.close();
    await test.drop();
  });

  const rows = (envelope: string, count: number, from = 0): EnvelopeDocumentsTable[] =>
    Array.from({ length: count }, (_, i) => ({
      envelope_id: envelope,
      document_id: `doc_${from + i}`,
      position: from + i,
    }));

  const stored = (envelope: string) =>
    database.db
      .selectFrom("envelope_documents")
      .selectAll()
      .where("envelope_id", "=", envelope)
      .orderBy("position")
      .execute();

  it("puts each value in its column, for one row and for several, again with new values", async () => {
    await insertRows(database.db, "envelope_documents", rows("env_a", 1));
    await insertRows(database.db, "envelope_documents", rows("env_a", 3, 1));
    // The same shapes, other values: each row is its own, not the first call's.
    await insertRows(database.db, "envelope_documents", rows("env_b", 1));
    await insertRows(database.db, "envelope_documents", rows("env_b", 3, 1));
    assert.deepEqual(await stored("env_a"), rows("env_a", 4));
    assert.deepEqual(await stored("env_b"), rows("env_b", 4));
  });

  it("inserts nothing for no rows", async () => {
    await insertRows(database.db, "envelope_documents", []);
  });

  it("skips a row whose key is taken when told to, and fails on it otherwise", async () => {
    await insertRows(database.db, "envelope_documents", rows("env_c", 2));
    await insertRows(
      database.db,
      "envelope_documents",
      [{ envelope_id: "env_c", document_id: "doc_0", position: 99 }, ...rows("env_c", 1, 2)],
      ["envelope_id", "document_id"],
    );
    assert.deepEqual(await stored("env_c"), rows("env_c", 3));
    await assert.rejects(insertRows(database.db, "envelope_documents", rows("env_c", 1)));
    assert.deepEqual(await stored("env_c"), rows("env_c", 3));
  });

  it("splits rows past the values one statement may bind, within one transaction", async () => {
    // 12,000 rows of 3 values: 36,000, past SQLite's 32,766.
    await database.db.transaction().execute(async (trx) => {
      await insertRows(trx, "envelope_documents", rows("env_d", 12_000));
    });
    const all = await stored("env_d");
    assert.equal(all.length, 12_000);
    assert.deepEqual(all.at(-1), rows("env_d", 1, 11_999)[0]);
  });

  it("refuses rows of different columns, before writing any", async () => {
    const odd = [
      { envelope_id: "env_e", document_id: "doc_0", position: 0 },
      { document_id: "doc_1", envelope_id: "env_e", position: 1 },
    ];
    await assert.rejects(
      insertRows(database.db, "envelope_documents", odd),
      /every row must have the columns envelope_id,document_id,position/,
    );
    assert.deepEqual(await stored("env_e"), []);
  });
});
