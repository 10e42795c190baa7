import { createHash } from "node:crypto";
import { arrayBuffer } from "./cms.js";
import { x509 } from "./x509.js";

/** What is known of a certificate's revocation at a point in time. */
export type RevocationStatus =
  /** A self-signed certificate (a root): nothing revokes it. */
  | "not_applicable"
  /** A CRL from its issuer, whose signature verifies, does not list it. */
  | "good"
  /** It was revoked before the time in question. */
  | "revoked"
  /** No verifiable revocation data for it. */
  | "missing";

export interface ChainedCertificate {
  certificate: x509.X509Certificate;
  der: Uint8Array;
  sha256: string;
}

export interface BuiltChain {
  /** From the leaf up to the last issuer found. */
  certificates: ChainedCertificate[];
  /** Some certificate of the chain is one of the trust anchors. */
  anchored: boolean;
}

/**
 * The certificates and CRLs a PDF carries (its signatures' and its DSS), against which chains are
 * built and revocation looked up. Nothing is fetched: a verification reads the file only.
 */
export class CertificatePool {
  private readonly certificates: x509.X509Certificate[];
  private readonly crls: x509.X509Crl[];
  private readonly anchors: Set<string>;

  constructor(
    certificates: readonly Uint8Array[],
    crls: readonly Uint8Array[],
    anchors: readonly Uint8Array[],
  ) {
    const unique = new Map<string, x509.X509Certificate>();
    for (const der of [...anchors, ...certificates]) {
      const parsed = parseCertificate(der);
      if (parsed) unique.set(fingerprint(der), parsed);
    }
    this.certificates = [...unique.values()];
    this.crls = crls.flatMap((der) => {
      try {
        return [new x509.X509Crl(arrayBuffer(der))];
      } catch {
        return [];
      }
    });
    this.anchors = new Set(anchors.map(fingerprint));
  }

  async chain(leaf: Uint8Array): Promise<BuiltChain> {
    const certificate = parseCertificate(leaf);
    if (!certificate) return { certificates: [], anchored: false };
    let chain: x509.X509Certificate[];
    try {
      chain = [
        ...(await new x509.X509ChainBuilder({ certificates: this.certificates }).build(
          certificate,
        )),
      ];
    } catch {
      chain = [certificate];
    }
    const certificates = chain.map((c) => {
      const der = new Uint8Array(c.rawData);
      return { certificate: c, der, sha256: fingerprint(der) };
    });
    return { certificates, anchored: certificates.some((c) => this.anchors.has(c.sha256)) };
  }

  /** The revocation status of `chain[index]` at `at`, from the CRLs of its issuer (`chain[index + 1]`). */
  async revocation(
    chain: readonly ChainedCertificate[],
    index: number,
    at: Date,
  ): Promise<RevocationStatus> {
    const subject = chain[index]!;
    const issuer = chain[index + 1];
    if (!issuer) {
      return (await subject.certificate.isSelfSigned()) ? "not_applicable" : "missing";
    }
    let status: RevocationStatus = "missing";
    for (const crl of this.crls) {
      if (crl.issuer !== issuer.certificate.subject) continue;
      try {
        if (!(await crl.verify({ publicKey: issuer.certificate }))) continue;
      } catch {
        continue;
      }
      const entry = crl.findRevoked(subject.certificate);
      if (entry && entry.revocationDate.getTime() <= at.getTime()) return "revoked";
      status = "good";
    }
    return status;
  }
}

export function fingerprint(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

function parseCertificate(der: Uint8Array): x509.X509Certificate | null {
  try {
    return new x509.X509Certificate(arrayBuffer(der));
  } catch {
    return null;
  }
}
