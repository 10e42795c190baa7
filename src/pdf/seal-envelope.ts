import { PDF, type Signer } from "@libpdf/core";
import type { LongTermEvidence } from "../pki/evidence.js";
import { type AuditTrailData, renderAuditTrail } from "./audit-trail.js";
import { type PdfSource, pdfSourceBytes } from "./inspect.js";
import { type SealedPdf, sealPdf, signLoaded } from "./seal.js";
import { ALL_DOCUMENTS, UnusableDocumentError } from "./seal-parts.js";
import type { SealRecord } from "./seal-record.js";
import { drawStamps, type PageMarks, type Stamp } from "./stamp.js";

export interface SealSettings {
  reason: string;
  /** An external RFC 3161 authority; without one, the built-in authority timestamps. */
  timestampUrl: string | undefined;
  signingTime: Date;
  record: SealRecord;
}

export interface EnvelopeToSeal {
  /** Each original as bytes, or as the stored file the thread reads itself. */
  documents: { id: string; original: PdfSource; stamps: Stamp[] }[];
  /** Written on every page: the test mark outside `live`, the envelope's id. */
  marks: PageMarks;
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
): Promise<SealedPart[]> {
  const options = { signer, evidence, ...envelope.seal };
  const single = envelope.documents.length === 1;
  const stamped: Uint8Array[] = [];
  const parts: SealedPart[] = [];
  for (const document of envelope.documents) {
    // Outside `unusable`: a file that cannot be read is not a document that cannot be stamped.
    const original = await pdfSourceBytes(document.original);
    const pdf = await unusable(`Document ${document.id} cannot be stamped`, async () => {
      const loaded = await PDF.load(original);
      drawStamps(loaded, document.stamps, envelope.marks);
      // The stamped document without its signature, to be merged with the others.
      if (!single) stamped.push(await loaded.save({ incremental: true }));
      return loaded;
    });
    // The stamps and the signature in one incremental update.
    parts.push(sealedPart(document.id, await signLoaded(pdf, options)));
  }
  // One document is its own combination: the same sealed bytes, not a second signature.
  if (single) {
    parts.push({ ...parts[0]!, part: ALL_DOCUMENTS });
    return parts;
  }
  const merged = await unusable("The documents cannot be combined into one PDF", async () =>
    (await PDF.merge(stamped)).save(),
  );
  parts.push(sealedPart(ALL_DOCUMENTS, await signLoaded(await PDF.load(merged), options)));
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

/** A sealed PDF of an envelope, as the thread hands it back: plain data. */
export interface SealedPart {
  part: string;
  bytes: Uint8Array;
  /** ISO 8601: when its last timestamp's certificate expires (`null`: unknown). */
  timestampExpiresAt: string | null;
}

function sealedPart(part: string, sealed: SealedPdf): SealedPart {
  return {
    part,
    bytes: sealed.bytes,
    timestampExpiresAt: sealed.timestampExpiresAt?.toISOString() ?? null,
  };
}

async function unusable<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UnusableDocumentError(`${what}: ${message}`, { cause: error });
  }
}
