/**
 * A worker thread of the PDF pool: inspects, stamps, seals and renders, off the thread that
 * serves HTTP. Tasks and results are plain data; a document's own fault comes back as a result
 * (`unusable`, `refused`), anything else as a thrown error.
 */
import { rm } from "node:fs/promises";
import type { Signer } from "@libpdf/core";
import { Piscina } from "piscina";
import { CertyneoError, type ErrorKind } from "../domain/errors.js";
import type { AuditTrailData } from "../pdf/audit-trail.js";
import {
  type InspectedPdf,
  inspectPdfSource,
  type PdfSource,
  pdfSourceBytes,
} from "../pdf/inspect.js";
import type { PdfLimits } from "../pdf/pdf-limits.js";
import { renewArchive } from "../pdf/seal.js";
import {
  type EnvelopeToSeal,
  type SealedPart,
  type SealSettings,
  sealAuditTrail,
  sealEnvelope,
} from "../pdf/seal-envelope.js";
import { UnusableDocumentError } from "../pdf/seal-parts.js";
import { type VerificationReport, type VerificationTrust, verifyPdf } from "../pdf/verify-pdf.js";
import { type LongTermEvidence, longTermEvidence } from "../pki/evidence.js";
import { type SealIdentity, type SignerSpec, signerFromSpec } from "../pki/signer-spec.js";
import { BlobMissingError } from "../storage/blob-store.js";
import { ScratchBuffer } from "../storage/scratch-buffer.js";
import { type StagedFile, stageFile } from "../storage/staging.js";
import { lowerThreadPriority } from "./thread-priority.js";
import { ownBuffers } from "./transfer.js";

export type PdfTask =
  | { type: "inspect"; source: PdfSource; limits: PdfLimits }
  | {
      type: "seal-envelope";
      envelope: EnvelopeToSeal;
      identity: SealIdentity;
      /** Where the sealed PDFs are staged, for the blob store to keep (`BlobStore.adopt`). */
      stagingDir: string;
    }
  | { type: "audit-trail"; trail: AuditTrailData; seal: SealSettings; identity: SealIdentity }
  | {
      type: "renew-archive";
      bytes: Uint8Array;
      identity: SealIdentity;
      timestampUrl: string | undefined;
    }
  | { type: "verify"; source: PdfSource; trust: VerificationTrust; limits: PdfLimits };

export type PdfResult =
  | { type: "inspect"; facts: InspectedPdf }
  | { type: "seal-envelope"; parts: StagedPart[] }
  | { type: "audit-trail"; bytes: Uint8Array }
  | { type: "renew-archive"; bytes: Uint8Array; timestampExpiresAt: string | null }
  | { type: "verify"; report: VerificationReport }
  | { type: "unusable"; message: string }
  /** A stored file the thread read by itself (`StoredFileRef`) is not there. */
  | { type: "missing"; sha256: string }
  | { type: "refused"; kind: ErrorKind; code: string; message: string; param?: string };

/** A sealed part as the file this thread staged it to: its bytes never go to another thread. */
export interface StagedPart {
  part: string;
  staged: StagedFile;
  timestampExpiresAt: string | null;
}

lowerThreadPriority();

/** Where this thread reads the uploads it inspects, one after the other. */
const scratch = new ScratchBuffer();

/** The signer and evidence of the last identity seen: one per deployment, made once per thread. */
let made: { key: string; signer: Promise<Signer>; evidence: Promise<LongTermEvidence> } | undefined;

function sealWith(
  identity: SealIdentity,
  timestampUrl: string | undefined,
): { signer: Promise<Signer>; evidence: Promise<LongTermEvidence> } {
  const key = [
    specKey(identity.signer),
    specKey(identity.evidence.tsa),
    Buffer.from(identity.evidence.root.certificate).toString("base64"),
    timestampUrl ?? "",
  ].join(":");
  if (made?.key !== key) {
    const signer = signerFromSpec(identity.signer);
    made = {
      key,
      signer,
      evidence: signer.then((s) => longTermEvidence(identity.evidence, s, timestampUrl)),
    };
  }
  return made;
}

function specKey(spec: SignerSpec): string {
  const bytes = spec.kind === "pkcs12" ? spec.pkcs12 : spec.certificate;
  return `${spec.kind}:${Buffer.from(bytes).toString("base64")}`;
}

function moved(result: PdfResult, views: readonly Uint8Array[]): PdfResult {
  const movable = {
    [Piscina.transferableSymbol]: ownBuffers(views),
    [Piscina.valueSymbol]: result,
  };
  return Piscina.move(movable as never) as unknown as PdfResult;
}

export default async function run(task: PdfTask): Promise<PdfResult> {
  try {
    if (task.type === "inspect") {
      const facts = await inspectPdfSource(task.source, task.limits, scratch);
      return { type: task.type, facts };
    }
    if (task.type === "seal-envelope") {
      const made = sealWith(task.identity, task.envelope.seal.timestampUrl);
      const parts = await sealEnvelope(task.envelope, await made.signer, await made.evidence);
      return { type: task.type, parts: await stageParts(parts, task.stagingDir) };
    }
    if (task.type === "verify") {
      const bytes = await pdfSourceBytes(task.source);
      return { type: task.type, report: await verifyPdf(bytes, task.trust, task.limits) };
    }
    if (task.type === "renew-archive") {
      const made = sealWith(task.identity, task.timestampUrl);
      const renewed = await renewArchive(task.bytes, await made.evidence);
      return moved(
        {
          type: task.type,
          bytes: renewed.bytes,
          timestampExpiresAt: renewed.timestampExpiresAt?.toISOString() ?? null,
        },
        [renewed.bytes],
      );
    }
    const made = sealWith(task.identity, task.seal.timestampUrl);
    const bytes = await sealAuditTrail(
      task.trail,
      task.seal,
      await made.signer,
      await made.evidence,
    );
    return moved({ type: task.type, bytes }, [bytes]);
  } catch (error) {
    if (error instanceof UnusableDocumentError) return { type: "unusable", message: error.message };
    if (error instanceof BlobMissingError) return { type: "missing", sha256: error.sha256 };
    if (error instanceof CertyneoError) {
      return {
        type: "refused",
        kind: error.kind,
        code: error.code,
        message: error.message,
        ...(error.param !== undefined && { param: error.param }),
      };
    }
    throw error;
  }
}

/** Each distinct sealed PDF staged once (one document is also its own combined PDF). */
async function stageParts(parts: readonly SealedPart[], dir: string): Promise<StagedPart[]> {
  const staged = new Map<Uint8Array, StagedFile>();
  try {
    for (const { bytes } of parts) {
      if (staged.has(bytes)) continue;
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      staged.set(bytes, await stageFile(dir, buffer, Number.MAX_SAFE_INTEGER));
    }
  } catch (error) {
    for (const file of staged.values()) await rm(file.file, { force: true });
    throw error;
  }
  return parts.map(({ part, bytes, timestampExpiresAt }) => ({
    part,
    staged: staged.get(bytes)!,
    timestampExpiresAt,
  }));
}
