import { CertyneoError } from "./errors.js";

export const FIELD_TYPES = ["signature", "initials", "date", "text", "checkbox"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldPlacement {
  readonly type: FieldType;
  readonly documentId: string;
  /** 1-based. */
  readonly page: number;
  /** PDF points from the page's top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PageSize {
  readonly width: number;
  readonly height: number;
}

/** Page sizes of the envelope's documents, by document id. */
export type DocumentPages = ReadonlyMap<string, readonly PageSize[]>;

/** A field must sit on a page of one of the envelope's documents, wholly inside it. */
export function checkFieldPlacement(
  field: FieldPlacement,
  pages: DocumentPages,
  param: string,
): void {
  const sizes = pages.get(field.documentId);
  if (!sizes) {
    throw new CertyneoError(
      "unprocessable",
      "field_document_not_in_envelope",
      `The field is on document ${field.documentId}, which is not one of the envelope's documentIds.`,
      `${param}.documentId`,
    );
  }
  const size = sizes[field.page - 1];
  if (!size) {
    throw new CertyneoError(
      "unprocessable",
      "field_page_out_of_range",
      `The field is on page ${field.page}, but document ${field.documentId} has ${sizes.length} page${sizes.length === 1 ? "" : "s"}.`,
      `${param}.page`,
    );
  }
  if (field.x + field.width > size.width || field.y + field.height > size.height) {
    throw new CertyneoError(
      "unprocessable",
      "field_outside_page",
      `The field (x ${field.x}, y ${field.y}, ${field.width} × ${field.height}) does not fit on page ${field.page}, which is ${size.width} × ${size.height} points.`,
      param,
    );
  }
}

export const AUTO_SIGNATURE = { width: 170, height: 60, margin: 36, gap: 12 } as const;

/**
 * Where the `slot`-th automatically placed signature goes: stacked upwards from the bottom-right
 * corner of the last page, then in columns to the left, so that signers never overlap.
 */
export function autoSignaturePlacement(
  documentId: string,
  pages: readonly PageSize[],
  slot: number,
): FieldPlacement {
  const page = pages.length;
  const size = pages[page - 1]!;
  const { width, height, margin, gap } = AUTO_SIGNATURE;
  const perColumn = Math.max(1, Math.floor((size.height - 2 * margin + gap) / (height + gap)));
  const columns = Math.max(1, Math.floor((size.width - 2 * margin + gap) / (width + gap)));
  const column = Math.floor(slot / perColumn) % columns;
  const row = slot % perColumn;
  return {
    type: "signature",
    documentId,
    page,
    x: Math.max(0, size.width - margin - width - column * (width + gap)),
    y: Math.max(0, size.height - margin - height - row * (height + gap)),
    width: Math.min(width, size.width),
    height: Math.min(height, size.height),
  };
}
