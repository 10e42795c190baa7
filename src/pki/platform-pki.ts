// @peculiar/x509 resolves its services through decorators' metadata.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CryptoKeySigner, P12Signer, type Signer } from "@libpdf/core";
import * as x509 from "@peculiar/x509";
import { SecretBox } from "../security/secret-box.js";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
/**
 * id-kp-documentSigning (RFC 9336), and id-kp-emailProtection, which NSS-based validators (pdfsig,
 * Firefox, Thunderbird) require of a document signer certificate that lists extended key usages.
 */
const SEAL_EXTENDED_KEY_USAGES = ["1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4"];
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * What a signer is made of, as plain bytes a worker thread can receive: the operator's PKCS#12,
 * or the platform's seal key (PKCS#8, ECDSA P-256) with its certificate and chain (DER).
 */
export type SignerSpec =
  | { kind: "pkcs12"; pkcs12: Uint8Array; password: string }
  | { kind: "ecdsa-p256"; pkcs8: Uint8Array; certificate: Uint8Array; chain: Uint8Array[] };

/** The signer a spec describes; each thread that signs makes its own. */
export async function signerFromSpec(spec: SignerSpec): Promise<Signer> {
  if (spec.kind === "pkcs12") return P12Signer.create(spec.pkcs12, spec.password);
  const privateKey = await webcrypto.subtle.importKey("pkcs8", spec.pkcs8, ALGORITHM, false, [
    "sign",
  ]);
  return new CryptoKeySigner(
    privateKey as unknown as CryptoKey,
    spec.certificate,
    "EC",
    "ECDSA",
    spec.chain,
  );
}

export interface PlatformPki {
  /** Signs PDFs: the platform's seal certificate, or the operator's PKCS#12. */
  signer: Signer;
  /** The same signer, for the threads that seal. */
  signerSpec: SignerSpec;
  /** The root to trust, PEM; `undefined` for an operator's PKCS#12 (they know their chain). */
  rootCertificatePem: string | undefined;
}

export interface PkiOptions {
  dataDir: string;
  /** Encrypts the private keys at rest. */
  secret: Buffer;
  organization: string;
  pkcs12?: { path: string; password: string } | undefined;
  now?: Date;
}

/** The same purpose, hence the same key, as the files written since the first version. */
const keyBox = (secret: Buffer) => new SecretBox(secret, "certyneo pki key encryption v1");

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f; // positive
  return bytes.toString("hex");
}

async function exportKey(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
}

async function generate(options: PkiOptions, files: PkiFiles): Promise<void> {
  const now = options.now ?? new Date();
  const subtle = webcrypto.subtle;
  const rootKeys = (await subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const organization = options.organization.trim() || "Certyneo";
  // Structured names: no escaping to get wrong, whatever the organization's name contains.
  const name = (commonName: string): x509.JsonName => [{ CN: [commonName] }, { O: [organization] }];
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(`${organization} Root CA`),
    notBefore: now,
    notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    keys: rootKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const sealKeys = (await subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const seal = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(`${organization} Document Seal`),
    issuer: root.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 5 * YEAR_MS),
    publicKey: sealKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(SEAL_EXTENDED_KEY_USAGES),
      await x509.SubjectKeyIdentifierExtension.create(sealKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const box = keyBox(options.secret);
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  await writeFile(files.rootKey, box.seal(await exportKey(rootKeys.privateKey)), {
    mode: 0o600,
  });
  await writeFile(files.sealKey, box.seal(await exportKey(sealKeys.privateKey)), {
    mode: 0o600,
  });
  await writeFile(files.rootCert, root.toString("pem"));
  // Written last: its presence means the whole set is there.
  await writeFile(files.sealCert, seal.toString("pem"));
}

interface PkiFiles {
  dir: string;
  rootCert: string;
  rootKey: string;
  sealCert: string;
  sealKey: string;
}

function filesIn(dataDir: string): PkiFiles {
  const dir = path.join(dataDir, "pki");
  return {
    dir,
    rootCert: path.join(dir, "root-ca.pem"),
    rootKey: path.join(dir, "root-ca.key.enc"),
    sealCert: path.join(dir, "seal.pem"),
    sealKey: path.join(dir, "seal.key.enc"),
  };
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

/**
 * The platform's signing identity: an operator's PKCS#12 when configured; otherwise a root CA and
 * a seal certificate (ECDSA P-256) created in the data directory on first use, their private
 * keys encrypted with a key derived from the server secret.
 */
export async function loadPlatformPki(options: PkiOptions): Promise<PlatformPki> {
  if (options.pkcs12) {
    const spec: SignerSpec = {
      kind: "pkcs12",
      pkcs12: new Uint8Array(await readFile(options.pkcs12.path)),
      password: options.pkcs12.password,
    };
    return { signer: await signerFromSpec(spec), signerSpec: spec, rootCertificatePem: undefined };
  }
  const files = filesIn(options.dataDir);
  if (!(await exists(files.sealCert))) await generate(options, files);
  const [rootPem, sealPem, sealKeySealed] = await Promise.all([
    readFile(files.rootCert, "utf8"),
    readFile(files.sealCert, "utf8"),
    readFile(files.sealKey),
  ]);
  let pkcs8: Buffer;
  try {
    pkcs8 = keyBox(options.secret).open(sealKeySealed);
  } catch {
    throw new Error(
      `Cannot decrypt ${files.sealKey}: the server secret changed since the platform certificate was created. Restore the previous CERTYNEO_SECRET_KEY (or secret.key), or move ${files.dir} away to create a new certificate.`,
    );
  }
  const seal = new x509.X509Certificate(sealPem);
  const root = new x509.X509Certificate(rootPem);
  const spec: SignerSpec = {
    kind: "ecdsa-p256",
    pkcs8: new Uint8Array(pkcs8),
    certificate: new Uint8Array(seal.rawData),
    chain: [new Uint8Array(root.rawData)],
  };
  return {
    signer: await signerFromSpec(spec),
    signerSpec: spec,
    rootCertificatePem: rootPem,
  };
}
