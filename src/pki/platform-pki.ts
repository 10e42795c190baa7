import { webcrypto } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Signer } from "@libpdf/core";
import { SecretBox } from "../security/secret-box.js";
import { type CrlIssuer, issueCrl } from "./crl.js";
import { type LongTermEvidence, longTermEvidence } from "./evidence.js";
import type { Pkcs11KeySpec } from "./pkcs11-signer.js";
import { randomSerialNumber } from "./serial-number.js";
import { type SealIdentity, type SignerSpec, signerFromSpec } from "./signer-spec.js";
import { EC_P256, ECDSA_SHA256, TIME_STAMPING, x509 } from "./x509.js";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * id-kp-documentSigning (RFC 9336), and id-kp-emailProtection, which NSS-based validators (pdfsig,
 * Firefox, Thunderbird) require of a document signer certificate that lists extended key usages.
 */
const SEAL_EXTENDED_KEY_USAGES = ["1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4"];
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** The CRL served under `PUBLIC_URL` is issued anew each hour (each is valid a week). */
const CRL_REISSUE_MS = 60 * 60 * 1000;

export interface PlatformPki {
  /** Signs PDFs: the platform's seal certificate, or the operator's PKCS#12. */
  signer: Signer;
  /** The same signer, the root and the built-in timestamp authority, for the threads that seal. */
  identity: SealIdentity;
  /** The platform root, PEM: it issues the seal certificate (unless the operator brings theirs) and the built-in timestamp authority's. */
  rootCertificatePem: string;
  /** The root's current CRL (DER), as served under `PUBLIC_URL`: issued at most an hour ago. */
  crl(): Promise<Uint8Array>;
  /** What a seal made on this thread needs for PAdES B-LTA (the threads make their own). */
  evidence(timestampUrl?: string): Promise<LongTermEvidence>;
  /** When a certificate of the platform's is due for renewal: load the PKI again from then on. */
  renewAt: Date;
}

export interface PkiOptions {
  dataDir: string;
  /** Encrypts the private keys at rest. */
  secret: Buffer;
  organization: string;
  /** Where the root's certificate and CRL are published, named in the certificates it issues. */
  publicUrl: string;
  pkcs12?: { path: string; password: string } | undefined;
  /** The operator's seal key in a PKCS#11 token, its certificate and chain in a PEM file. */
  pkcs11?: (Pkcs11KeySpec & { certificate: string }) | undefined;
  now?: Date;
}

/** Where a certificate of the platform root points validators to: its CRL, and the root itself. */
function publishedUrls(publicUrl: string): { crl: string; root: string } {
  const base = publicUrl.replace(/\/+$/, "");
  return { crl: `${base}/pki/root-ca.crl`, root: `${base}/pki/root-ca.crt` };
}

/** The same purpose, hence the same key, as the files written since the first version. */
const keyBox = (secret: Buffer) => new SecretBox(secret, "certyneo pki key encryption v1");

function serial(): string {
  return randomSerialNumber().toString("hex");
}

async function exportKey(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
}

/** The names of the two things a certificate is made of, in the PKI directory. */
type Leaf = "seal" | "tsa";

async function createRoot(options: PkiOptions, files: PkiFiles): Promise<void> {
  const now = options.now ?? new Date();
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: nameOf(options, "Root CA"),
    notBefore: now,
    notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  await writeFile(files.rootKey, keyBox(options.secret).seal(await exportKey(keys.privateKey)), {
    mode: 0o600,
  });
  // Written last: its presence means the root is whole.
  await writeFile(files.rootCert, root.toString("pem"));
}

// Structured names: no escaping to get wrong, whatever the organization's name contains.
function nameOf(options: PkiOptions, what: string): x509.JsonName {
  const organization = options.organization.trim() || "Certyneo";
  return [{ CN: [`${organization} ${what}`] }, { O: [organization] }];
}

/**
 * Issues the seal's or the timestamp authority's certificate from the root, with a new key: both
 * point validators to the root's CRL and certificate under `PUBLIC_URL`. The new pair is written
 * beside the old one, then moved into place (`finishIssuing`), so that a crash never leaves a key
 * with another's certificate.
 */
