import { createHash } from "node:crypto";
import { PDF, type PDFPage, PdfArray, PdfNumber, type PdfRef } from "@libpdf/core";
import { CertyneoError } from "../domain/errors.js";
import type { ScratchBuffer } from "../storage/scratch-buffer.js";
import { readStoredFile, readStoredFileInto, type StoredFileRef } from "../storage/stored-file.js";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "./pdf-limits.js";
import { checkInflatedSize, isWhitespace } from "./stream-limits.js";

export interface PageSize {
  /** Displayed size in PDF points, page rotation applied. */
  readonly width: number;
  readonly height: number;
}

export interface PdfFacts {
  readonly pages: PageSize[];
}

/**
 * Object streams hold object text, which deflates 3 to 10 times: 50 times the file leaves room,
 * and the floor lets small files through, whatever they hold. The cross-reference stream of
 * 200,000 objects is about 1.4 MB; an object stream of 64 MB would hold far more objects than
 * allowed.
 */
export const INFLATION_FACTOR = 50;
export const MIN_INFLATED_BYTES = 64 * 1024 * 1024;
export const MAX_STREAM_INFLATED_BYTES = 64 * 1024 * 1024;

/** ISO 32000-1 Annex C.2: a page is at least 3 and at most 14,400 units on each side. */
export const MIN_PAGE_SIDE = 3;
export const MAX_PAGE_SIDE = 14_400;
/** Page box coordinates beyond this are not real numbers a conforming reader handles. */
const MAX_COORDINATE = 2 ** 31 - 1;

const HEADER = Buffer.from("%PDF-");
const EOF_MARKER = Buffer.from("%%EOF");
/** The specification lets a header start anywhere in the first 1024 bytes. */
const HEADER_WINDOW = 1024;
/** Writers may put a little junk after the last %%EOF. */
const TRAILER_WINDOW = 2048;

function invalid(kind: "unsupported_media_type" | "unprocessable", code: string, message: string) {
  return new CertyneoError(kind, code, message, "file");
}

/**
 * What Certyneo needs to know about an uploaded PDF, or a precise reason to refuse it. The work is
 * bounded: the objects are counted in the bytes before anything is parsed, the page tree is read
 * only when the object count is within the limit, and whatever is accepted can be stamped, sealed
 * and merged.
 */
/** What to inspect: bytes in memory, or a stored file, read whole when it is inspected. */
export type PdfSource = Uint8Array | StoredFileRef;

/** The bytes of `source`: read whole if it is a stored file. */
export async function pdfSourceBytes(source: PdfSource): Promise<Buffer> {
  return source instanceof Uint8Array
    ? Buffer.from(source.buffer, source.byteOffset, source.byteLength)
    : readStoredFile(source);
}

/** What `inspectPdfSource` learns: the PDF's facts, and the SHA-256 of the bytes it read. */
export interface InspectedPdf extends PdfFacts {
  readonly sha256: string;
}

/**
 * `inspectPdf` of the bytes of `source`, and their hash: whoever reads them whole (a PDF thread)
 * hashes them too, so that the thread that staged them need not. A stored file is read into
 * `scratch`, when given (nothing of the bytes outlives the inspection).
 */
export async function inspectPdfSource(
  source: PdfSource,
  limits: PdfLimits = DEFAULT_PDF_LIMITS,
  scratch?: ScratchBuffer,
): Promise<InspectedPdf> {
  const inspect = async (bytes: Buffer) => {
    const facts = await inspectPdf(bytes, limits);
    return { ...facts, sha256: createHash("sha256").update(bytes).digest("hex") };
  };
  if (source instanceof Uint8Array || !scratch) return inspect(await pdfSourceBytes(source));
  return scratch.use((allocate) => readStoredFileInto(source, allocate), inspect);
}

export async function inspectPdf(
  bytes: Buffer,
  limits: PdfLimits = DEFAULT_PDF_LIMITS,
): Promise<PdfFacts> {
  const pdf = await loadWithinLimits(bytes, limits);
  let count: number;
  try {
    count = pdf.getPageCount();
  } catch {
    throw invalid("unprocessable", "document_corrupt", "The PDF's page tree is damaged.");
  }
  if (count > limits.maxPages) {
    throw invalid(
      "unprocessable",
      "document_too_many_pages",
      `The PDF has ${count} pages; a document may have at most ${limits.maxPages}.`,
    );
  }
  let pages: PageSize[];
  try {
    pages = pdf.getPages().map((page, index) => {
      checkPageSize(pdf, page, index + 1);
      return { width: round(page.width), height: round(page.height) };
    });
  } catch (error) {
    if (error instanceof CertyneoError) throw error;
    throw invalid("unprocessable", "document_corrupt", "The PDF's page tree is damaged.");
  }
  if (pages.length === 0) {
    throw invalid("unprocessable", "document_corrupt", "The PDF has no pages.");
  }
  return { pages };
}

/**
 * The PDF parsed, once the cheap checks have passed (a PDF header, an end-of-file marker, bounded
 * objects, pages and inflated streams), and not encrypted: what every reader of an uploaded file
 * loads it with. Throws the `CertyneoError` a client is told.
 */
