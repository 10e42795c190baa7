import type { Readable } from "node:stream";
import type { RequestedRange } from "../../domain/byte-range.js";
import { CertyneoError } from "../../domain/errors.js";
import type { ActionContext } from "../event-log.js";
import { assertLive, describe, mutate, resolveSession } from "./session.js";
import type { SigningDeps, SigningView } from "./types.js";

/** What the link shows its recipient; the first view is recorded (`recipient.viewed`). */
export async function viewSigning(
  deps: SigningDeps,
  token: string,
  context: ActionContext,
): Promise<SigningView> {
  let session = await resolveSession(deps, token);
  assertLive(deps, session);
  if (session.recipient.status === "SENT") {
    await mutate(deps, token, context, async (trx, locked, now) => {
      if (locked.recipient.status !== "SENT") return [];
      await trx
        .updateTable("recipients")
        .set({ status: "VIEWED", viewed_at: now })
        .where("id", "=", locked.recipient.id)
        .execute();
      // The very files the recipient is shown, by their hashes: what they were asked to sign.
      const shown = await trx
        .selectFrom("envelope_documents")
        .innerJoin("documents", "documents.id", "envelope_documents.document_id")
        .select(["documents.id", "documents.sha256"])
        .where("envelope_documents.envelope_id", "=", locked.envelope.id)
        .orderBy("envelope_documents.position")
        .execute();
      return [
        {
          type: "recipient.viewed",
          recipientId: locked.recipient.id,
          data: { documents: shown.map((d) => ({ documentId: d.id, sha256: d.sha256 })) },
        },
      ];
    });
    session = await resolveSession(deps, token);
  }
  return describe(deps, session);
}

/**
 * A document of the envelope, to display; `range` (HTTP's `Range` header, as sent) lets a
 * viewer read only the parts of a large PDF it shows.
 */
export async function openSigningDocument(
  deps: SigningDeps,
  token: string,
  documentId: string,
  rangeHeader?: string,
): Promise<{ name: string; size: number; stream: Readable; range: RequestedRange }> {
  const session = await resolveSession(deps, token);
  assertLive(deps, session);
  const link = await deps.db
    .selectFrom("envelope_documents")
    .select("document_id")
    .where("envelope_id", "=", session.envelope.id)
    .where("document_id", "=", documentId)
    .executeTakeFirst();
  if (!link) {
    throw new CertyneoError(
      "not_found",
      "document_not_found",
      `No document with id "${documentId}" in this envelope.`,
    );
  }
  const { document, stream, range } = await deps.documents.openContent(
    session.scope,
    documentId,
    rangeHeader,
  );
  return { name: document.name, size: document.size, stream, range };
}
