import { type PDF, PdfArray, PdfDict, PdfName, PdfString } from "@libpdf/core";
import { nameOf, resolve, resolveDict, textOf } from "./pdf-objects.js";
import { pdfDate, textString } from "./pdf-strings.js";

/**
 * What a sealed PDF says of itself, for whoever verifies it from the file alone: the envelope,
 * its environment, and who signed. Written in the sealed update, so the seal covers it; read back
 * only once the seal is verified.
 */
export interface SealRecord {
  envelopeId: string;
  environment: "test" | "live";
  /** The envelope's documents, or its audit trail. */
  contents: "documents" | "audit_trail";
  signers: { name: string; role: string; signedAt: string }[];
}

/** The catalog's page-piece dictionary (ISO 32000-2, 14.5) keeps an application's own data. */
const APPLICATION = "Certyneo";
const MAX_SIGNERS = 1000;

export function writeSealRecord(pdf: PDF, record: SealRecord, now: Date): void {
  const catalog = pdf.getCatalog();
  const pieces = resolveDict(pdf, catalog.get("PieceInfo")) ?? new PdfDict();
  pieces.set(
    APPLICATION,
    PdfDict.of({
      LastModified: PdfString.fromString(pdfDate(now)),
      Private: PdfDict.of({
        Envelope: PdfString.fromString(record.envelopeId),
        Environment: PdfName.of(record.environment),
        Contents: PdfName.of(record.contents),
        Signers: new PdfArray(
          record.signers.map((signer) =>
            PdfDict.of({
              Name: textString(signer.name),
              Role: PdfName.of(signer.role),
              SignedAt: PdfString.fromString(signer.signedAt),
            }),
          ),
        ),
      }),
    }),
  );
  catalog.set("PieceInfo", pieces);
}

/** The record of the PDF's current revision, if it holds a well-formed one. */
export function readSealRecord(pdf: PDF): SealRecord | null {
  const pieces = resolveDict(pdf, pdf.getCatalog().get("PieceInfo"));
  const own = resolveDict(pdf, pieces?.get(APPLICATION));
  const data = resolveDict(pdf, own?.get("Private"));
  if (!data) return null;
  const envelopeId = textOf(pdf, data.get("Envelope"));
  const environment = nameOf(pdf, data.get("Environment"));
  const contents = nameOf(pdf, data.get("Contents"));
  const list = resolve(pdf, data.get("Signers"));
  if (
    !envelopeId ||
    (environment !== "test" && environment !== "live") ||
    (contents !== "documents" && contents !== "audit_trail") ||
    !(list instanceof PdfArray) ||
    list.length > MAX_SIGNERS
  )
    return null;
  const signers: SealRecord["signers"] = [];
  for (const item of list) {
    const entry = resolveDict(pdf, item);
    const signerName = textOf(pdf, entry?.get("Name"));
    const role = nameOf(pdf, entry?.get("Role"));
    const signedAt = textOf(pdf, entry?.get("SignedAt"));
    if (signerName === null || !role || !signedAt) return null;
    signers.push({ name: signerName, role, signedAt });
  }
  return { envelopeId, environment, contents, signers };
}
