import { type PDF, PdfArray, PdfDict, PdfNumber, PdfStream } from "@libpdf/core";
import { nameOf, type PdfEntry, resolve, textOf } from "./pdf-objects.js";
import { parsePdfDate } from "./pdf-strings.js";

/** A signature or document timestamp of a PDF, as its dictionary and the file's bytes say. */
export interface PdfSignature {
  field: string;
  kind: "signature" | "document_timestamp";
  subFilter: string | null;
  /** The two covered ranges, `[start, end)`; `null` when the `/ByteRange` is not a valid one. */
  covered: [[number, number], [number, number]] | null;
  /** The CMS (DER, with the padding of its placeholder), read from the gap the ranges leave. */
  contents: Uint8Array | null;
  /** The signature dictionary's `/M`: a claim, not proof. */
  claimedTime: Date | null;
  reason: string | null;
  location: string | null;
  /** The DocMDP permissions (`/P`: 1, 2 or 3) when the signature certifies the document. */
  certification: number | null;
}

/** The validation data of the Document Security Store (ISO 32000-2, 12.8.4.3). */
export interface DocumentSecurityStore {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
}

/** Every signed signature field of the document, in the order the file's bytes cover them. */
export function readSignatures(pdf: PDF, bytes: Uint8Array, max: number): PdfSignature[] {
  const found: PdfSignature[] = [];
  for (const field of pdf.getForm()?.getFields() ?? []) {
    if (field.type !== "signature") continue;
    const dict = field.acroField();
    const value = resolve(pdf, dict.get("V"));
    if (!(value instanceof PdfDict)) continue;
    if (found.length === max) break;
    found.push(readSignature(pdf, field.name, value, bytes));
  }
  return found.sort((a, b) => coveredEnd(a) - coveredEnd(b));
}

export function coveredEnd(signature: PdfSignature): number {
  return signature.covered ? signature.covered[1][1] : -1;
}

export function readDocumentSecurityStore(pdf: PDF): DocumentSecurityStore {
  const dss = resolve(pdf, pdf.getCatalog().get("DSS"));
  const streams = (key: string): Uint8Array[] => {
    if (!(dss instanceof PdfDict)) return [];
    const list = resolve(pdf, dss.get(key));
    if (!(list instanceof PdfArray)) return [];
    return list.toArray().flatMap((item) => {
      const stream = resolve(pdf, item);
      if (!(stream instanceof PdfStream)) return [];
      try {
        return [stream.getDecodedData()];
      } catch {
        return [];
      }
    });
  };
  return { certificates: streams("Certs"), crls: streams("CRLs"), ocsps: streams("OCSPs") };
}

function readSignature(pdf: PDF, field: string, dict: PdfDict, bytes: Uint8Array): PdfSignature {
  const type = nameOf(pdf, dict.get("Type"));
  const subFilter = nameOf(pdf, dict.get("SubFilter"));
  const covered = byteRange(pdf, dict.get("ByteRange"), bytes);
  const claimed = textOf(pdf, dict.get("M"));
  return {
    field,
    kind:
      type === "DocTimeStamp" || subFilter === "ETSI.RFC3161" ? "document_timestamp" : "signature",
    subFilter,
    covered,
    contents: covered ? hexBetween(bytes, covered[0][1], covered[1][0]) : null,
    claimedTime: claimed ? parsePdfDate(claimed) : null,
    reason: textOf(pdf, dict.get("Reason")),
    location: textOf(pdf, dict.get("Location")),
    certification: certification(pdf, dict),
  };
}

/**
 * The ranges of a `/ByteRange [0 a b c]` that starts the file, leaves exactly the `/Contents` hex
 * string uncovered, and ends inside it; anything else (negative, overlapping, past the end, a gap
 * elsewhere) is not a range a signature can be trusted to cover.
 */
function byteRange(
  pdf: PDF,
  entry: PdfEntry,
  bytes: Uint8Array,
): [[number, number], [number, number]] | null {
  const array = resolve(pdf, entry);
  if (!(array instanceof PdfArray) || array.length !== 4) return null;
  const values = array.toArray().map((item) => resolve(pdf, item));
  if (!values.every((v): v is PdfNumber => v instanceof PdfNumber && v.isInteger())) return null;
  const [start, length1, start2, length2] = values.map((v) => v.value) as [
    number,
    number,
    number,
    number,
  ];
  if (start !== 0 || length1 <= 0 || length2 < 0 || start2 <= length1 + 1) return null;
  if (start2 + length2 > bytes.length) return null;
  if (bytes[length1] !== 0x3c /* < */ || bytes[start2 - 1] !== 0x3e /* > */) return null;
  return [
    [0, length1],
    [start2, start2 + length2],
  ];
}

/** The bytes of the hex string `<…>` that spans `[from, to)`; `null` if it holds anything else. */
function hexBetween(bytes: Uint8Array, from: number, to: number): Uint8Array | null {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset + from + 1, to - from - 2).toString(
    "latin1",
  );
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return null;
  return Buffer.from(hex, "hex");
}

function certification(pdf: PDF, dict: PdfDict): number | null {
  const references = resolve(pdf, dict.get("Reference"));
  if (!(references instanceof PdfArray)) return null;
  for (const item of references) {
    const reference = resolve(pdf, item);
    if (!(reference instanceof PdfDict)) continue;
    if (nameOf(pdf, reference.get("TransformMethod")) !== "DocMDP") continue;
    const params = resolve(pdf, reference.get("TransformParams"));
    const p = params instanceof PdfDict ? resolve(pdf, params.get("P")) : undefined;
    return p instanceof PdfNumber && [1, 2, 3].includes(p.value) ? p.value : 2;
  }
  return null;
}