async function issueLeaf(
  leaf: Leaf,
  root: { key: CryptoKey; certificate: x509.X509Certificate },
  options: PkiOptions,
  files: PkiFiles,
): Promise<void> {
  const now = options.now ?? new Date();
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const urls = publishedUrls(options.publicUrl);
  const usage =
    leaf === "seal"
      ? [
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
            true,
          ),
          new x509.ExtendedKeyUsageExtension(SEAL_EXTENDED_KEY_USAGES),
        ]
      : [
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
            true,
          ),
          // RFC 3161, 2.3: timeStamping alone, critical.
          new x509.ExtendedKeyUsageExtension([TIME_STAMPING], true),
        ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: nameOf(options, leaf === "seal" ? "Document Seal" : "Timestamp Authority"),
    issuer: root.certificate.subjectName,
    notBefore: now,
    notAfter: new Date(now.getTime() + (leaf === "seal" ? 5 : 10) * YEAR_MS),
    publicKey: keys.publicKey,
    signingKey: root.key,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...usage,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.certificate.publicKey),
      new x509.CRLDistributionPointsExtension([urls.crl]),
      new x509.AuthorityInfoAccessExtension({ caIssuers: urls.root }),
    ],
  });
  const { cert, key } = files[leaf];
  await writeFile(`${key}.next`, keyBox(options.secret).seal(await exportKey(keys.privateKey)), {
    mode: 0o600,
  });
  await writeFile(`${cert}.next`, certificate.toString("pem"));
  await finishIssuing(leaf, files);
}

/** Moves a newly issued pair into place: the key, then the certificate whose presence means both. */
async function finishIssuing(leaf: Leaf, files: PkiFiles): Promise<void> {
  const { cert, key } = files[leaf];
  if (!(await exists(`${cert}.next`))) return;
  if (await exists(cert)) {
    // The superseded certificate is kept, by serial number: documents it sealed name it.
    const previous = new x509.X509Certificate(await readFile(cert, "utf8"));
    await rename(cert, path.join(files.dir, `${leaf}-${previous.serialNumber}.pem`));
  }
  if (await exists(`${key}.next`)) await rename(`${key}.next`, key);
  await rename(`${cert}.next`, cert);
}

/** A certificate is renewed this long before it expires: never used past its `notAfter`. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

function renewalDue(certificate: x509.X509Certificate, now: Date): boolean {
  return certificate.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS;
}

/** Whether a certificate points validators to the root's published CRL. */
function pointsToCrl(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.CRLDistributionPointsExtension) !== null;
}

interface PkiFiles {
  dir: string;
  rootCert: string;
  rootKey: string;
  seal: { cert: string; key: string };
  tsa: { cert: string; key: string };
}

