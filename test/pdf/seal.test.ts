import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sealPdf } from "../../src/pdf/seal.js";
import { loadPlatformPki, type PlatformPki } from "../../src/pki/platform-pki.js";
import { x509 } from "../../src/pki/x509.js";
import { makePdf } from "../helpers/pdf.js";
import {
  nssTrusting,
  pdfsig,
  qpdfCheck,
  run,
  signatureStructure,
  verifyTimestamps,
  withFile,
} from "../helpers/validators.js";

const SECRET = Buffer.alloc(32, 7);
const PUBLIC_URL = "https://sign.example.com";

describe("the platform PKI and the PAdES seal", () => {
  let dataDir: string;
  let pki: PlatformPki;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-pki-"));
    pki = await loadPlatformPki({
      dataDir,
      secret: SECRET,
      organization: "Acme, Inc.",
      publicUrl: PUBLIC_URL,
    });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("creates a root CA and a seal certificate once, keys encrypted at rest", async () => {
    const dir = path.join(dataDir, "pki");
    for (const file of ["root-ca.key.enc", "seal.key.enc"]) {
      assert.equal((await stat(path.join(dir, file))).mode & 0o777, 0o600, file);
      const bytes = await readFile(path.join(dir, file));
      assert.ok(!bytes.includes(Buffer.from("PRIVATE KEY")), "no PEM private key");
    }
    const again = await loadPlatformPki({
      dataDir,
      secret: SECRET,
      organization: "Acme, Inc.",
      publicUrl: PUBLIC_URL,
    });
    assert.equal(again.rootCertificatePem, pki.rootCertificatePem);
    await assert.rejects(
      loadPlatformPki({
        dataDir,
        secret: Buffer.alloc(32, 8),
        organization: "Acme",
        publicUrl: PUBLIC_URL,
      }),
      /the server secret changed since the platform certificates were created/,
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
      evidence: await pki.evidence(),
      reason: "Signed with Certyneo",
    });
    const report = await pdfsig(sealed);
    // The seal, then the document timestamp over the whole file (B-LTA): poppler validates the
    // first and lists the second without validating it ("Unable to validate this type").
    const [seal, documentTimestamp] = report.split(/Signature #\d+:/).slice(1);
    assert.match(seal!, /Signature Validation: Signature is Valid\./);
    assert.match(
      documentTimestamp!,
      /Signer Certificate Common Name: Acme, Inc\. Timestamp Authority/,
    );
    assert.match(documentTimestamp!, /Total document signed/);
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
    // A second within the certificate's validity, made when the suite runs: the seal refuses a
    // signing time before the certificate was issued.
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    const pdfDate = `D:${signingTime.toISOString().replace(/[-:T]|\.000/g, "")}`;
    const once = await sealPdf(await makePdf(["a4", "letter"]), {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Signé avec Certyneo (scellé)",
      signingTime,
    });
    const { signatures, perms } = await signatureStructure(once);
    assert.equal(perms, true, "the catalog's /Perms names a DocMDP signature");
    assert.deepEqual(
      signatures.map((s) => s.type),
      ["/Sig", "/DocTimeStamp"],
    );
    const [seal] = signatures;
    assert.equal(seal!.subFilter, "/ETSI.CAdES.detached");
    assert.equal(seal!.M, pdfDate);
    assert.equal(seal!.certifies, true);
    assert.deepEqual(seal!.transforms, [{ method: "/DocMDP", P: 2, V: "/1.2" }]);
    assert.equal(seal!.widgetInAnnots, true);
    assert.deepEqual(seal!.signedAttributes, [
      "content_type",
      "message_digest",
      "1.2.840.113549.1.9.16.2.47", // ESS signing-certificate-v2
    ]);
    const report = await pdfsig(once);
    const [, day, month, year, time] = signingTime.toUTCString().split(" ");
    assert.ok(report.includes(`Signing Time: ${month} ${day} ${year} ${time}`), report);
    assert.match(report, /Signature is Valid\./);
    // A later seal approves: a document has one certification, and it comes first.
    const twice = await sealPdf(once, {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Second",
    });
    const both = await signatureStructure(twice);
    assert.deepEqual(
      both.signatures
        .filter((s) => s.type === "/Sig")
        .map((s) => [s.certifies, s.transforms.length, s.widgetInAnnots]),
      [
        [true, 1, true],
        [false, 0, true],
      ],
    );
  });

  it("seals PAdES B-LTA: timestamped by the built-in authority, a DSS that OpenSSL validates the chain with, then a document timestamp over the whole file", async () => {
    const sealed = await sealPdf(await makePdf(), {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Signed",
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-lta-"));
    try {
      const structure = await signatureStructure(sealed, dir);
      const { signatures, dss } = structure;
      const [seal, documentTimestamp] = signatures;
      assert.deepEqual(seal!.unsignedAttributes, ["signature_time_stamp_token"]);
      assert.equal(seal!.coversWholeFile, false, "the DSS and the document timestamp follow");
      assert.equal(documentTimestamp!.type, "/DocTimeStamp");
      assert.equal(documentTimestamp!.subFilter, "/ETSI.RFC3161");
      assert.equal(documentTimestamp!.coversWholeFile, true);
      // The seal and the authority certificates, the root, and the root's CRL.
      assert.equal(dss.certs, 3);
      assert.equal(dss.crls, 1);
      const pem = async (der: string, kind: "x509" | "crl") => {
        const out = path.join(dir, `${der}.pem`);
        const converted = await run("openssl", [
          kind,
          "-inform",
          "DER",
          "-in",
          path.join(dir, der),
          "-out",
          out,
        ]);
        assert.equal(converted.code, 0, converted.output);
        return out;
      };
      const root = path.join(dataDir, "pki/root-ca.pem");
      const crl = await pem("dss-crls-0.der", "crl");
      for (const [file, name] of [
        [path.join(dataDir, "pki/seal.pem"), "seal"],
        [path.join(dataDir, "pki/tsa.pem"), "timestamp authority"],
      ]) {
        const verified = await run("openssl", [
          "verify",
          "-crl_check",
          "-CAfile",
          root,
          "-CRLfile",
          crl,
          file!,
        ]);
        assert.match(verified.output, /: OK/, `${name}: ${verified.output}`);
      }
      // The CRL came after the signature's timestamp, and names where it is published.
      const crlText = (await run("openssl", ["crl", "-in", crl, "-noout", "-text"])).output;
      assert.match(crlText, /Issuer: CN = "Acme, Inc\. Root CA"/);
      assert.match(crlText, /No Revoked Certificates/);
      const sealText = (
        await run("openssl", ["x509", "-in", path.join(dataDir, "pki/seal.pem"), "-noout", "-text"])
      ).output;
      assert.match(sealText, /URI:https:\/\/sign\.example\.com\/pki\/root-ca\.crl/);
      assert.match(sealText, /CA Issuers - URI:https:\/\/sign\.example\.com\/pki\/root-ca\.crt/);
      // Both timestamps verify with OpenSSL against the root: the signature's over its value, the
      // document's over the bytes it covers.
      for (const output of await verifyTimestamps(dir, structure, {
        caFile: root,
        untrusted: path.join(dataDir, "pki/tsa.pem"),
      })) {
        assert.match(output, /Verification: OK/, output);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives OpenSSL a CMS without signing-time, with the signing certificate bound", async () => {
    const sealed = await sealPdf(await makePdf(), {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Signed",
    });
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

  it("never seals with an expired certificate, and issues a new one before the old expires", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-renewal-"));
    try {
      const sixYearsAgo = new Date(Date.now() - 6 * 365 * 24 * 60 * 60 * 1000);
      const old = await loadPlatformPki({
        dataDir: dir,
        secret: SECRET,
        organization: "Old",
        publicUrl: PUBLIC_URL,
        now: sixYearsAgo,
      });
      // Issued six years ago for five: expired.
      await assert.rejects(
        sealPdf(await makePdf(), {
          signer: old.signer,
          evidence: await old.evidence(),
          reason: "Signed",
        }),
        /The seal certificate "CN=Old Document Seal, O=Old" expired on/,
      );
      assert.ok(old.renewAt < new Date(), "due for renewal");
      const previousSerial = new x509.X509Certificate(old.signer.certificate).serialNumber;
      const renewed = await loadPlatformPki({
        dataDir: dir,
        secret: SECRET,
        organization: "Old",
        publicUrl: PUBLIC_URL,
      });
      const current = new x509.X509Certificate(renewed.signer.certificate);
      assert.notEqual(current.serialNumber, previousSerial);
      assert.ok(current.notAfter > new Date(Date.now() + 4 * 365 * 24 * 60 * 60 * 1000));
      assert.equal(renewed.rootCertificatePem, old.rootCertificatePem, "the same root");
      // The superseded certificate is kept, by serial number.
      await stat(path.join(dir, "pki", `seal-${previousSerial}.pem`));
      const report = await pdfsig(
        await sealPdf(await makePdf(), {
          signer: renewed.signer,
          evidence: await renewed.evidence(),
          reason: "Signed",
        }),
      );
      assert.match(report, /Signature is Valid\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("detects one byte changed inside the signed range", async () => {
    const sealed = Buffer.from(
      await sealPdf(await makePdf(), {
        signer: pki.signer,
        evidence: await pki.evidence(),
        reason: "Signed",
      }),
    );
    const offset = sealed.indexOf("/MediaBox");
    assert.ok(offset > 0);
    sealed[offset + 1] = "N".charCodeAt(0);
    assert.doesNotMatch(await pdfsig(sealed), /Signature is Valid/);
  });

  it("keeps an earlier signature valid: sealing is an incremental update", async () => {
    const once = await sealPdf(await makePdf(), {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "First",
    });
    const twice = await sealPdf(once, {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "Second",
    });
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
        publicUrl: PUBLIC_URL,
        pkcs12: { path: p12, password: "s3cret" },
      });
      // The platform root still issues the built-in timestamp authority's certificate.
      assert.match(operator.rootCertificatePem, /BEGIN CERTIFICATE/);
      const report = await pdfsig(
        await sealPdf(await makePdf(), {
          signer: operator.signer,
          evidence: await operator.evidence(),
          reason: "Signed",
        }),
      );
      assert.match(report, /Signer Certificate Common Name: Operator Seal/);
      assert.match(report, /Signature is Valid\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
