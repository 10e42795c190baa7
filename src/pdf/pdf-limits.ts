// Apart from inspect.ts: what needs only the limits does not load the PDF library.

/** How large, in structure rather than in bytes, an accepted PDF may be. */
export interface PdfLimits {
  /** Most pages in one document. */
  readonly maxPages: number;
  /** Most indirect objects (the highest object number of its cross-reference table). */
  readonly maxObjects: number;
  /**
   * Most bytes the object and cross-reference streams may inflate to, all together (the parser
   * inflates them at load). A file is held to less: `INFLATION_FACTOR` times its size, and no less
   * than `MIN_INFLATED_BYTES`; one stream to `MAX_STREAM_INFLATED_BYTES`.
   */
  readonly maxInflatedBytes: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxPages: 1000,
  maxObjects: 200_000,
  maxInflatedBytes: 256 * 1024 * 1024,
};
