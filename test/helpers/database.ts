import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { randomBase62 } from "../../src/security/random.js";

export type TestDatabaseKind = "sqlite" | "postgres";

/**
 * How a test's data directory is removed: again a few times when a file lands in it meanwhile (a
 * message of the outbox renamed into place as the server closes), instead of failing the suite.
 */
const REMOVE = { recursive: true, force: true, maxRetries: 5, retryDelay: 100 } as const;

export const testDatabaseKind: TestDatabaseKind =
  process.env.CERTYNEO_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

/** The server the tests create their databases on (trust authentication on this machine). */
export const POSTGRES_ADMIN_URL =
  process.env.CERTYNEO_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  /** Environment variables that point Certyneo at this database. */
  env: { CERTYNEO_DATA_DIR: string; DATABASE_URL?: string };
  drop(): Promise<void>;
}

/** A brand-new, empty database (and data directory) of the kind this run tests. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-test-"));
  if (testDatabaseKind === "sqlite") {
    return {
      env: { CERTYNEO_DATA_DIR: dataDir },
      drop: () => rm(dataDir, REMOVE),
    };
  }
  return createPostgresDatabase(dataDir);
}

/** A new, empty PostgreSQL database on the test server; `drop()` removes it and `dataDir`. */
export async function createPostgresDatabase(dataDir: string): Promise<TestDatabase> {
  const name = `certyneo_test_${randomBase62(12).toLowerCase()}`;
  await admin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { CERTYNEO_DATA_DIR: dataDir, DATABASE_URL: url.href },
    async drop() {
      await admin(`drop database if exists ${name} with (force)`);
      await rm(dataDir, REMOVE);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
