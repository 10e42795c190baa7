import { createHash } from "node:crypto";
import type { PDF } from "@libpdf/core";
import { findChainBreak, type StoredChainedEvent } from "../domain/event-chain.js";
import {
  type BuiltChain,
  CertificatePool,
  fingerprint,
  type RevocationStatus,
} from "../pki/certificate-chains.js";
import {
  CmsFormatError,
  checkSigner,
  checkTimestampToken,
  digestOf,
  parseSignedData,
  type SignerCheck,
  type TimestampCheck,
} from "../pki/cms-verify.js";
import type { x509 } from "../pki/x509.js";
import { loadWithinLimits } from "./inspect.js";
import type { PdfLimits } from "./pdf-limits.js";
import {
  coveredEnd,
  type DocumentSecurityStore,
  type PdfSignature,
  readDocumentSecurityStore,
  readSignatures,
} from "./read-signatures.js";
import { readSealRecord, type SealRecord } from "./seal-record.js";

/** The certificates that make a signature this platform's. */
export interface VerificationTrust {
  /** The platform roots: a seal or timestamp certificate they issued is the platform's. */
  roots: Uint8Array[];
  /** Seal certificates of the platform's own (an operator's PKCS#12 or PKCS#11 certificate). */
  seals: Uint8Array[];
}

/** A file holding more signatures is verified for its first ones only: each costs a hash of the file. */
export const MAX_VERIFIED_SIGNATURES = 32;

export type VerificationResult =
  /** Sealed by this platform; nothing but validation data and timestamps was added since. */
  | "sealed_unchanged"
  /** Sealed by this platform, and changed since (bytes or signatures added). */
  | "sealed_changed"
  /** A signature or timestamp no longer matches the bytes it covers. */
  | "altered"
  /** Signed, intact, but not by this platform. */
  | "signed_elsewhere"
  | "unsigned";

export type VerificationProblem =
  | "byte_range_invalid"
  | "cms_malformed"
  | "digest_mismatch"
  | "signature_invalid"
  | "signer_certificate_missing"
  | "signing_time_attribute"
  | "signing_certificate_mismatch"
  | "untrusted"
  | "certificate_not_valid_at_signing_time"
  | "revoked"
  | "revocation_data_missing"
  | "timestamp_invalid"
  | "no_timestamp";

export interface VerifiedCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  revocation: RevocationStatus;
}

export interface VerifiedTimestamp {
  time: string;
  authority: string | null;
  /** The SHA-256 of the authority's certificate. */
  authorityCertificate: string | null;
  intact: boolean;
  trusted: boolean;
  byPlatform: boolean;
  /** When the authority's certificate expires, and with it what this timestamp proves. */
  validUntil: string | null;
}

export interface VerifiedSignature {
  field: string;
  kind: "signature" | "document_timestamp";
  subFilter: string | null;
  coveredBytes: number;
  coversWholeFile: boolean;
  /** The bytes it covers are those it signed, and its signature verifies. */
  intact: boolean;
  /** The signature dictionary's `/M`: what the signer claims, not proof. */
  claimedTime: string | null;
  reason: string | null;
  location: string | null;
  /** A certification (DocMDP): which changes it allows after it. */
  certification: "no_changes" | "form_filling" | "form_filling_and_annotations" | null;
  signer: {
    name: string | null;
    organization: string | null;
    trusted: boolean;
    byPlatform: boolean;
  } | null;
  /** The signature's timestamp; a document timestamp's own token. */
  timestamp: VerifiedTimestamp | null;
  /** Revocation data in the file for every certificate of the signer and its timestamp. */
  longTermValidation: boolean;
  certificates: VerifiedCertificate[];
  problems: VerificationProblem[];
}

