import { HttpTimestampAuthority, PDF, type Signer } from "@libpdf/core";

export interface SealOptions {
  signer: Signer;
  reason: string;
  location?: string;
  /** RFC 3161 authority: with one the signature is PAdES B-T, otherwise B-B. */
  timestampUrl?: string | undefined;
  signingTime?: Date;
}

/**
 * Adds a PAdES signature (ETSI.CAdES.detached, SHA-256) covering the whole file, as an incremental
 * update, so that an earlier signature in the file stays valid. A failing timestamp authority
 * fails the seal: never a silent downgrade to B-B.
 */
export async function sealPdf(bytes: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  return signLoaded(await PDF.load(bytes), options);
}

/** `sealPdf` of a loaded PDF, with whatever changes it holds written in the same update. */
export async function signLoaded(pdf: PDF, options: SealOptions): Promise<Uint8Array> {
  const result = await pdf.sign({
    signer: options.signer,
    reason: options.reason,
    ...(options.location && { location: options.location }),
    ...(options.signingTime && { signingTime: options.signingTime }),
    subFilter: "ETSI.CAdES.detached",
    digestAlgorithm: "SHA-256",
    level: options.timestampUrl ? "B-T" : "B-B",
    ...(options.timestampUrl && {
      timestampAuthority: new HttpTimestampAuthority(options.timestampUrl),
    }),
  });
  return result.bytes;
}
