import { webcrypto } from "node:crypto";
import { EC_P256, ECDSA_SHA256, x509 } from "./x509.js";

/** A CRL is good for a week: validators fetching it from `PUBLIC_URL` see a fresh one daily. */
const CRL_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

/** cRLNumber (RFC 5280, 5.2.3): increases with each CRL issued. */
const CRL_NUMBER = "2.5.29.20";

/** The platform root's key, to sign CRLs, and its certificate. */
export interface CrlIssuer {
  pkcs8: Uint8Array;
  certificate: Uint8Array;
}

/**
 * The platform root's certificate revocation list as of `now` (DER): it revokes nothing (a
 * superseded seal certificate stays valid for what it signed), and says so with the root's
 * signature, which is what a long-term validation needs for each certificate the root issued.
 */
export async function issueCrl(issuer: CrlIssuer, now = new Date()): Promise<Uint8Array> {
  const key = await webcrypto.subtle.importKey("pkcs8", issuer.pkcs8, EC_P256, false, ["sign"]);
  const root = new x509.X509Certificate(issuer.certificate);
  const crl = await x509.X509CrlGenerator.create({
    issuer: root.subjectName,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + CRL_VALIDITY_MS),
    signingKey: key as never,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(root.publicKey),
      new x509.Extension(CRL_NUMBER, false, crlNumber(now)),
    ],
  });
  return new Uint8Array(crl.rawData);
}

/** The CRL number: milliseconds since the epoch, DER INTEGER, so that it only ever grows. */
function crlNumber(now: Date): ArrayBuffer {
  let value = BigInt(now.getTime());
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  } while (value > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return new Uint8Array([0x02, bytes.length, ...bytes]).buffer;
}