export interface VerificationReport {
  object: "verification";
  result: VerificationResult;
  file: { sha256: string; size: number };
  sealedByPlatform: boolean;
  unchangedSinceSealing: boolean | null;
  /** When the platform sealed it: its seal's timestamp (or, without one, the time it claims). */
  sealedAt: string | null;
  /** The PAdES baseline level of the platform's seal. */
  level: "B-B" | "B-T" | "B-LT" | "B-LTA" | null;
  /** The last document timestamp: until when the evidence holds unless renewed. */
  archiveTimestamp: { time: string; validUntil: string | null } | null;
  envelope: SealRecord | null;
  /** An audit trail's attached events, their hash chain recomputed. */
  eventChain: { events: number; intact: boolean; head: string | null } | null;
  signatures: VerifiedSignature[];
  /** Bytes at the end of the file that no signature or timestamp covers. */
  uncoveredBytes: number;
  /** More signatures than `MAX_VERIFIED_SIGNATURES`: the others were not verified. */
  truncated: boolean;
}

const CERTIFICATION = {
  1: "no_changes",
  2: "form_filling",
  3: "form_filling_and_annotations",
} as const;

/**
 * What a PDF proves, from its bytes alone: each signature and document timestamp checked against
 * the bytes it covers, its certificates chained and their revocation looked up in the file's DSS,
 * and whether this platform sealed it and nothing changed since. CPU only: run on a PDF thread.
 */
export async function verifyPdf(
  bytes: Buffer,
  trust: VerificationTrust,
  limits: PdfLimits,
): Promise<VerificationReport> {
  const pdf = await loadWithinLimits(bytes, limits);
  const all = readSignatures(pdf, bytes, MAX_VERIFIED_SIGNATURES + 1);
  const entries = all.slice(0, MAX_VERIFIED_SIGNATURES);
  const dss = readDocumentSecurityStore(pdf);
  const roots = new Set(trust.roots.map(fingerprint));
  const seals = new Set(trust.seals.map(fingerprint));
  const context: Context = { bytes, dss, roots, seals, anchors: [...trust.roots, ...trust.seals] };
  const signatures: VerifiedSignature[] = [];
  for (const entry of entries) signatures.push(await verifyEntry(entry, context));

  const sealIndex = signatures.findIndex(
    (s) => s.kind === "signature" && s.intact && s.signer?.byPlatform,
  );
  const seal = signatures[sealIndex];
  const last = entries.at(-1);
  const uncoveredBytes = bytes.length - (last ? Math.max(0, coveredEnd(last)) : 0);
  const later = sealIndex < 0 ? [] : signatures.slice(sealIndex + 1);
  const unchanged =
    seal &&
    uncoveredBytes === 0 &&
    later.every(
      (s) =>
        s.kind === "document_timestamp" &&
        s.intact &&
        (s.timestamp?.byPlatform || sameAuthority(s.timestamp, seal.timestamp)),
    );
  const result: VerificationResult =
    signatures.length === 0
      ? "unsigned"
      : signatures.some((s) => !s.intact)
        ? "altered"
        : seal
          ? unchanged
            ? "sealed_unchanged"
            : "sealed_changed"
          : "signed_elsewhere";
  const lastTimestamp = later.filter((s) => s.kind === "document_timestamp" && s.intact).at(-1);
  const record = seal ? readSealRecord(pdf) : null;
  return {
    object: "verification",
    result,
    file: { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length },
    sealedByPlatform: seal !== undefined,
    unchangedSinceSealing: seal ? Boolean(unchanged) : null,
    sealedAt: seal ? (seal.timestamp?.intact ? seal.timestamp.time : seal.claimedTime) : null,
    level: seal ? levelOf(seal, lastTimestamp) : null,
    archiveTimestamp: lastTimestamp?.timestamp
      ? { time: lastTimestamp.timestamp.time, validUntil: lastTimestamp.timestamp.validUntil }
      : null,
    envelope: record,
    eventChain: record?.contents === "audit_trail" ? eventChain(pdf) : null,
    signatures,
    uncoveredBytes,
    truncated: all.length > MAX_VERIFIED_SIGNATURES,
  };
}

