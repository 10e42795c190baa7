import assert from "node:assert/strict";
import { chmod, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { SQLITE_FILE_NAME } from "../../src/db/database.js";
import { SECRET_KEY_FILE } from "../../src/security/secret-key.js";
import { createTestDatabase, type TestDatabase, testDatabaseKind } from "../helpers/database.js";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { startTestServer } from "../helpers/server.js";

async function modeOf(target: string): Promise<string> {
  return ((await stat(target)).mode & 0o777).toString(8).padStart(4, "0");
}

/** Every directory and file under `root`, with its mode. */
async function modesUnder(root: string): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const target = path.join(entry.parentPath, entry.name);
    const line = `${path.relative(root, target)} ${await modeOf(target)}`;
    if (entry.isDirectory()) dirs.push(line);
    else if (entry.isFile()) files.push(line);
  }
  return { dirs, files };
}

describe("the data directory at rest", () => {
  let database: TestDatabase;
  let dataDir: string;
  before(async () => {
    database = await createTestDatabase();
    dataDir = database.env.CERTYNEO_DATA_DIR;
  });
  after(() => database.drop());

  async function checkOwnerOnly(): Promise<void> {
    assert.equal(await modeOf(dataDir), "0700", "the data directory");
    assert.equal(await modeOf(path.join(dataDir, SECRET_KEY_FILE)), "0600", "the secret key");
    if (testDatabaseKind === "sqlite") {
      for (const suffix of ["", "-wal", "-shm"]) {
        const file = path.join(dataDir, SQLITE_FILE_NAME + suffix);
        assert.equal(await modeOf(file), "0600", `the database file ${path.basename(file)}`);
      }
    }
    for (const sub of ["blobs", "outbox"]) {
      const { dirs, files } = await modesUnder(path.join(dataDir, sub));
      assert.ok(files.length > 0, `files in ${sub}`);
      assert.deepEqual(
        dirs.filter((d) => !d.endsWith(" 0700")),
        [],
        `the directories of ${sub}`,
      );
      assert.deepEqual(
        files.filter((f) => !f.endsWith(" 0600")),
        [],
        `the files of ${sub}`,
      );
    }
  }

  it("creates everything owner-only: directories 0700, files 0600", async () => {
    await chmod(dataDir, 0o755); // as an operator's mkdir would leave it
    const t = await startTestServer({ database, env: { CERTYNEO_BLOB_STORE: "filesystem" } });
    try {
      const doc = await uploadDocument(t.url, (await t.newAccount()).secret);
      const { secret } = await t.newAccount();
      const own = await uploadDocument(t.url, secret);
      assert.ok(doc.id && own.id);
      await sendEnvelope(t.url, secret, { documentIds: [own.id], recipients: [signer(1)] });
      await t.app.worker.runDue(); // the invitation, written to the outbox
      await checkOwnerOnly();
    } finally {
      await t.close();
    }
  });

  it("tightens an existing data directory, database and secret key at start", async () => {
    await chmod(dataDir, 0o755);
    await chmod(path.join(dataDir, SECRET_KEY_FILE), 0o644);
    if (testDatabaseKind === "sqlite") {
      // A clean close checkpoints and removes -wal and -shm; those that remain are loosened too.
      for (const suffix of ["", "-wal", "-shm"])
        await chmod(path.join(dataDir, SQLITE_FILE_NAME + suffix), 0o644).catch(() => {});
    }
    const t = await startTestServer({ database, env: { CERTYNEO_BLOB_STORE: "filesystem" } });
    try {
      await checkOwnerOnly();
    } finally {
      await t.close();
    }
  });
});
