import { PDF, type Signer } from "@libpdf/core";
import { type LongTermEvidence, refuseIncomplete } from "../pki/evidence.js";
import { refuseOutsideValidity } from "../pki/signer-spec.js";
import { signPades } from "./pades.js";

export interface SealOptions {
  signer: Signer;
  reason: string;
  location?: string;
  signingTime?: Date;
  /** The timestamp authority and revocation data that make the seal PAdES B-LTA. */
  evidence: LongTermEvidence;
}

/**
 * Seals a PDF as PAdES B-LTA, in incremental updates that leave an earlier signature valid: a
 * signature (ETSI.CAdES.detached, SHA-256, whole file) timestamped by the authority, the first of
 * the document certifying it (`pades.ts`); a DSS with the certificates and CRLs that validate it
 * and its timestamp; a document timestamp (ETSI.RFC3161), and the DSS for that one's own
 * certificates. A failing timestamp authority, or revocation data missing for a certificate of the
 * seal or its timestamps, fails the seal: never a silent downgrade.
 */
export async function sealPdf(bytes: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  return signLoaded(await PDF.load(bytes), options);
}

/** `sealPdf` of a loaded PDF, with whatever changes it holds written in the same update. */
export async function signLoaded(pdf: PDF, options: SealOptions): Promise<Uint8Array> {
  const { timestampAuthority } = options.evidence;
  const signingTime = options.signingTime ?? new Date();
  refuseOutsideValidity(options.signer, signingTime);
  const signed = await signPades(pdf, {
    signer: options.signer,
    reason: options.reason,
    location: options.location,
    signingTime,
    timestampAuthority,
  });
  await pdf.reload(signed);
  const validated = await pdf.addValidationData({
    revocationProvider: options.evidence.revocation(),
  });
  refuseIncomplete(validated.warnings);
  // Last, so that it covers the whole file; its own validation data is the next renewal's to add
  // (the same authority's certificate and CRL are already in the DSS).
  return (await pdf.addTimestamp({ timestampAuthority })).bytes;
}