interface Context {
  bytes: Buffer;
  dss: DocumentSecurityStore;
  roots: Set<string>;
  seals: Set<string>;
  anchors: Uint8Array[];
}

async function verifyEntry(entry: PdfSignature, context: Context): Promise<VerifiedSignature> {
  const { bytes } = context;
  const problems: VerificationProblem[] = [];
  const base = {
    field: entry.field,
    kind: entry.kind,
    subFilter: entry.subFilter,
    coveredBytes: entry.covered
      ? entry.covered[0][1] - entry.covered[0][0] + entry.covered[1][1] - entry.covered[1][0]
      : 0,
    coversWholeFile: coveredEnd(entry) === bytes.length,
    claimedTime: entry.claimedTime?.toISOString() ?? null,
    reason: entry.reason,
    location: entry.location,
    certification: entry.certification
      ? CERTIFICATION[entry.certification as keyof typeof CERTIFICATION]
      : null,
  };
  const broken = (problem: VerificationProblem): VerifiedSignature => ({
    ...base,
    intact: false,
    signer: null,
    timestamp: null,
    longTermValidation: false,
    certificates: [],
    problems: [problem],
  });
  if (!entry.covered || !entry.contents) return broken("byte_range_invalid");
  const covered = digestOf(entry.covered.map(([from, to]) => bytes.subarray(from, to)));

  let check: SignerCheck;
  let timestamp: TimestampCheck | null = null;
  try {
    if (entry.kind === "document_timestamp") {
      timestamp = await checkTimestampToken(entry.contents, covered);
      check = timestamp;
    } else {
      check = await checkSigner(parseSignedData(entry.contents), covered);
      if (check.signatureTimestamp) {
        const value = check.signatureValue;
        try {
          timestamp = await checkTimestampToken(check.signatureTimestamp, digestOf([value]));
        } catch (error) {
          if (!(error instanceof CmsFormatError)) throw error;
          problems.push("timestamp_invalid");
        }
      }
    }
  } catch (error) {
    if (error instanceof CmsFormatError) return broken("cms_malformed");
    throw error;
  }
  const digestMatches =
    entry.kind === "document_timestamp"
      ? (timestamp?.imprintMatches ?? false)
      : check.digestMatches;
  if (!digestMatches) problems.push("digest_mismatch");
  if (!check.signer) problems.push("signer_certificate_missing");
  else if (!check.signatureValid) problems.push("signature_invalid");
  if (check.hasSigningTime && entry.kind === "signature") problems.push("signing_time_attribute");
  if (check.signingCertificateMatches === false) problems.push("signing_certificate_mismatch");

  const pool = new CertificatePool(
    [...check.certificates, ...(timestamp?.certificates ?? []), ...context.dss.certificates],
    context.dss.crls,
    context.anchors,
  );
  const timestampIntact =
    timestamp?.signatureValid === true &&
    (entry.kind === "document_timestamp" || timestamp.imprintMatches);
  if (entry.kind === "signature" && timestamp && !timestampIntact)
    problems.push("timestamp_invalid");
  if (entry.kind === "signature" && !timestamp && !problems.includes("timestamp_invalid"))
    problems.push("no_timestamp");
  const at = timestampIntact ? timestamp!.time : (entry.claimedTime ?? new Date());

  const signerChain = check.signer ? await pool.chain(check.signer) : null;
  const authorityChain =
    timestamp?.signer && entry.kind === "signature" ? await pool.chain(timestamp.signer) : null;
  const certificates = signerChain ? await describeChain(pool, signerChain, at) : [];
  const authorityCertificates = authorityChain ? await describeChain(pool, authorityChain, at) : [];
  const leaf = signerChain?.certificates[0]?.certificate;
  if (signerChain && !signerChain.anchored) problems.push("untrusted");
  if (leaf && (at < leaf.notBefore || at > leaf.notAfter))
    problems.push("certificate_not_valid_at_signing_time");
  const statuses = [...certificates, ...authorityCertificates].map((c) => c.revocation);
  if (statuses.includes("revoked")) problems.push("revoked");
  const longTermValidation =
    statuses.length > 0 && statuses.every((s) => s === "good" || s === "not_applicable");
  if (signerChain && !longTermValidation && !statuses.includes("revoked"))
    problems.push("revocation_data_missing");

  const byPlatform = (chain: BuiltChain | null) =>
    chain !== null &&
    (chain.certificates.some((c) => context.roots.has(c.sha256)) ||
      context.seals.has(chain.certificates[0]?.sha256 ?? ""));
  const timestampChain = entry.kind === "document_timestamp" ? signerChain : authorityChain;
  return {
    ...base,
    intact: digestMatches && check.signatureValid,
    signer: leaf
      ? {
          name: nameAttribute(leaf, "CN"),
          organization: nameAttribute(leaf, "O"),
          trusted: signerChain!.anchored,
          byPlatform: byPlatform(signerChain),
        }
      : null,
    timestamp:
      timestamp && timestampChain
        ? {
            time: timestamp.time.toISOString(),
            authority: timestampChain.certificates[0]
              ? nameAttribute(timestampChain.certificates[0].certificate, "CN")
              : null,
            authorityCertificate: timestampChain.certificates[0]?.sha256 ?? null,
            intact: timestampIntact,
            trusted: timestampChain.anchored,
            byPlatform: byPlatform(timestampChain),
            validUntil: timestampChain.certificates[0]?.certificate.notAfter.toISOString() ?? null,
          }
        : null,
    longTermValidation,
    // The signer's chain, then the timestamp authority's, each certificate once.
    certificates: [
      ...new Map([...certificates, ...authorityCertificates].map((c) => [c.sha256, c])).values(),
    ],
    problems,
  };
}

