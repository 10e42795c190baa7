import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import SQLite from "better-sqlite3";
import { type Kysely, sql } from "kysely";
import { type Database, openDatabase, SQLITE_FILE_NAME } from "../../src/db/database.js";
import { WriteLock } from "../../src/db/write-lock.js";

/** A table of its own in a fresh database. */
interface Rows {
  rows: { id: number; v: string };
}

/**
 * A connection with group commit (as the envelope writer's), and another connection to the same
 * file (as the main thread's) that sees only what is committed.
 */
async function withGroups(
  run: (
    writer: Kysely<Rows>,
    database: Database,
    committedIds: () => number[],
    lock: WriteLock,
  ) => Promise<void>,
) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-group-commit-"));
  const lock = new WriteLock();
  const database = openDatabase(
    { databaseUrl: undefined, dataDir },
    { writeLock: new WriteLock(lock.buffer, 1), groupCommit: true, checkpoints: false },
  );
  const writer = database.db as unknown as Kysely<Rows>;
  const reader = new SQLite(path.join(dataDir, SQLITE_FILE_NAME));
  try {
    await sql`create table rows (id integer primary key, v text not null unique)`.execute(writer);
    await database.commitGroups!.committed();
    const committedIds = () =>
      (reader.prepare("select id from rows order by id").all() as { id: number }[]).map(
        (r) => r.id,
      );
    await run(writer, database, committedIds, lock);
  } finally {
    reader.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const insert = (writer: Kysely<Rows>, id: number) =>
  writer.transaction().execute(async (trx) => {
    await trx
      .insertInto("rows")
      .values({ id, v: `row ${id}` })
      .execute();
    return id;
  });

test("the transactions of one turn commit together, once the turn ends", async () => {
  await withGroups(async (writer, database, committedIds) => {
    const done = await Promise.all([1, 2, 3].map((id) => insert(writer, id)));
    assert.deepEqual(done, [1, 2, 3]);
    assert.deepEqual(committedIds(), [], "released, not yet committed: no one else sees them");
    await database.commitGroups!.committed();
    assert.deepEqual(committedIds(), [1, 2, 3]);
    // A later turn is a group of its own.
    await insert(writer, 4);
    await database.commitGroups!.committed();
    assert.deepEqual(committedIds(), [1, 2, 3, 4]);
  });
});

test("a transaction that fails rolls back alone; the group's others commit", async () => {
  await withGroups(async (writer, database, committedIds) => {
    const failing = writer.transaction().execute(async (trx) => {
      await trx.insertInto("rows").values({ id: 2, v: "row 2" }).execute();
      // Unique: fails, after the row above was written within this transaction.
      await trx.insertInto("rows").values({ id: 3, v: "row 2" }).execute();
    });
    const results = await Promise.allSettled([insert(writer, 1), failing, insert(writer, 4)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    await database.commitGroups!.committed();
    assert.deepEqual(committedIds(), [1, 4]);
  });
});

test("a group SQLite rolled back whole is lost: committed() rejects, nothing is written", async () => {
  await withGroups(async (writer, database, committedIds) => {
    // As the envelope writer's thread does: each caller awaits the commits its writes joined.
    const joined: Promise<void>[] = [];
    database.commitGroups!.onJoined((committed) => joined.push(committed));
    const first = insert(writer, 1);
    const rollingBack = writer.transaction().execute(async (trx) => {
      await trx.insertInto("rows").values({ id: 2, v: "row 2" }).execute();
      // What SQLite does on a full disk or an I/O error: the whole transaction is gone.
      await sql`rollback`.execute(trx);
    });
    assert.equal(await first, 1, "its savepoint was released before the loss");
    await assert.rejects(rollingBack);
    assert.equal(joined.length, 1, "the first joined the group; the second never released");
    await assert.rejects(joined[0]!, "the caller of the first learns of the loss");
    assert.deepEqual(committedIds(), []);
    // The connection and the write lock are free again.
    await insert(writer, 3);
    await database.commitGroups!.committed();
    assert.deepEqual(committedIds(), [3]);
  });
});

test("a group commits as it fills; a write outside a transaction joins the group", async () => {
  await withGroups(async (writer, database, committedIds) => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    const inserts = ids.map((id) => insert(writer, id));
    const single = writer.insertInto("rows").values({ id: 11, v: "row 11" }).execute();
    await Promise.all([...inserts, single]);
    // Two groups of 4 filled and committed at once; the rest await the turn's end.
    assert.deepEqual(committedIds(), [1, 2, 3, 4, 5, 6, 7, 8]);
    await database.commitGroups!.committed();
    assert.deepEqual(committedIds(), [...ids, 11]);
  });
});

test("a group holds the process's write lock until it commits", async () => {
  await withGroups(async (writer, database, _committedIds, mainLock) => {
    await insert(writer, 1);
    assert.equal(mainLock.held, true, "the main thread's writes wait for the group");
    await database.commitGroups!.committed();
    assert.equal(mainLock.held, false);
    await mainLock.acquire();
    mainLock.release();
  });
});
