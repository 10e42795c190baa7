import { PDF, type Signer, type TimestampAuthority } from "@libpdf/core";
import { type LongTermEvidence, refuseIncomplete, tokenExpiry } from "../pki/evidence.js";
import { refuseOutsideValidity } from "../pki/signer-spec.js";
import { signPades } from "./pades.js";
import { type SealRecord, writeSealRecord } from "./seal-record.js";

export interface SealOptions {
  signer: Signer;
  reason: string;
  location?: string;
  signingTime?: Date;
  /** The timestamp authority and revocation data that make the seal PAdES B-LTA. */
  evidence: LongTermEvidence;
  /** What the sealed PDF says of itself (`seal-record.ts`), covered by the seal. */
  record?: SealRecord | undefined;
}

/** A sealed PDF, and when its last timestamp stops proving anything (its authority's certificate expires). */
export interface SealedPdf {
  bytes: Uint8Array;
  timestampExpiresAt: Date | null;
}

/**
 * Seals a PDF as PAdES B-LTA, in incremental updates that leave an earlier signature valid: a
 * signature (ETSI.CAdES.detached, SHA-256, whole file) timestamped by the authority, the first of
 * the document certifying it (`pades.ts`); a DSS with the certificates and CRLs that validate it
 * and its timestamp; a document timestamp (ETSI.RFC3161) over the whole file. A failing timestamp
 * authority, or revocation data missing for a certificate of the seal or its timestamps, fails the
 * seal: never a silent downgrade.
 */
export async function sealPdf(bytes: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  return (await signLoaded(await PDF.load(bytes), options)).bytes;
}

/** `sealPdf` of a loaded PDF, with whatever changes it holds written in the same update. */
export async function signLoaded(pdf: PDF, options: SealOptions): Promise<SealedPdf> {
  const signingTime = options.signingTime ?? new Date();
  refuseOutsideValidity(options.signer, signingTime);
  if (options.record) writeSealRecord(pdf, options.record, signingTime);
  const signed = await signPades(pdf, {
    signer: options.signer,
    reason: options.reason,
    location: options.location,
    signingTime,
    timestampAuthority: options.evidence.timestampAuthority,
  });
  await pdf.reload(signed);
  return archive(pdf, options.evidence);
}

/**
 * Extends a sealed PDF's evidence before its last timestamp expires (PAdES B-LTA renewal, ETSI
 * EN 319 142-1, 5.5): a DSS with the validation data of every signature and timestamp so far (the
 * CRLs issued now, while the last timestamp's certificate is still valid), then a new document
 * timestamp over all of it.
 */
export async function renewArchive(
  bytes: Uint8Array,
  evidence: LongTermEvidence,
): Promise<SealedPdf> {
  return archive(await PDF.load(bytes), evidence);
}

/** The DSS for every signature of `pdf`, then a document timestamp that covers the whole file. */
async function archive(pdf: PDF, evidence: LongTermEvidence): Promise<SealedPdf> {
  const validated = await pdf.addValidationData({ revocationProvider: evidence.revocation() });
  refuseIncomplete(validated.warnings);
  // Its own validation data is the next renewal's to add (the same authority's certificate and
  // CRL are already in the DSS when it timestamped the signature too).
  let token: Uint8Array | undefined;
  const timestampAuthority: TimestampAuthority = {
    async timestamp(digest, algorithm) {
      token = await evidence.timestampAuthority.timestamp(digest, algorithm);
      return token;
    },
  };
  const { bytes } = await pdf.addTimestamp({ timestampAuthority });
  return { bytes, timestampExpiresAt: token ? tokenExpiry(token) : null };
}