async function describeChain(
  pool: CertificatePool,
  chain: BuiltChain,
  at: Date,
): Promise<VerifiedCertificate[]> {
  const described: VerifiedCertificate[] = [];
  for (const [index, { certificate, sha256 }] of chain.certificates.entries()) {
    described.push({
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      sha256,
      revocation: await pool.revocation(chain.certificates, index, at),
    });
  }
  return described;
}

function nameAttribute(certificate: x509.X509Certificate, type: string): string | null {
  return certificate.subjectName.getField(type)[0] ?? null;
}

function sameAuthority(a: VerifiedTimestamp | null, b: VerifiedTimestamp | null): boolean {
  return a?.authorityCertificate != null && a.authorityCertificate === b?.authorityCertificate;
}

function levelOf(
  seal: VerifiedSignature,
  archive: VerifiedSignature | undefined,
): VerificationReport["level"] {
  if (!seal.timestamp?.intact) return "B-B";
  if (!seal.longTermValidation) return "B-T";
  return archive ? "B-LTA" : "B-LT";
}

/** The audit trail's attached events (`events.json`), their chain recomputed. */
function eventChain(pdf: PDF): VerificationReport["eventChain"] {
  let events: unknown;
  try {
    const attached = pdf.getAttachment("events.json");
    if (!attached) return null;
    events = JSON.parse(Buffer.from(attached).toString("utf8"));
  } catch {
    return { events: 0, intact: false, head: null };
  }
  if (!Array.isArray(events) || !events.every((e) => e !== null && typeof e === "object"))
    return { events: 0, intact: false, head: null };
  const chained = events as StoredChainedEvent[];
  let intact: boolean;
  try {
    intact = findChainBreak(chained) === undefined;
  } catch {
    intact = false;
  }
  const head = chained.at(-1)?.hash;
  return { events: chained.length, intact, head: typeof head === "string" ? head : null };
}