function filesIn(dataDir: string): PkiFiles {
  const dir = path.join(dataDir, "pki");
  return {
    dir,
    rootCert: path.join(dir, "root-ca.pem"),
    rootKey: path.join(dir, "root-ca.key.enc"),
    seal: { cert: path.join(dir, "seal.pem"), key: path.join(dir, "seal.key.enc") },
    tsa: { cert: path.join(dir, "tsa.pem"), key: path.join(dir, "tsa.key.enc") },
  };
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

function openKey(options: PkiOptions, files: PkiFiles, sealed: Buffer, file: string): Buffer {
  try {
    return keyBox(options.secret).open(sealed);
  } catch {
    throw new Error(
      `Cannot decrypt ${file}: the server secret changed since the platform certificates were created. Restore the previous CERTYNEO_SECRET_KEY (or secret.key), or move ${files.dir} away to create new certificates.`,
    );
  }
}

/** A leaf's key and certificate, with the root as its chain, as a thread receives them. */
async function leafSpec(
  leaf: Leaf,
  root: x509.X509Certificate,
  options: PkiOptions,
  files: PkiFiles,
): Promise<Extract<SignerSpec, { kind: "ecdsa-p256" }>> {
  const { cert, key } = files[leaf];
  const [pem, sealedKey] = await Promise.all([readFile(cert, "utf8"), readFile(key)]);
  return {
    kind: "ecdsa-p256",
    pkcs8: new Uint8Array(openKey(options, files, sealedKey, key)),
    certificate: new Uint8Array(new x509.X509Certificate(pem).rawData),
    chain: [new Uint8Array(root.rawData)],
  };
}

/** A key in a token: where to find it, and its certificate then chain from the PEM file. */
async function tokenSpec(settings: Pkcs11KeySpec & { certificate: string }): Promise<SignerSpec> {
  const { certificate: file, ...key } = settings;
  const [certificate, ...chain] = x509.PemConverter.decode(await readFile(file, "utf8")).map(
    (der) => new Uint8Array(der),
  );
  if (!certificate) throw new Error(`${file} holds no certificate (PEM) for the PKCS#11 key.`);
  return { kind: "pkcs11", key, certificate, chain };
}

/**
 * The platform's signing identity. A root CA created in the data directory on first use (ECDSA
 * P-256, its private key encrypted with a key derived from the server secret) issues the seal
 * certificate (unless the operator's PKCS#12 is configured) and the built-in timestamp
 * authority's. A certificate issued before they pointed to the root's CRL is issued anew.
 */
export async function loadPlatformPki(options: PkiOptions): Promise<PlatformPki> {
  const files = filesIn(options.dataDir);
  if (!(await exists(files.rootCert))) await createRoot(options, files);
  const rootPem = await readFile(files.rootCert, "utf8");
  const root = new x509.X509Certificate(rootPem);
  const rootPkcs8 = openKey(options, files, await readFile(files.rootKey), files.rootKey);
  const rootKey = await webcrypto.subtle.importKey("pkcs8", rootPkcs8, EC_P256, false, ["sign"]);
  const operatorSeal = options.pkcs12 ?? options.pkcs11;
  const leaves: Leaf[] = operatorSeal ? ["tsa"] : ["seal", "tsa"];
  let renewAt = Number.POSITIVE_INFINITY;
  for (const leaf of leaves) {
    await finishIssuing(leaf, files);
    const current = (await exists(files[leaf].cert))
      ? new x509.X509Certificate(await readFile(files[leaf].cert, "utf8"))
      : undefined;
    const now = options.now ?? new Date();
    if (!current || !pointsToCrl(current) || renewalDue(current, now)) {
      await issueLeaf(leaf, { key: rootKey, certificate: root }, options, files);
    }
    const issued = new x509.X509Certificate(await readFile(files[leaf].cert, "utf8"));
    renewAt = Math.min(renewAt, issued.notAfter.getTime() - RENEW_BEFORE_MS);
  }
  const signerSpec: SignerSpec = options.pkcs12
    ? {
        kind: "pkcs12",
        pkcs12: new Uint8Array(await readFile(options.pkcs12.path)),
        password: options.pkcs12.password,
      }
    : options.pkcs11
      ? await tokenSpec(options.pkcs11)
      : await leafSpec("seal", root, options, files);
  const crlIssuer: CrlIssuer = {
    pkcs8: new Uint8Array(rootPkcs8),
    certificate: new Uint8Array(root.rawData),
  };
  let published: { at: number; crl: Promise<Uint8Array> } | undefined;
  const signer = await signerFromSpec(signerSpec);
  const identity: SealIdentity = {
    signer: signerSpec,
    evidence: { root: crlIssuer, tsa: await leafSpec("tsa", root, options, files) },
  };
  return {
    signer,
    identity,
    evidence: (timestampUrl) => longTermEvidence(identity.evidence, signer, timestampUrl),
    rootCertificatePem: rootPem,
    renewAt: new Date(renewAt),
    crl() {
      if (!published || Date.now() - published.at > CRL_REISSUE_MS) {
        published = { at: Date.now(), crl: issueCrl(crlIssuer) };
      }
      return published.crl;
    },
  };
}
