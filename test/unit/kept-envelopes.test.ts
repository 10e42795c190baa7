import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import type { EnvelopeWithParts } from "../../src/db/envelope-with-parts.js";
import { SqliteCommits } from "../../src/db/sqlite-commits.js";
import { KeptEnvelopes, RevisedEnvelopes } from "../../src/services/envelopes/kept-envelopes.js";
import { VersionedCache } from "../../src/services/versioned-cache.js";

/** A WAL database of one table, with two connections: ours and another's. */
async function twoConnections() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-commits-"));
  const file = path.join(dir, "db.sqlite");
  const ours = new SQLite(file);
  ours.pragma("journal_mode = WAL");
  ours.exec("create table t (id integer primary key, v text)");
  const theirs = new SQLite(file);
  return {
    file,
    ours,
    theirs,
    async close() {
      theirs.close();
      ours.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `statement` on `file` from another process, as an operator's `sqlite3` would. */
function writeFromAnotherProcess(file: string, statement: string): void {
  const script = `const S = require("better-sqlite3"); const db = new S(process.argv[1]); db.exec(process.argv[2]); db.close();`;
  execFileSync(process.execPath, ["-e", script, file, statement], { cwd: process.cwd() });
}

describe("SqliteCommits", () => {
  let db: Awaited<ReturnType<typeof twoConnections>>;
  let commits: SqliteCommits;
  before(async () => {
    db = await twoConnections();
    commits = new SqliteCommits(db.file);
  });
  after(async () => {
    commits.close();
    await db.close();
  });

  it("keeps its version while nothing is committed, reads and rollbacks included", () => {
    const version = commits.version();
    db.ours.prepare("select * from t").all();
    db.theirs.prepare("select count(*) from t").get();
    db.theirs.exec("begin immediate; insert into t (v) values ('never'); rollback");
    assert.equal(commits.version(), version);
  });

  it("changes with a commit of our connection, another's, and another process's", () => {
    const first = commits.version();
    db.ours.exec("insert into t (v) values ('ours')");
    const second = commits.version();
    assert.notEqual(second, first);
    db.theirs.exec("update t set v = 'theirs'");
    const third = commits.version();
    assert.notEqual(third, second);
    writeFromAnotherProcess(db.file, "delete from t");
    assert.notEqual(commits.version(), third);
    assert.equal((db.ours.prepare("select count(*) as n from t").get() as { n: number }).n, 0);
  });

  it("changes with each transaction of a connection, not only its first", () => {
    const versions = new Set([commits.version()]);
    for (let i = 0; i < 5; i++) {
      db.theirs.exec(`insert into t (v) values ('${i}')`);
      versions.add(commits.version());
    }
    assert.equal(versions.size, 6);
  });

  it("changes with a commit after the log was checkpointed and restarted", () => {
    db.ours.pragma("wal_checkpoint(TRUNCATE)");
    const version = commits.version();
    db.theirs.exec("insert into t (v) values ('after the restart')");
    assert.notEqual(commits.version(), version);
  });
});

describe("KeptEnvelopes", () => {
  let db: Awaited<ReturnType<typeof twoConnections>>;
  let kept: KeptEnvelopes;
  const scope = { accountId: "acc_1", environment: "test" as const };
  before(async () => {
    db = await twoConnections();
    kept = new KeptEnvelopes(new SqliteCommits(db.file));
  });
  after(async () => {
    kept.close();
    await db.close();
  });

  /** A loader of the envelope `id` of `scope`, counting its calls. */
  function loader(id: string, subject: string) {
    const load = async () => {
      load.calls += 1;
      return {
        envelope: { id, account_id: scope.accountId, environment: scope.environment, subject },
        documents: [],
        recipients: [],
        fields: [],
      } as unknown as EnvelopeWithParts;
    };
    load.calls = 0;
    return load;
  }

  it("reads an envelope once while nothing is committed", async () => {
    const load = loader("env_1", "first");
    const a = await kept.read(scope, "env_1", load);
    const b = await kept.read(scope, "env_1", load);
    assert.equal(load.calls, 1);
    assert.equal(b, a);
    assert.equal(kept.size, 1);
  });

  it("reads it again after any commit to the database", async () => {
    const load = loader("env_2", "first");
    await kept.read(scope, "env_2", load);
    db.theirs.exec("insert into t (v) values ('anything')");
    const again = loader("env_2", "second");
    const read = await kept.read(scope, "env_2", again);
    assert.equal(again.calls, 1);
    assert.equal((read!.envelope as { subject: string }).subject, "second");
  });

  it("never answers another account or environment with what it kept", async () => {
    await kept.read(scope, "env_3", loader("env_3", "first"));
    const none = async () => undefined;
    assert.equal(await kept.read({ ...scope, accountId: "acc_2" }, "env_3", none), undefined);
    assert.equal(await kept.read({ ...scope, environment: "live" }, "env_3", none), undefined);
  });

  it("keeps nothing for an envelope that is not found", async () => {
    const size = kept.size;
    assert.equal(await kept.read(scope, "env_none", async () => undefined), undefined);
    assert.equal(kept.size, size);
  });
});

describe("RevisedEnvelopes", () => {
  const envelope = (id: string, subject: string) =>
    ({
      envelope: { id, subject },
      documents: [],
      recipients: [],
      fields: [],
    }) as unknown as EnvelopeWithParts;

  it("tells the revision it keeps, and answers the envelope at that revision only", () => {
    const revised = new RevisedEnvelopes();
    assert.equal(revised.revisionOf("env_1"), -1, "none kept: no revision matches -1");
    revised.set("env_1", envelope("env_1", "first"), 0);
    assert.equal(revised.revisionOf("env_1"), 0);
    assert.equal(revised.get("env_1", 0)?.envelope.subject, "first");
    assert.equal(revised.get("env_1", 1), undefined, "another revision: not this one");
    assert.equal(revised.revisionOf("env_1"), -1, "and it is let go");
    revised.set("env_1", envelope("env_1", "second"), 3);
    assert.equal(revised.get("env_1", 3)?.envelope.subject, "second");
    assert.equal(revised.size, 1);
  });
});

describe("VersionedCache", () => {
  it("uses a value only under the version it was read after", () => {
    const cache = new VersionedCache<string>({ maxEntries: 10 });
    cache.set("a", "value", 1);
    assert.equal(cache.get("a", 1), "value");
    assert.equal(cache.get("a", 2), undefined);
    assert.equal(cache.size, 0, "a stale value is dropped");
  });

  it("holds no more than its entries and bytes, dropping the first kept", () => {
    const cache = new VersionedCache<string>({ maxEntries: 3, maxBytes: 100 });
    for (const key of ["a", "b", "c", "d"]) cache.set(key, key, 1, 0, 10);
    assert.equal(cache.size, 3);
    assert.equal(cache.get("a", 1), undefined);
    cache.set("big", "big", 1, 0, 90);
    assert.equal(cache.keptBytes, 100);
    assert.deepEqual(
      ["b", "c", "d", "big"].map((key) => cache.get(key, 1)),
      [undefined, undefined, "d", "big"],
    );
    cache.set("huge", "huge", 1, 0, 101);
    assert.equal(cache.get("huge", 1), undefined, "larger than the whole budget: not kept");
    assert.equal(cache.keptBytes, 100);
    cache.set("d", "d again", 1, 0, 5);
    assert.equal(cache.keptBytes, 95, "a value kept again replaces the first");
  });

  it("does not use a value past its age", () => {
    const cache = new VersionedCache<string>({ maxEntries: 10, maxAgeMs: 1000 });
    cache.set("a", "value", 1, 0);
    assert.equal(cache.get("a", 1, 999), "value");
    assert.equal(cache.get("a", 1, 1000), undefined);
  });
});