export async function loadWithinLimits(bytes: Buffer, limits: PdfLimits): Promise<PDF> {
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
  // A cheap lower bound, before the parser reads (and walks the page tree of) a huge file.
  if (countObjectHeaders(bytes, limits.maxObjects) > limits.maxObjects) throw tooComplex(limits);
  // Page objects in plain sight, far more than allowed: no need to walk their tree. Generous,
  // since an incremental update leaves each page it changed twice in the file.
  const pageObjects = countPageObjects(bytes, PAGE_SCAN_FACTOR * limits.maxPages);
  if (pageObjects > PAGE_SCAN_FACTOR * limits.maxPages) {
    throw invalid(
      "unprocessable",
      "document_too_many_pages",
      `The PDF has more than ${limits.maxPages} pages, the most a document may have.`,
    );
  }
  // The parser inflates object and cross-reference streams without bound: measured first.
  const maxTotalBytes = Math.min(
    limits.maxInflatedBytes,
    Math.max(MIN_INFLATED_BYTES, INFLATION_FACTOR * bytes.length),
  );
  const inflated = await checkInflatedSize(bytes, {
    maxTotalBytes,
    maxStreamBytes: Math.min(maxTotalBytes, MAX_STREAM_INFLATED_BYTES),
  });
  if (inflated.exceeded) {
    throw invalid(
      "unprocessable",
      "document_too_complex",
      `The PDF's compressed content expands to more than ${megabytes(inflated.limit)} MB, more than a document may have.`,
    );
  }
  let pdf: PDF;
  try {
    pdf = await PDF.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch {
    // Whatever the parser throws, a RangeError of a too-deep structure included.
    throw invalid("unprocessable", "document_corrupt", "The PDF is damaged and cannot be read.");
  }
  // The cross-reference table counts objects in object streams too.
  if (pdf.context.registry.nextObjectNumber - 1 > limits.maxObjects) throw tooComplex(limits);
  if (pdf.isEncrypted) {
    throw invalid(
      "unprocessable",
      "document_encrypted",
      "The PDF is encrypted or password-protected. Remove the protection and upload it again.",
    );
  }
  return pdf;
}

function tooComplex(limits: PdfLimits): CertyneoError {
  return invalid(
    "unprocessable",
    "document_too_complex",
    `The PDF has more than ${limits.maxObjects} objects, more than a document may have.`,
  );
}

/**
 * Each side between 3 and 14,400 points, every coordinate a finite number, and a box the page
 * declares readable: the parser would otherwise quietly use a default size, and the signatures
 * would be drawn where the signer did not see them.
 */
function checkPageSize(pdf: PDF, page: PDFPage, number: number): void {
  const resolve = (ref: PdfRef) => pdf.context.resolve(ref);
  const declared = ["MediaBox", "CropBox"].every((name) => {
    if (!page.dict.has(name)) return true;
    const box = page.dict.get(name, resolve);
    return (
      box instanceof PdfArray &&
      box.length === 4 &&
      [0, 1, 2, 3].every((i) => box.at(i) instanceof PdfNumber)
    );
  });
  const boxes = [page.getMediaBox(), page.getCropBox()];
  const coordinates = boxes.flatMap((b) => [b.x, b.y, b.width, b.height]);
  // The box as the specification reads it ([x1 y1 x2 y2], not inverted) and the displayed size.
  const sides = [
    ...boxes.flatMap((b) => [b.width - b.x, b.height - b.y]),
    Math.abs(page.width),
    Math.abs(page.height),
  ];
  const fine =
    declared &&
    coordinates.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_COORDINATE) &&
    sides.every((side) => side >= MIN_PAGE_SIDE && side <= MAX_PAGE_SIDE);
  if (!fine) {
    const size = [page.width, page.height].every(Number.isFinite)
      ? ` (${round(page.width)} × ${round(page.height)} points)`
      : "";
    throw invalid(
      "unprocessable",
      "document_page_size_invalid",
      `Page ${number} has an invalid size${size}: each side must be between ${MIN_PAGE_SIDE} and ${MAX_PAGE_SIDE} points.`,
    );
  }
}

const OBJ = Buffer.from("obj");
const TYPE = Buffer.from("/Type");
const PAGE = Buffer.from("/Page");
const PAGE_SCAN_FACTOR = 4;

/** Counts `/Type /Page` entries (not `/Pages`) in the bytes, up to `stopAfter` + 1. */
export function countPageObjects(bytes: Buffer, stopAfter: number): number {
  let count = 0;
  for (let at = bytes.indexOf(TYPE); at !== -1; at = bytes.indexOf(TYPE, at + TYPE.length)) {
    let i = at + TYPE.length;
    while (i < bytes.length && isSpace(bytes[i]!)) i++;
    if (!bytes.subarray(i, i + PAGE.length).equals(PAGE)) continue;
    const next = bytes[i + PAGE.length];
    if (next !== undefined && isAlphanumeric(next)) continue;
    if (++count > stopAfter) break;
  }
  return count;
}

/** White-space as a regular expression's `\s` reads a byte (PDF's own, and a few more). */
function isSpace(byte: number): boolean {
  return (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0;
}

function isAlphanumeric(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a)
  );
}

/**
 * Counts the `N G obj` headers of indirect objects in the bytes, up to `stopAfter` + 1: linear,
 * without parsing. Objects inside object streams are not seen here; the parsed cross-reference
 * table counts them.
 */
export function countObjectHeaders(bytes: Buffer, stopAfter: number): number {
  let count = 0;
  for (let at = bytes.indexOf(OBJ, 1); at !== -1; at = bytes.indexOf(OBJ, at + 3)) {
    let before = at - 1;
    if (!isWhitespace(bytes[before]!)) continue;
    while (before > 0 && isWhitespace(bytes[before]!)) before--;
    const digit = bytes[before]!;
    if (digit < 0x30 || digit > 0x39) continue;
    if (++count > stopAfter) break;
  }
  return count;
}

/** Some writers pad files with whitespace or NUL bytes after the last %%EOF. */
function withoutTrailingPadding(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && [0x00, 0x09, 0x0a, 0x0d, 0x20].includes(bytes[end - 1]!)) end--;
  return bytes.subarray(0, end);
}

function megabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}

function round(points: number): number {
  return Math.round(points * 100) / 100;
}
