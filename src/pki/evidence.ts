import { createHash } from "node:crypto";
import {
  HttpTimestampAuthority,
  type RevocationProvider,
  type Signer,
  type SignWarning,
  type TimestampAuthority,
} from "@libpdf/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { arrayBuffer } from "./cms.js";
import { type CrlIssuer, issueCrl } from "./crl.js";
import { type EvidenceSpec, signerFromSpec } from "./signer-spec.js";
import { BuiltInTimestampAuthority } from "./timestamp-authority.js";
import { TIME_STAMPING, x509 } from "./x509.js";

/** How long fetching a foreign certificate's CRL may take before the seal is retried later. */
const FETCH_TIMEOUT_MS = 10_000;

/** What a seal needs to reach PAdES B-LTA: a timestamp authority, and revocation data. */
export interface LongTermEvidence {
  timestampAuthority: TimestampAuthority;
  /** One per seal: the platform's CRL is issued once, after the signature's timestamp. */
  revocation(): RevocationProvider;
}

/**
 * The external authority of `CERTYNEO_TSA_URL` if set, else the built-in one; revocation data
 * for the seal's certificates and the authority's.
 */
export async function longTermEvidence(
  spec: EvidenceSpec,
  signer: Signer,
  timestampUrl: string | undefined,
): Promise<LongTermEvidence> {
  // Certificates whose revocation data a seal cannot do without: the signer's chain, and the
  // timestamp authority's, as its tokens carry them.
  const required = new Set(
    [signer.certificate, ...(signer.certificateChain ?? [])].map(fingerprint),
  );
  const authority = timestampUrl
    ? new HttpTimestampAuthority(timestampUrl)
    : new BuiltInTimestampAuthority(await signerFromSpec(spec.tsa));
  const timestampAuthority: TimestampAuthority = {
    async timestamp(digest, algorithm) {
      const token = await authority.timestamp(digest, algorithm);
      for (const certificate of certificatesOf(token)) required.add(fingerprint(certificate));
      return token;
    },
  };
  const root = new x509.X509Certificate(spec.root.certificate);
  return {
    timestampAuthority,
    revocation: () => new SealRevocation(spec.root, root, required),
  };
}

/**
 * Revocation data for each certificate of a document's signatures: none for a trust anchor
 * (self-signed); the platform root's CRL, issued now, for the certificates it issued; for any
 * other, the CRL its distribution points publish, fetched. A certificate of the seal or of its
 * timestamp with none to be had fails the seal (retried later): never a PDF that claims long-term
 * validation without it. For an earlier signature the uploaded document carried, it is added when
 * it can be fetched (that signature is its signer's to vouch for, not ours).
 */
class SealRevocation implements RevocationProvider {
  private platformCrl: Promise<Uint8Array> | undefined;

  constructor(
    private readonly issuer: CrlIssuer,
    private readonly root: x509.X509Certificate,
    private readonly required: ReadonlySet<string>,
  ) {}

  async getCRL(der: Uint8Array): Promise<Uint8Array | null> {
    const certificate = new x509.X509Certificate(der);
    if (await certificate.isSelfSigned()) return null;
    if (await this.issuedByRoot(certificate)) {
      this.platformCrl ??= issueCrl(this.issuer);
      return this.platformCrl;
    }
    try {
      return await fetchCrl(certificate);
    } catch (error) {
      if (this.required.has(fingerprint(der))) throw error;
      return null;
    }
  }

  private async issuedByRoot(certificate: x509.X509Certificate): Promise<boolean> {
    if (certificate.issuer !== this.root.subject) return false;
    return certificate.verify({ publicKey: this.root.publicKey, signatureOnly: true });
  }
}

function fingerprint(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

/**
 * When a timestamp token stops proving anything: the `notAfter` of the timestamping certificate
 * it carries (`null` if it carries none).
 */
export function tokenExpiry(token: Uint8Array): Date | null {
  for (const der of certificatesOf(token)) {
    const certificate = new x509.X509Certificate(der);
    const usages = certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
    if (usages.includes(TIME_STAMPING)) return certificate.notAfter;
  }
  return null;
}

/** The certificates a timestamp token (CMS SignedData) carries. */
function certificatesOf(token: Uint8Array): Uint8Array[] {
  const parsed = asn1js.fromBER(arrayBuffer(token));
  if (parsed.offset === -1) return [];
  const content = new pkijs.ContentInfo({ schema: parsed.result });
  const signed = new pkijs.SignedData({ schema: content.content });
  return (signed.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

async function fetchCrl(certificate: x509.X509Certificate): Promise<Uint8Array> {
  const points = certificate.getExtension(x509.CRLDistributionPointsExtension);
  const urls = (points?.distributionPoints ?? [])
    .flatMap((point) => point.distributionPoint?.fullName ?? [])
    .map((name) => name.uniformResourceIdentifier)
    .filter((url): url is string => typeof url === "string" && /^https?:\/\//.test(url));
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    urls.length === 0
      ? `The certificate "${certificate.subject}" names no CRL to fetch.`
      : `No CRL could be fetched for "${certificate.subject}": ${failures.join("; ")}.`,
  );
}

/** A required certificate without revocation data (`SealRevocation` threw): the seal must not stand. */
export function refuseIncomplete(warnings: readonly SignWarning[]): void {
  const incomplete = warnings.filter((w) => w.code === "REVOCATION_UNAVAILABLE");
  if (incomplete.length > 0) {
    throw new Error(
      `Long-term validation data is incomplete: ${incomplete.map((w) => w.message).join("; ")}`,
    );
  }
}
