import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { run } from "../helpers/validators.js";

describe("what the platform root publishes", () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await startTestServer();
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-published-"));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the root's certificate and a fresh CRL it signed, without a key, where its certificates point", async () => {
    const certificate = await fetch(`${t.url}/pki/root-ca.crt`);
    assert.equal(certificate.status, 200);
    assert.equal(certificate.headers.get("content-type"), "application/pkix-cert");
    const rootDer = path.join(dir, "root.der");
    await writeFile(rootDer, Buffer.from(await certificate.arrayBuffer()));
    const rootPem = path.join(dir, "root.pem");
    await writeFile(rootPem, (await t.app.pki()).rootCertificatePem);
    const same = await run("openssl", [
      "x509",
      "-inform",
      "DER",
      "-in",
      rootDer,
      "-noout",
      "-fingerprint",
      "-sha256",
    ]);
    const expected = await run("openssl", [
      "x509",
      "-in",
      rootPem,
      "-noout",
      "-fingerprint",
      "-sha256",
    ]);
    assert.equal(same.output, expected.output);

    const crl = await fetch(`${t.url}/pki/root-ca.crl`);
    assert.equal(crl.status, 200);
    assert.equal(crl.headers.get("content-type"), "application/pkix-crl");
    assert.match(crl.headers.get("cache-control") ?? "", /max-age=3600/);
    const crlDer = path.join(dir, "root.crl");
    await writeFile(crlDer, Buffer.from(await crl.arrayBuffer()));
    const verified = await run("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      crlDer,
      "-CAfile",
      rootPem,
      "-noout",
      "-text",
    ]);
    assert.match(verified.output, /verify OK/);
    assert.match(verified.output, /Next Update:/);
    assert.match(verified.output, /X509v3 CRL Number:/);

    // The seal certificate names these very addresses (PUBLIC_URL of the test server).
    const seal = path.join(dir, "seal.pem");
    await copyFile(path.join(t.app.config.dataDir, "pki/seal.pem"), seal);
    const text = (await run("openssl", ["x509", "-in", seal, "-noout", "-text"])).output;
    assert.match(text, /URI:http:\/\/127\.0\.0\.1:3000\/pki\/root-ca\.crl/);
    assert.match(text, /CA Issuers - URI:http:\/\/127\.0\.0\.1:3000\/pki\/root-ca\.crt/);
  });
});
