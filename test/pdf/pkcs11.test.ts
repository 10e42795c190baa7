import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type * as Pkcs11Types from "pkcs11js";
import { sealPdf } from "../../src/pdf/seal.js";
import { loadPlatformPki } from "../../src/pki/platform-pki.js";
import { x509 } from "../../src/pki/x509.js";
import { sealedEnvelope } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { startTestServer } from "../helpers/server.js";
import { pdfsig, signatureStructure } from "../helpers/validators.js";

const exec = promisify(execFile);
const MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

/**
 * A seal key that never leaves a token: SoftHSM2 (Debian) as the HSM, a key pair generated inside
 * it, a certificate for it from a test CA whose CRL a local server publishes.
 */
describe("sealing with a key in a PKCS#11 token (SoftHSM2)", () => {
  let dir: string;
  let crlServer: Server;
  let certificateFile: string;
  const settings = { module: MODULE, token: "certyneo", pin: "1234", key: "seal" };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-hsm-"));
    await mkdir(path.join(dir, "tokens"));
    const conf = path.join(dir, "softhsm2.conf");
    await writeFile(conf, `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\n`);
    process.env.SOFTHSM2_CONF = conf;
    await exec("softhsm2-util", [
      "--init-token",
      "--free",
      "--label",
      settings.token,
      "--pin",
      settings.pin,
      "--so-pin",
      "5678",
    ]);
    // The key pair, made by the token: the private key is sensitive and cannot be extracted.
    const lib = createRequire(import.meta.url)("pkcs11js") as typeof Pkcs11Types;
    const pkcs11 = new lib.PKCS11();
    pkcs11.load(MODULE);
    pkcs11.C_Initialize();
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === settings.token)!;
    const session = pkcs11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
    pkcs11.C_Login(session, lib.CKU_USER, settings.pin);
    const keys = pkcs11.C_GenerateKeyPair(
      session,
      { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
      [
        { type: lib.CKA_TOKEN, value: true },
        { type: lib.CKA_VERIFY, value: true },
        { type: lib.CKA_LABEL, value: settings.key },
        // prime256v1
        { type: lib.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") },
      ],
      [
        { type: lib.CKA_TOKEN, value: true },
        { type: lib.CKA_SIGN, value: true },
        { type: lib.CKA_PRIVATE, value: true },
        { type: lib.CKA_SENSITIVE, value: true },
        { type: lib.CKA_EXTRACTABLE, value: false },
        { type: lib.CKA_LABEL, value: settings.key },
      ],
    );
    const [point] = pkcs11.C_GetAttributeValue(session, keys.publicKey, [
      { type: lib.CKA_EC_POINT },
    ]);
    pkcs11.C_CloseSession(session);
    // CKA_EC_POINT is the point wrapped in an OCTET STRING: 04 41, then 04 x y.
    const publicKey = await webcrypto.subtle.importKey(
      "raw",
      (point!.value as Buffer).subarray(2),
      EC,
      true,
      ["verify"],
    );

    // A CA that publishes its CRL on this machine, and the seal certificate it issues.
    const caKeys = (await webcrypto.subtle.generateKey(EC, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=Test HSM CA",
      notBefore: new Date(Date.now() - 365 * 24 * 3600_000),
      notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
      keys: caKeys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    const crl = await x509.X509CrlGenerator.create({
      issuer: ca.subjectName,
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 7 * 24 * 3600_000),
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING,
    });
    crlServer = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/pkix-crl" });
      response.end(Buffer.from(crl.rawData));
    });
    await new Promise<void>((resolve) => crlServer.listen(0, "127.0.0.1", resolve));
    const { port } = crlServer.address() as { port: number };
    const seal = await x509.X509CertificateGenerator.create({
      serialNumber: "02",
      subject: "CN=Token Seal, O=Operator",
      issuer: ca.subjectName,
      notBefore: new Date(Date.now() - 365 * 24 * 3600_000),
      notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
      publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4"]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        new x509.CRLDistributionPointsExtension([`http://127.0.0.1:${port}/ca.crl`]),
      ],
    });
    certificateFile = path.join(dir, "seal-chain.pem");
    await writeFile(certificateFile, `${seal.toString("pem")}\n${ca.toString("pem")}\n`);
  });

  after(async () => {
    await new Promise((resolve) => crlServer?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const load = (pin = settings.pin) =>
    loadPlatformPki({
      dataDir: path.join(dir, "data"),
      secret: Buffer.alloc(32, 3),
      organization: "Operator",
      publicUrl: "https://sign.example.com",
      pkcs11: { ...settings, pin, certificate: certificateFile },
    });

  // First: once a session of this process is logged in, the token does not ask again.
  it("says so when the PIN is wrong", async () => {
    await assert.rejects(load("0000"), /CKR_PIN_INCORRECT/);
  });

  it("seals PAdES B-LTA with the token's key, its CA's CRL fetched into the DSS", async () => {
    const pki = await load();
    const sealed = await sealPdf(await makePdf(), {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Sealed with a key in an HSM",
    });
    const report = await pdfsig(sealed);
    assert.match(report, /Signer Certificate Common Name: Token Seal/);
    assert.match(report, /Signature #1:[\s\S]*Signature is Valid\./);
    const { signatures, dss } = await signatureStructure(sealed);
    assert.deepEqual(
      signatures.map((s) => s.type),
      ["/Sig", "/DocTimeStamp"],
    );
    // The operator CA's CRL (fetched from its distribution point) and the platform root's (for
    // the built-in timestamp authority).
    assert.equal(dss.crls, 2);
  });

  it("seals an envelope through the server, on its PDF threads, each with its own session", async () => {
    const t = await startTestServer({
      env: {
        CERTYNEO_PKCS11_MODULE: settings.module,
        CERTYNEO_PKCS11_TOKEN: settings.token,
        CERTYNEO_PKCS11_PIN: settings.pin,
        CERTYNEO_PKCS11_KEY: settings.key,
        CERTYNEO_PKCS11_CERTIFICATE: certificateFile,
      },
    });
    try {
      const { secret: key } = await t.newAccount();
      const id = await sealedEnvelope(t, key, "HSM");
      const response = await fetch(`${t.url}/api/v1/envelopes/${id}/signed-document`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const failed = await t.app.jobs.find("seal_envelope", id);
      assert.equal(response.status, 200, `${failed?.state}: ${failed?.last_error}`);
      const report = await pdfsig(Buffer.from(await response.arrayBuffer()));
      assert.match(report, /Signer Certificate Common Name: Token Seal/);
      assert.match(report, /Signature #1:[\s\S]*Signature is Valid\./);
    } finally {
      await t.close();
    }
  });
});
