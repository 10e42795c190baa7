import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sealPdf } from "../../src/pdf/seal.js";
import { loadPlatformPki, type PlatformPki } from "../../src/pki/platform-pki.js";
import { makePdf } from "../helpers/pdf.js";
import {
  nssTrusting,
  pdfsig,
  qpdfCheck,
  run,
  signatureStructure,
  withFile,
} from "../helpers/validators.js";

const SECRET = Buffer.alloc(32, 7);

describe("the platform PKI and the PAdES seal", () => {
  let dataDir: string;
  let pki: PlatformPki;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-pki-"));
    pki = await loadPlatformPki({ dataDir, secret: SECRET, organization: "Acme, Inc." });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("creates a root CA and a seal certificate once, keys encrypted at rest", async () => {
    const dir = path.join(dataDir, "pki");
    for (const file of ["root-ca.key.enc", "seal.key.enc"]) {
      assert.equal((await stat(path.join(dir, file))).mode & 0o777, 0o600, file);
      const bytes = await readFile(path.join(dir, file));
      assert.ok(!bytes.includes(Buffer.from("PRIVATE KEY")), "no PEM private key");
    }
    const again = await loadPlatformPki({ dataDir, secret: SECRET, organization: "Acme, Inc." });
    assert.equal(again.rootCertificatePem, pki.rootCertificatePem);
    await assert.rejects(
      loadPlatformPki({ dataDir, secret: Buffer.alloc(32, 8), organization: "Acme" }),
      /the server secret changed since the platform certificate was created/,
    );
  });

  it("gives the certificates the key usages a CA and a document signer need", async () => {
    const root = (
      await run("openssl", [
        "x509",
        "-in",
        path.join(dataDir, "pki/root-ca.pem"),
        "-noout",
        "-text",
      ])
    ).output;
    assert.match(root, /CA:TRUE/);
    assert.match(root, /Certificate Sign, CRL Sign/);
    assert.match(root, /Subject: CN = "Acme, Inc\. Root CA", O = "Acme, Inc\."/);
    assert.match(root, /ASN1 OID: prime256v1/);
    const seal = (
      await run("openssl", ["x509", "-in", path.join(dataDir, "pki/seal.pem"), "-noout", "-text"])
    ).output;
    assert.match(seal, /CA:FALSE/);
    assert.match(seal, /Digital Signature, Non Repudiation/);
    assert.match(seal, /E-mail Protection/);
    assert.match(seal, /Issuer: CN = "Acme, Inc\. Root CA"/);
    const verify = await run("openssl", [
      "verify",
      "-CAfile",
      path.join(dataDir, "pki/root-ca.pem"),
      path.join(dataDir, "pki/seal.pem"),
    ]);
    assert.match(verify.output, /seal\.pem: OK/);
  });

  it("seals a PDF that pdfsig and qpdf accept, trusted once the root is imported", async () => {
    const sealed = await sealPdf(await makePdf(["a4", "letter"]), {
      signer: pki.signer,
      reason: "Signed with Certyneo",
    });
    const report = await pdfsig(sealed);
    assert.match(report, /Signature Validation: Signature is Valid\./);
    assert.match(report, /Total document signed/);
    assert.match(report, /Signature Type: ETSI\.CAdES\.detached/);
    assert.match(report, /Signing Hash Algorithm: SHA-256/);
    assert.match(report, /Signer Certificate Common Name: Acme, Inc\. Document Seal/);
    assert.match(report, /Certificate issuer isn't Trusted/);
    assert.equal((await qpdfCheck(sealed)).code, 0);
    const nss = await nssTrusting(pki.rootCertificatePem!);
    try {
      assert.match(
        await pdfsig(sealed, nss.dir),
        /Certificate Validation: Certificate is Trusted\./,
      );
    } finally {
      await nss.remove();
    }
  });

  it("signs as a PAdES baseline: no signing-time in the CMS, /M kept, the first seal certifies (DocMDP P=2), its widget in the page's /Annots", async () => {
    const signingTime = new Date("2026-12-05T10:15:00Z");
    const once = await sealPdf(await makePdf(["a4", "letter"]), {
      signer: pki.signer,
      reason: "Signé avec Certyneo (scellé)",
      signingTime,
    });
    const { signatures, perms } = await signatureStructure(once);
    assert.equal(perms, true, "the catalog's /Perms names a DocMDP signature");
    assert.equal(signatures.length, 1);
    const [seal] = signatures;
    assert.equal(seal!.subFilter, "/ETSI.CAdES.detached");
    assert.equal(seal!.M, "D:20261205101500Z");
    assert.equal(seal!.certifies, true);
    assert.deepEqual(seal!.transforms, [{ method: "/DocMDP", P: 2, V: "/1.2" }]);
    assert.equal(seal!.widgetInAnnots, true);
    assert.deepEqual(seal!.signedAttributes, [
      "content_type",
      "message_digest",
      "1.2.840.113549.1.9.16.2.47", // ESS signing-certificate-v2
    ]);
    const report = await pdfsig(once);
    assert.match(report, /Signing Time: Dec 05 2026 10:15:00/);
    assert.match(report, /Signature is Valid\./);
    // A later seal approves: a document has one certification, and it comes first.
    const twice = await sealPdf(once, { signer: pki.signer, reason: "Second" });
    const both = await signatureStructure(twice);
    assert.deepEqual(
      both.signatures.map((s) => [s.certifies, s.transforms.length, s.widgetInAnnots]),
      [
        [true, 1, true],
        [false, 0, true],
      ],
    );
  });

  it("gives OpenSSL a CMS without signing-time, with the signing certificate bound", async () => {
    const sealed = await sealPdf(await makePdf(), { signer: pki.signer, reason: "Signed" });
    const printed = await withFile(sealed, async (file) => {
      const der = `${file}.p7s`;
      const extract = await run("/usr/bin/python3", [
        "-c",
        "import pikepdf,sys;p=pikepdf.open(sys.argv[1]);open(sys.argv[2],'wb').write(bytes(p.Root.AcroForm.Fields[0].V.Contents))",
        file,
        der,
      ]);
      assert.equal(extract.code, 0, extract.output);
      return run("openssl", ["cms", "-inform", "DER", "-in", der, "-cmsout", "-print"]);
    });
    assert.equal(printed.code, 0, printed.output);
    assert.match(printed.output, /object: contentType/);
    assert.match(printed.output, /object: messageDigest/);
    assert.match(printed.output, /object: id-smime-aa-signingCertificateV2/);
    assert.doesNotMatch(printed.output, /signingTime/);
  });

  it("detects one byte changed inside the signed range", async () => {
    const sealed = Buffer.from(
      await sealPdf(await makePdf(), { signer: pki.signer, reason: "Signed" }),
    );
    const offset = sealed.indexOf("/MediaBox");
    assert.ok(offset > 0);
    sealed[offset + 1] = "N".charCodeAt(0);
    assert.doesNotMatch(await pdfsig(sealed), /Signature is Valid/);
  });

  it("keeps an earlier signature valid: sealing is an incremental update", async () => {
    const once = await sealPdf(await makePdf(), { signer: pki.signer, reason: "First" });
    const twice = await sealPdf(once, { signer: pki.signer, reason: "Second" });
    assert.ok(
      Buffer.from(twice.subarray(0, once.length)).equals(Buffer.from(once)),
      "the first file is a prefix",
    );
    const report = await pdfsig(twice);
    assert.equal(report.match(/Signature is Valid\./g)?.length, 2, report);
    assert.equal(
      report.match(/Total document signed/g)?.length,
      1,
      "only the last covers the whole file",
    );
  });

  it("signs with an operator's PKCS#12 instead", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-p12-"));
    try {
      const key = path.join(dir, "key.pem");
      const cert = path.join(dir, "cert.pem");
      const p12 = path.join(dir, "operator.p12");
      const made = await run("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:3072",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=Operator Seal/O=Operator",
        "-addext",
        "keyUsage=critical,digitalSignature,nonRepudiation",
      ]);
      assert.equal(made.code, 0, made.output);
      const exported = await run("openssl", [
        "pkcs12",
        "-export",
        "-inkey",
        key,
        "-in",
        cert,
        "-out",
        p12,
        "-passout",
        "pass:s3cret",
        "-keypbe",
        "AES-256-CBC",
        "-certpbe",
        "AES-256-CBC",
        "-macalg",
        "sha256",
      ]);
      assert.equal(exported.code, 0, exported.output);
      const operator = await loadPlatformPki({
        dataDir: dir,
        secret: SECRET,
        organization: "x",
        pkcs12: { path: p12, password: "s3cret" },
      });
      assert.equal(operator.rootCertificatePem, undefined);
      const report = await pdfsig(
        await sealPdf(await makePdf(), { signer: operator.signer, reason: "Signed" }),
      );
      assert.match(report, /Signer Certificate Common Name: Operator Seal/);
      assert.match(report, /Signature is Valid\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
