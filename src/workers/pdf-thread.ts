/**
 * A worker thread of the PDF pool: stamps, seals and renders, off the thread that serves HTTP.
 * Tasks and results are plain data; a document's own fault comes back as `unusable`, anything else
 * as a thrown error.
 */
import { workerData } from "node:worker_threads";
import type { Signer } from "@libpdf/core";
import type { AuditTrailData } from "../pdf/audit-trail.js";
import {
  type EnvelopeToSeal,
  type SealSettings,
  sealAuditTrail,
  sealEnvelope,
  UnusableDocumentError,
} from "../pdf/seal-envelope.js";
import { type SignerSpec, signerFromSpec } from "../pki/platform-pki.js";

export type PdfTask =
  | { type: "seal-envelope"; envelope: EnvelopeToSeal }
  | { type: "audit-trail"; trail: AuditTrailData; seal: SealSettings };

export type PdfResult =
  | { type: "seal-envelope"; parts: { part: string; bytes: Uint8Array }[] }
  | { type: "audit-trail"; bytes: Uint8Array }
  | { type: "unusable"; message: string };

export interface PdfThreadData {
  signer: SignerSpec;
}

let signer: Promise<Signer> | undefined;

export default async function run(task: PdfTask): Promise<PdfResult> {
  signer ??= signerFromSpec((workerData as PdfThreadData).signer);
  try {
    if (task.type === "seal-envelope")
      return { type: task.type, parts: await sealEnvelope(task.envelope, await signer) };
    return { type: task.type, bytes: await sealAuditTrail(task.trail, task.seal, await signer) };
  } catch (error) {
    if (error instanceof UnusableDocumentError) return { type: "unusable", message: error.message };
    throw error;
  }
}
