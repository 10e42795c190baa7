import { HttpTimestampAuthority, PDF, type Signer } from "@libpdf/core";
import { signPades } from "./pades.js";

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
 * update, so that an earlier signature in the file stays valid; the first one certifies the
 * document (`pades.ts`). A failing timestamp authority fails the seal: never a silent downgrade
 * to B-B.
 */
export async function sealPdf(bytes: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  return signLoaded(await PDF.load(bytes), options);
}

/** `sealPdf` of a loaded PDF, with whatever changes it holds written in the same update. */
export async function signLoaded(pdf: PDF, options: SealOptions): Promise<Uint8Array> {
  return signPades(pdf, {
    signer: options.signer,
    reason: options.reason,
    location: options.location,
    signingTime: options.signingTime ?? new Date(),
    timestampAuthority: options.timestampUrl
      ? new HttpTimestampAuthority(options.timestampUrl)
      : undefined,
  });
}
