import { type PDF, PdfDict, PdfName, PdfString } from "@libpdf/core";

/** A value of a dictionary or array, before or after resolving a reference. */
export type PdfEntry = ReturnType<PdfDict["get"]>;

/** What a value stands for: the object a reference points to, or the value itself. */
export function resolve(pdf: PDF, value: PdfEntry): PdfEntry {
  return value && value.type === "ref" ? (pdf.context.resolve(value) ?? undefined) : value;
}

export function resolveDict(pdf: PDF, value: PdfEntry): PdfDict | undefined {
  const resolved = resolve(pdf, value);
  return resolved instanceof PdfDict ? resolved : undefined;
}

/** A text string's text (PDFDocEncoding or UTF-16), or null for anything else. */
export function textOf(pdf: PDF, value: PdfEntry): string | null {
  const resolved = resolve(pdf, value);
  return resolved instanceof PdfString ? resolved.asString() : null;
}

export function nameOf(pdf: PDF, value: PdfEntry): string | null {
  const resolved = resolve(pdf, value);
  return resolved instanceof PdfName ? resolved.value : null;
}
