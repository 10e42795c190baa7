import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import { findEnvelope } from "../../db/envelopes.js";
import type { Tables } from "../../db/schema.js";
import type { Scope } from "../../domain/environment.js";
import { CertyneoError } from "../../domain/errors.js";
import { safeFileName } from "../../domain/user-text.js";
import { ALL_DOCUMENTS } from "../../pdf/seal-parts.js";
import { BlobMissingError, type BlobStore } from "../../storage/blob-store.js";
import { contentMissing } from "../documents.js";

/** 409 unless the envelope is completed and sealed: what is final can then be handed out. */
export async function ensureSealed(
  db: Kysely<Tables>,
  scope: Scope,
  envelopeId: string,
): Promise<void> {
  const envelope = await findEnvelope(db, scope, envelopeId);
  refuseUnlessCompleted(envelope.status);
  await sealedPart(db, envelope, ALL_DOCUMENTS);
}

/** The row of a sealed part; 409 while it is being sealed, or if sealing failed. */
async function sealedPart(
  db: Kysely<Tables>,
  envelope: { id: string; sealing_error: string | null },
  part: string,
): Promise<Tables["sealed_documents"]> {
  const sealed = await db
    .selectFrom("sealed_documents")
    .selectAll()
    .where("envelope_id", "=", envelope.id)
    .where("part", "=", part)
    .executeTakeFirst();
  if (sealed) return sealed;
  if (envelope.sealing_error) {
    throw new CertyneoError(
      "conflict",
      "envelope_sealing_failed",
      `The envelope's documents could not be sealed: ${envelope.sealing_error} The platform's operator has been told and can retry.`,
    );
  }
  throw new CertyneoError(
    "conflict",
    "envelope_not_completed",
    "The envelope is completed and its documents are being sealed. Retry in a few seconds.",
  );
}

/** The sealed PDF of one document, or of all of them; 409 until the envelope is sealed. */
export async function signedDocument(
  { db, blobs }: { db: Kysely<Tables>; blobs: BlobStore },
  scope: Scope,
  envelopeId: string,
  documentId: string | undefined,
): Promise<{ fileName: string; size: number; stream: Readable }> {
  const envelope = await findEnvelope(db, scope, envelopeId);
  refuseUnlessCompleted(envelope.status);
  let name = envelope.subject;
  if (documentId) {
    const document = await db
      .selectFrom("envelope_documents")
      .innerJoin("documents", "documents.id", "envelope_documents.document_id")
      .select(["documents.name"])
      .where("envelope_documents.envelope_id", "=", envelopeId)
      .where("documents.id", "=", documentId)
      .executeTakeFirst();
    if (!document) {
      throw new CertyneoError(
        "not_found",
        "document_not_found",
        `Document ${documentId} is not part of this envelope.`,
        "documentId",
      );
    }
    name = document.name.replace(/\.pdf$/i, "");
  }
  const sealed = await sealedPart(db, envelope, documentId ?? ALL_DOCUMENTS);
  try {
    return {
      fileName: `${safeFileName(name, envelope.id)} - signed.pdf`,
      size: sealed.size,
      stream: await blobs.open(sealed.sha256),
    };
  } catch (error) {
    if (error instanceof BlobMissingError) {
      throw contentMissing(
        documentId ? `the signed document ${documentId}` : "the signed documents",
      );
    }
    throw error;
  }
}

function refuseUnlessCompleted(status: string): void {
  if (status !== "COMPLETED") {
    throw new CertyneoError(
      "conflict",
      "envelope_not_completed",
      `The envelope is ${status}: its signed documents exist once every recipient has signed.`,
    );
  }
}
