import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { ConfigError, loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";

describe("configuration", () => {
  it("has defaults that run on a laptop", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.publicUrl, "http://localhost:3000");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, path.resolve("data"));
    assert.deepEqual(config.rateLimit, { perMinute: 100, burst: 200 });
    assert.equal(config.sqliteWriterThread, true);
    assert.equal(config.sqliteSynchronous, "normal");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      PUBLIC_URL: "https://sign.example.com/",
      DATABASE_URL: "postgres://u:p@db/certyneo",
      CERTYNEO_DATA_DIR: "/var/lib/certyneo",
      REDIS_URL: "redis://127.0.0.1:6379",
      LOG_LEVEL: "debug",
      CERTYNEO_BODY_LIMIT: "2048",
      CERTYNEO_RATE_LIMIT_PER_MINUTE: "10",
      CERTYNEO_RATE_LIMIT_BURST: "20",
      CERTYNEO_TRUST_PROXY: "true",
      CERTYNEO_SQLITE_WRITER_THREAD: "false",
      CERTYNEO_SQLITE_SYNCHRONOUS: "full",
    });
    assert.equal(config.publicUrl, "https://sign.example.com");
    assert.equal(config.databaseUrl, "postgres://u:p@db/certyneo");
    assert.equal(config.dataDir, "/var/lib/certyneo");
    assert.deepEqual(config.rateLimit, { perMinute: 10, burst: 20 });
    assert.equal(config.trustProxy, true);
    assert.equal(config.bodyLimit, 2048);
    assert.equal(config.sqliteWriterThread, false);
    assert.equal(config.sqliteSynchronous, "full");
  });

  it("on SQLite, syncs the log at each commit when CERTYNEO_SQLITE_SYNCHRONOUS is full, else at checkpoints", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "synchronous-"));
    try {
      for (const [value, expected] of [
        [undefined, 1],
        ["normal", 1],
        ["full", 2],
      ] as const) {
        const env = { CERTYNEO_DATA_DIR: dir, CERTYNEO_SQLITE_SYNCHRONOUS: value };
        const database = openDatabase(loadConfig(env));
        try {
          const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(
            database.db,
          );
          assert.deepEqual(rows, [{ synchronous: expected }], `${value}: 1 is NORMAL, 2 FULL`);
        } finally {
          await database.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports every bad value at once, naming the variable", () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: "eighty",
          DATABASE_URL: "mysql://x",
          LOG_LEVEL: "loud",
          CERTYNEO_TRUST_PROXY: "maybe",
          PUBLIC_URL: "ftp://x",
          CERTYNEO_SQLITE_SYNCHRONOUS: "off",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 6);
        for (const name of [
          "PORT",
          "DATABASE_URL",
          "LOG_LEVEL",
          "CERTYNEO_TRUST_PROXY",
          "PUBLIC_URL",
          "CERTYNEO_SQLITE_SYNCHRONOUS",
        ]) {
          assert.match(error.message, new RegExp(name));
        }
        return true;
      },
    );
  });

  it("takes a seal key in a PKCS#11 token only with all its settings, and not with a PKCS#12", () => {
    const token = {
      CERTYNEO_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
      CERTYNEO_PKCS11_TOKEN: "certyneo",
      CERTYNEO_PKCS11_PIN: "1234",
      CERTYNEO_PKCS11_KEY: "seal",
      CERTYNEO_PKCS11_CERTIFICATE: "seal-chain.pem",
    };
    assert.deepEqual(loadConfig(token).pkcs11, {
      module: "/usr/lib/softhsm/libsofthsm2.so",
      token: "certyneo",
      pin: "1234",
      key: "seal",
      certificate: path.resolve("seal-chain.pem"),
    });
    assert.throws(
      () => loadConfig({ CERTYNEO_PKCS11_MODULE: token.CERTYNEO_PKCS11_MODULE }),
      /missing: CERTYNEO_PKCS11_TOKEN, CERTYNEO_PKCS11_PIN, CERTYNEO_PKCS11_KEY, CERTYNEO_PKCS11_CERTIFICATE/,
    );
    assert.throws(
      () => loadConfig({ ...token, CERTYNEO_PKCS12_PATH: "seal.p12" }),
      /Set either CERTYNEO_PKCS12_PATH or the CERTYNEO_PKCS11_ settings, not both/,
    );
  });

  it("refuses out-of-range numbers", () => {
    assert.throws(
      () => loadConfig({ PORT: "70000" }),
      /PORT must be a whole number between 0 and 65535/,
    );
    assert.throws(
      () => loadConfig({ CERTYNEO_RATE_LIMIT_BURST: "0" }),
      /CERTYNEO_RATE_LIMIT_BURST/,
    );
  });

  it("bounds the work of every input: document structure, signature images, signing links", () => {
    const defaults = loadConfig({});
    assert.deepEqual(defaults.documentLimits, {
      maxPages: 1000,
      maxObjects: 200_000,
      maxInflatedBytes: 256 * 1024 * 1024,
      maxEnvelopePages: 2000,
    });
    assert.deepEqual(defaults.signatureImage, {
      maxDimension: 4000,
      maxDecodedBytes: 16 * 1024 * 1024,
    });
    assert.deepEqual(defaults.signingRateLimit, { perMinute: 60, burst: 120 });

    const set = loadConfig({
      CERTYNEO_MAX_PDF_PAGES: "50",
      CERTYNEO_MAX_PDF_OBJECTS: "5000",
      CERTYNEO_MAX_PDF_INFLATED_BYTES: "16777216",
      CERTYNEO_MAX_ENVELOPE_PAGES: "80",
      CERTYNEO_MAX_SIGNATURE_DIMENSION: "2000",
      CERTYNEO_MAX_SIGNATURE_DECODED_BYTES: "4194304",
      CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE: "30",
      CERTYNEO_SIGNING_RATE_LIMIT_BURST: "40",
    });
    assert.deepEqual(set.documentLimits, {
      maxPages: 50,
      maxObjects: 5000,
      maxInflatedBytes: 16 * 1024 * 1024,
      maxEnvelopePages: 80,
    });
    assert.deepEqual(set.signatureImage, { maxDimension: 2000, maxDecodedBytes: 4_194_304 });
    assert.deepEqual(set.signingRateLimit, { perMinute: 30, burst: 40 });

    assert.throws(
      () =>
        loadConfig({
          CERTYNEO_MAX_PDF_PAGES: "0",
          CERTYNEO_MAX_PDF_OBJECTS: "10",
          CERTYNEO_MAX_PDF_INFLATED_BYTES: "1000",
          CERTYNEO_MAX_ENVELOPE_PAGES: "many",
          // Above the ceilings the sealing step re-checks images against.
          CERTYNEO_MAX_SIGNATURE_DIMENSION: "10001",
          CERTYNEO_MAX_SIGNATURE_DECODED_BYTES: String(64 * 1024 * 1024 + 1),
          CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE: "0",
          CERTYNEO_SIGNING_RATE_LIMIT_BURST: "-1",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(
          error.problems.map((p) => p.split(" ")[0]),
          [
            "CERTYNEO_MAX_PDF_PAGES",
            "CERTYNEO_MAX_PDF_OBJECTS",
            "CERTYNEO_MAX_PDF_INFLATED_BYTES",
            "CERTYNEO_MAX_ENVELOPE_PAGES",
            "CERTYNEO_MAX_SIGNATURE_DIMENSION",
            "CERTYNEO_MAX_SIGNATURE_DECODED_BYTES",
            "CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE",
            "CERTYNEO_SIGNING_RATE_LIMIT_BURST",
          ],
        );
        return true;
      },
    );
  });
});
