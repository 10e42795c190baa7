import { PDF } from "@libpdf/core";
import { CertyneoError } from "../domain/errors.js";

export interface PageSize {
  /** Displayed size in PDF points, page rotation applied. */
  readonly width: number;
  readonly height: number;
}

export interface PdfFacts {
  readonly pages: PageSize[];
}

const HEADER = Buffer.from("%PDF-");
const EOF_MARKER = Buffer.from("%%EOF");
/** The specification lets a header start anywhere in the first 1024 bytes. */
const HEADER_WINDOW = 1024;
/** Writers may put a little junk after the last %%EOF. */
const TRAILER_WINDOW = 2048;

function invalid(kind: "unsupported_media_type" | "unprocessable", code: string, message: string) {
  return new CertyneoError(kind, code, message, "file");
}

/** What Certyneo needs to know about an uploaded PDF, or a precise reason to refuse it. */
export async function inspectPdf(bytes: Buffer): Promise<PdfFacts> {
  if (bytes.length === 0) throw invalid("unprocessable", "document_empty", "The file is empty.");
  if (bytes.subarray(0, HEADER_WINDOW).indexOf(HEADER) === -1) {
    throw invalid(
      "unsupported_media_type",
      "document_not_pdf",
      "The file is not a PDF (no %PDF- header).",
    );
  }
  if (withoutTrailingPadding(bytes).subarray(-TRAILER_WINDOW).indexOf(EOF_MARKER) === -1) {
    throw invalid(
      "unprocessable",
      "document_corrupt",
      "The PDF has no end-of-file marker: it looks truncated. Upload the complete file.",
    );
  }
  let pdf: PDF;
  try {
    pdf = await PDF.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch {
    throw invalid("unprocessable", "document_corrupt", "The PDF is damaged and cannot be read.");
  }
  if (pdf.isEncrypted) {
    throw invalid(
      "unprocessable",
      "document_encrypted",
      "The PDF is encrypted or password-protected. Remove the protection and upload it again.",
    );
  }
  let pages: PageSize[];
  try {
    pages = pdf
      .getPages()
      .map((page) => ({ width: round(page.width), height: round(page.height) }));
  } catch {
    throw invalid("unprocessable", "document_corrupt", "The PDF's page tree is damaged.");
  }
  if (pages.length === 0) {
    throw invalid("unprocessable", "document_corrupt", "The PDF has no pages.");
  }
  return { pages };
}

/** Some writers pad files with whitespace or NUL bytes after the last %%EOF. */
function withoutTrailingPadding(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && [0x00, 0x09, 0x0a, 0x0d, 0x20].includes(bytes[end - 1]!)) end--;
  return bytes.subarray(0, end);
}

function round(points: number): number {
  return Math.round(points * 100) / 100;
}
