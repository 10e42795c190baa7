import { webcrypto } from "node:crypto";
import { CryptoKeySigner, P12Signer, type Signer } from "@libpdf/core";
import type { CrlIssuer } from "./crl.js";
import { type Pkcs11KeySpec, Pkcs11Signer } from "./pkcs11-signer.js";
import { EC_P256, x509 } from "./x509.js";

type CryptoKey = webcrypto.CryptoKey;

/**
 * What a signer is made of, as plain data a worker thread can receive: the operator's PKCS#12;
 * the operator's key in a PKCS#11 token (where to find it) with its certificate and chain; or the
 * platform's seal key (PKCS#8, ECDSA P-256) with its certificate and chain (DER).
 */
export type SignerSpec =
  | { kind: "pkcs12"; pkcs12: Uint8Array; password: string }
  | { kind: "pkcs11"; key: Pkcs11KeySpec; certificate: Uint8Array; chain: Uint8Array[] }
  | { kind: "ecdsa-p256"; pkcs8: Uint8Array; certificate: Uint8Array; chain: Uint8Array[] };

/** The signer a spec describes; each thread that signs makes its own. */
export async function signerFromSpec(spec: SignerSpec): Promise<Signer> {
  if (spec.kind === "pkcs12") return P12Signer.create(spec.pkcs12, spec.password);
  if (spec.kind === "pkcs11") return new Pkcs11Signer(spec.key, spec.certificate, spec.chain);
  const privateKey = await webcrypto.subtle.importKey("pkcs8", spec.pkcs8, EC_P256, false, [
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

/** What sealing needs besides the signer, for long-term validation (PAdES B-LTA). */
export interface EvidenceSpec {
  /** The platform root: signs the CRLs captured in each seal's DSS. */
  root: CrlIssuer;
  /** The built-in timestamp authority's key and certificate, used without an external one. */
  tsa: Extract<SignerSpec, { kind: "ecdsa-p256" }>;
}

/** Everything a thread that seals needs, as plain bytes. */
export interface SealIdentity {
  signer: SignerSpec;
  evidence: EvidenceSpec;
}

/**
 * Refuses to sign with a certificate outside its validity: a seal must never carry a certificate
 * that had expired (or was not yet valid) when it was made.
 */
export function refuseOutsideValidity(signer: Signer, now: Date): void {
  const certificate = new x509.X509Certificate(signer.certificate);
  if (now >= certificate.notBefore && now <= certificate.notAfter) return;
  const when =
    now > certificate.notAfter
      ? `expired on ${certificate.notAfter.toISOString()}`
      : `is not valid before ${certificate.notBefore.toISOString()}`;
  throw new Error(
    `The seal certificate "${certificate.subject}" ${when}: documents are not sealed with it. The platform's own certificate is renewed at the next start; an operator's (CERTYNEO_PKCS12_PATH, CERTYNEO_PKCS11_CERTIFICATE) must be replaced.`,
  );
}
