import { PDF, type Signer } from "@libpdf/core";
import type { LongTermEvidence } from "../pki/evidence.js";
import { type AuditTrailData, renderAuditTrail } from "./audit-trail.js";
import { sealPdf, signLoaded } from "./seal.js";
import { drawStamps, type Stamp } from "./stamp.js";

/** The part of an envelope's sealed output that holds every document in one PDF. */
export const ALL_DOCUMENTS = "all";

/** A failure caused by the documents themselves: trying again cannot mend it. */
export class UnusableDocumentError extends Error {
  override readonly name = "UnusableDocumentError";
}

export interface SealSettings {
  reason: string;
  /** An external RFC 3161 authority; without one, the built-in authority timestamps. */
  timestampUrl: string | undefined;
  signingTime: Date;
}

export interface EnvelopeToSeal {
  documents: { id: string; original: Uint8Array; stamps: Stamp[] }[];
  /** Drawn on every page outside `live`. */
  testMark: string | null;
  seal: SealSettings;
}

/**
 * Each document with its stamps drawn and sealed, then all of them merged into one sealed PDF
 * (part `ALL_DOCUMENTS`, last; for a single document, the very bytes of its own part). Pure CPU and the timestamp authority: run on a worker thread.
 */
export async function sealEnvelope(
  envelope: EnvelopeToSeal,
  signer: Signer,
  evidence: LongTermEvidence,
): Promise<{ part: string; bytes: Uint8Array }[]> {
  const options = { signer, evidence, ...envelope.seal };
  const single = envelope.documents.length === 1;
  const stamped: Uint8Array[] = [];
  const parts: { part: string; bytes: Uint8Array }[] = [];
  for (const document of envelope.documents) {
    const pdf = await unusable(`Document ${document.id} cannot be stamped`, async () => {
      const loaded = await PDF.load(document.original);
      drawStamps(loaded, document.stamps, envelope.testMark);
      // The stamped document without its signature, to be merged with the others.
      if (!single) stamped.push(await loaded.save({ incremental: true }));
      return loaded;
    });
    // The stamps and the signature in one incremental update.
    parts.push({ part: document.id, bytes: await signLoaded(pdf, options) });
  }
  // One document is its own combination: the same sealed bytes, not a second signature.
  if (single) {
    parts.push({ part: ALL_DOCUMENTS, bytes: parts[0]!.bytes });
    return parts;
  }
  const merged = await unusable("The documents cannot be combined into one PDF", async () =>
    (await PDF.merge(stamped)).save(),
  );
  parts.push({ part: ALL_DOCUMENTS, bytes: await sealPdf(merged, options) });
  return parts;
}

/** The audit trail PDF, sealed like the documents. */
export async function sealAuditTrail(
  trail: AuditTrailData,
  settings: SealSettings,
  signer: Signer,
  evidence: LongTermEvidence,
): Promise<Uint8Array> {
  return sealPdf(await renderAuditTrail(trail), { signer, evidence, ...settings });
}

async function unusable<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UnusableDocumentError(`${what}: ${message}`, { cause: error });
  }
}
