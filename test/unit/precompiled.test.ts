import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import SQLite from "better-sqlite3";
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from "kysely";
import { openDatabase, SQLITE_FILE_NAME } from "../../src/db/database.js";
import { fixedLimit } from "../../src/db/fixed-limit.js";
import { precompiled } from "../../src/db/precompiled.js";
import type { Tables } from "../../src/db/schema.js";
import { signal } from "../helpers/wait.js";

/** `use` on a migrated SQLite database in a directory of its own, removed afterwards. */
async function onSqlite(
  use: (database: ReturnType<typeof openDatabase>, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "precompiled-"));
  const database = openDatabase({ databaseUrl: undefined, dataDir: dir });
  try {
    await database.migrate();
    await use(database, dir);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A PostgreSQL Kysely that compiles and answers nothing. */
function compilingForPostgres(): Kysely<Tables> {
  return new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

describe("queries compiled once", () => {
  it("runs with each call's values, constants kept, per SQL dialect", async () => {
    await onSqlite(async (database) => {
      for (const [id, name] of [
        ["acct_a", "Alpha"],
        ["acct_b", "Beta"],
      ] as const) {
        await database.db
          .insertInto("accounts")
          .values({
            id,
            name,
            created_at: "2026-01-01T00:00:00.000Z",
            display_name: null,
            accent_color: null,
            logo: null,
            branding_updated_at: null,
          })
          .execute();
      }
      let builds = 0;
      const byIdOrName = precompiled((db, id: string, name: string) => {
        builds++;
        return db
          .selectFrom("accounts")
          .select(["id", "name"])
          .where((eb) => eb.or([eb("id", "=", id), eb("name", "=", name)]))
          .where("created_at", "<", "2027-01-01")
          .orderBy("id");
      });
      // A PostgreSQL Kysely that compiles and answers nothing: its SQL ($1) must not reach SQLite.
      const postgres = compilingForPostgres();
      assert.deepEqual(await byIdOrName(postgres, "acct_a", "x"), []);
      assert.deepEqual(await byIdOrName(database.db, "acct_a", "nobody"), [
        { id: "acct_a", name: "Alpha" },
      ]);
      assert.deepEqual(await byIdOrName(database.db, "acct_x", "Beta"), [
        { id: "acct_b", name: "Beta" },
      ]);
      assert.deepEqual(await byIdOrName(database.db, "acct_b", "Alpha"), [
        { id: "acct_a", name: "Alpha" },
        { id: "acct_b", name: "Beta" },
      ]);
      assert.equal(builds, 2, "built once per dialect");
    });
  });

  it("on SQLite, never reads what a transaction in progress has not committed, but in it", async () => {
    await onSqlite(async (database) => {
      const byId = precompiled((db, id: string) =>
        db.selectFrom("accounts").select("name").where("id", "=", id),
      );
      const account = (id: string) => ({
        id,
        name: id,
        created_at: "2026-01-01T00:00:00.000Z",
        display_name: null,
        accent_color: null,
        logo: null,
        branding_updated_at: null,
      });
      const inserting = (id: string, outcome: "commit" | "rollback") => {
        const held = signal();
        const written = signal();
        let ownRead: unknown;
        const done = database.db
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto("accounts").values(account(id)).execute();
            // The transaction's own queries run on its connection, and see what it wrote.
            ownRead = await byId(trx, id);
            written.fire();
            await held.promise;
            if (outcome === "rollback") throw new Error("rolled back");
          })
          .catch(() => {});
        return { written: written.promise, release: held.fire, done, ownRead: () => ownRead };
      };

      // Read while the insert is written but not committed: answered once it is, as committed.
      const committing = inserting("acct_c", "commit");
      await committing.written;
      assert.deepEqual(committing.ownRead(), [{ name: "acct_c" }]);
      let seen: unknown;
      const reading = byId(database.db, "acct_c").then((rows) => {
        seen = rows;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(seen, undefined, "the read waits for the transaction");
      committing.release();
      await committing.done;
      await reading;
      assert.deepEqual(seen, [{ name: "acct_c" }]);

      const rolling = inserting("acct_r", "rollback");
      await rolling.written;
      const rolledBack = byId(database.db, "acct_r");
      rolling.release();
      await rolling.done;
      assert.deepEqual(await rolledBack, [], "nothing of a rolled back transaction");

      // Outside any transaction, at once.
      assert.deepEqual(await byId(database.db, "acct_c"), [{ name: "acct_c" }]);
    });
  });

  it("on SQLite, names a `select *`'s columns anew after another instance changed the table", async () => {
    await onSqlite(async (database, dir) => {
      const other = new SQLite(path.join(dir, SQLITE_FILE_NAME));
      try {
        other.exec("create table things (id text primary key, a text)");
        other.exec("insert into things values ('t1', 'one')");
        const byId = precompiled((db, id: string) =>
          (db as unknown as Kysely<{ things: { id: string; a: string } }>)
            .selectFrom("things")
            .selectAll()
            .where("id", "=", id),
        );
        assert.deepEqual(await byId(database.db, "t1"), [{ id: "t1", a: "one" }]);
        other.exec("alter table things add column b text default 'two'");
        assert.deepEqual(await byId(database.db, "t1"), [{ id: "t1", a: "one", b: "two" }]);
        other.exec("alter table things drop column a");
        assert.deepEqual(await byId(database.db, "t1"), [{ id: "t1", b: "two" }]);
      } finally {
        other.close();
      }
    });
  });
});

describe("statements cheap to run again", () => {
  it("writes a constant LIMIT into the SQL text, where binding it would prepare it anew", () => {
    const compiled = compilingForPostgres()
      .selectFrom("jobs")
      .select("id")
      .where("lane", "=", "l")
      .limit(fixedLimit(1))
      .compile();
    assert.match(compiled.sql, / limit 1$/);
    assert.deepEqual(compiled.parameters, ["l"]);
    assert.throws(() => fixedLimit(1.5), RangeError);
    assert.throws(() => fixedLimit(-1), RangeError);
  });

  it("on SQLite, keeps a statement's undo of its own rows in memory, not in a temporary file", async () => {
    await onSqlite(async (database) => {
      const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(database.db);
      assert.deepEqual(rows, [{ temp_store: 2 }], "2: MEMORY");
    });
  });
});
