import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import SQLite from "better-sqlite3";
import { checkpointInBackground } from "../../src/db/wal-checkpoints.js";
import { WriteLock } from "../../src/db/write-lock.js";

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

async function withDatabase(run: (db: SQLite.Database, file: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-wal-"));
  const file = path.join(dir, "db.sqlite");
  const db = new SQLite(file);
  db.pragma("journal_mode = WAL");
  db.exec("create table t (id integer primary key, body text)");
  try {
    await run(db, file);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const write = (db: SQLite.Database, rows: number) => {
  const insert = db.prepare("insert into t (body) values (?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run("x".repeat(500));
  })();
};

test("the writer no longer checkpoints; the thread copies the log into the database", async () => {
  await withDatabase(async (db, file) => {
    const checkpoints = checkpointInBackground(db, { intervalMs: 20, startBytes: 0 });
    try {
      await sleep(60);
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
      // About 3000 pages of log: past SQLite's 1000, where the writer would have checkpointed.
      const before = statSync(file).size;
      for (let i = 0; i < 60; i++) write(db, 400);
      const logSize = statSync(`${file}-wal`).size;
      assert.ok(logSize > 2000 * 4096, `the log holds ${logSize} bytes`);
      // In WAL mode only a checkpoint writes the database file: it grows once the thread ran.
      for (let i = 0; i < 250 && statSync(file).size < before + 10_000_000; i++) await sleep(20);
      assert.ok(statSync(file).size >= before + 10_000_000, "the rows were copied to the database");
      await checkpoints.stop(); // lets the checkpoint in progress finish
      const [row] = db.pragma("wal_checkpoint(PASSIVE)") as CheckpointRow[];
      assert.equal(row!.log, row!.checkpointed, "nothing left to copy");
      // The log is complete in the database: the next write starts it over, not after its end.
      write(db, 10);
      assert.equal(statSync(`${file}-wal`).size, logSize);
    } finally {
      await checkpoints.stop();
    }
  });
});

/** Writes for `ms` with no pause between transactions longer than one turn of the event loop. */
async function writeSteadily(db: SQLite.Database, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let largest = 0;
  while (performance.now() < end) {
    write(db, 20);
    largest = Math.max(largest, statSync(`${db.name}-wal`).size);
    await new Promise(setImmediate);
  }
  return largest;
}

test("under steady writes, the writer finishes the thread's checkpoint and the log starts over", async () => {
  await withDatabase(async (db) => {
    const checkpoints = checkpointInBackground(db, {
      intervalMs: 10,
      restartFrames: 100,
      startBytes: 0,
    });
    try {
      // Once the thread has started (it checkpointed a first write), from an empty log.
      const size = statSync(db.name).size;
      write(db, 100);
      for (let i = 0; i < 250 && statSync(db.name).size === size; i++) await sleep(20);
      db.pragma("wal_checkpoint(TRUNCATE)");
      const largest = await writeSteadily(db, 1500);
      const rows = db.prepare("select count(*) from t").pluck().get() as number;
      // Without the writer's part, the log holds every page written: 250 MB and more here.
      assert.ok(rows * 500 > 8 * 1024 * 1024, `${rows} rows written`);
      assert.ok(largest < 32 * 1024 * 1024, `the log reached ${largest} bytes`);
    } finally {
      await checkpoints.stop();
    }
  });
});

test("with the process's write lock, the thread starts the log over, whichever connection writes", async () => {
  await withDatabase(async (db) => {
    const lock = new WriteLock();
    // The writes come from another connection (the envelope writer's, on its own thread), each
    // transaction under the lock: the connection given here never writes.
    const writer = new SQLite(db.name);
    writer.pragma("busy_timeout = 5000");
    // As the writer's connection: it leaves the checkpoints to the thread.
    writer.pragma("wal_autocheckpoint = 0");
    const insert = writer.prepare("insert into t (body) values (?)");
    const checkpoints = checkpointInBackground(db, {
      intervalMs: 10,
      restartFrames: 100,
      startBytes: 0,
      writeLock: lock,
    });
    try {
      const size = statSync(db.name).size;
      write(writer, 100);
      for (let i = 0; i < 250 && statSync(db.name).size === size; i++) await sleep(20);
      db.pragma("wal_checkpoint(TRUNCATE)");
      // As the writer's groups do: each transaction begins as the last commits, never after a
      // pause, so the log is never all copied when one begins unless the thread made it so.
      const end = performance.now() + 1500;
      let largest = 0;
      let rows = 0;
      await lock.acquire();
      writer.exec("begin immediate");
      while (performance.now() < end) {
        for (let i = 0; i < 20; i++) insert.run("x".repeat(500));
        rows += 20;
        largest = Math.max(largest, statSync(`${db.name}-wal`).size);
        await new Promise(setImmediate);
        writer.exec("commit");
        lock.release();
        await lock.acquire();
        writer.exec("begin immediate");
      }
      writer.exec("commit");
      lock.release();
      assert.ok(rows * 500 > 8 * 1024 * 1024, `${rows} rows written`);
      assert.ok(largest < 32 * 1024 * 1024, `the log reached ${largest} bytes`);
    } finally {
      await checkpoints.stop();
      if (writer.inTransaction) writer.exec("rollback");
      writer.close();
    }
  });
});

test("a log that grows past the bound is truncated", async () => {
  await withDatabase(async (db, file) => {
    const checkpoints = checkpointInBackground(db, {
      intervalMs: 10,
      maxFrames: 200,
      startBytes: 0,
    });
    try {
      for (let i = 0; i < 40; i++) write(db, 100);
      let size = statSync(`${file}-wal`).size;
      assert.ok(size > 200 * 4096);
      for (let i = 0; i < 250 && size > 0; i++) {
        await sleep(20);
        size = statSync(`${file}-wal`).size;
      }
      assert.equal(size, 0, "TRUNCATE empties the log file");
    } finally {
      await checkpoints.stop();
    }
  });
});

test("if the thread fails, the writer checkpoints on its own again", async () => {
  await withDatabase(async (db) => {
    const checkpoints = checkpointInBackground(db, {
      file: path.join(os.tmpdir(), "certyneo-no-such-directory", "db.sqlite"),
      startBytes: 0,
    });
    try {
      let value: unknown = 0;
      for (let i = 0; i < 250 && value === 0; i++) {
        await sleep(20);
        value = db.pragma("wal_autocheckpoint", { simple: true });
      }
      assert.equal(value, 1000);
    } finally {
      await checkpoints.stop();
    }
  });
});

test("the thread starts once the log has grown; until then SQLite checkpoints", async () => {
  await withDatabase(async (db) => {
    const checkpoints = checkpointInBackground(db, { intervalMs: 10, startBytes: 512 * 1024 });
    try {
      write(db, 10);
      await sleep(100);
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000);
      for (let i = 0; i < 4; i++) write(db, 400);
      let value: unknown = 1000;
      for (let i = 0; i < 100 && value !== 0; i++) {
        await sleep(10);
        value = db.pragma("wal_autocheckpoint", { simple: true });
      }
      assert.equal(value, 0);
    } finally {
      await checkpoints.stop();
    }
  });
});
