import { type Color, PDF, type PDFImage, type PDFPage, rgb } from "@libpdf/core";
import { embedFontChains, type FontChain } from "./fonts.js";
import { checkPng, PNG_HARD_LIMITS } from "./png-limits.js";

/** Something to draw on a page, in the API's coordinates: points from the top-left corner. */
export type Stamp = {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
} & (
  | { kind: "signature-image"; png: Uint8Array; caption: string }
  | { kind: "signature-text"; text: string; caption: string }
  | { kind: "text"; text: string }
  | { kind: "checkbox"; checked: boolean }
);

const INK = rgb(0.04, 0.16, 0.44);
/** Near black, at a size a printer keeps legible: who signed, and when. */
const CAPTION = rgb(0.12, 0.12, 0.12);
const TEST_RED = rgb(0.75, 0.1, 0.1);
const CAPTION_SIZE = 7.5;
const ENVELOPE_MARK_SIZE = 7;

/** What is written on every page besides the stamps. */
export interface PageMarks {
  /** Outside `live`: that the document is a test, top and bottom left. */
  test: string | null;
  /** What ties the page to its envelope (its id), bottom right. */
  envelope: string | null;
}

export const NO_MARKS: PageMarks = { test: null, envelope: null };

type Fonts = Record<"regular" | "oblique" | "bold", FontChain>;

/**
 * The largest text size, up to `max`, at which `text`, drawn with `font` from 2 points in, fits
 * `width`.
 */
function fittingSize(
  text: string,
  font: FontChain,
  width: number,
  height: number,
  max: number,
): number {
  const byWidth = Math.max(1, width - 4) / Math.max(0.5, font.widthOfTextAtSize(text, 1));
  return Math.max(4, Math.min(max, height * 0.75, byWidth));
}

/**
 * Draws on a page as it is displayed: origin at the bottom-left corner of the displayed page, x to
 * the right, y up, whatever the page's /Rotate. PDF user space turns with the page, so each point
 * is mapped back and text and images are turned by the page's rotation to read upright.
 */
class DisplayedPage {
  readonly width: number;
  readonly height: number;
  private readonly rotation: number;
  private readonly box: { x: number; y: number; width: number; height: number };

  constructor(private readonly page: PDFPage) {
    this.width = page.width;
    this.height = page.height;
    this.rotation = ((page.rotation % 360) + 360) % 360;
    this.box = page.getMediaBox();
  }

  private toUser(x: number, y: number): { x: number; y: number } {
    const { x: x0, y: y0, width, height } = this.box;
    switch (this.rotation) {
      case 90:
        return { x: x0 + width - y, y: y0 + x };
      case 180:
        return { x: x0 + width - x, y: y0 + height - y };
      case 270:
        return { x: x0 + y, y: y0 + height - x };
      default:
        return { x: x0 + x, y: y0 + y };
    }
  }

  /** Draws `text` run by run, each with the font of its chain that has its characters. */
  text(
    text: string,
    options: { x: number; y: number; size: number; font: FontChain; color: Color },
  ): void {
    let x = options.x;
    for (const run of options.font.runs(text)) {
      const at = this.toUser(x, options.y);
      this.page.drawText(run.text, {
        ...at,
        size: options.size,
        font: run.font,
        color: options.color,
        ...(this.rotation !== 0 && { rotate: { angle: this.rotation, origin: at } }),
      });
      x += run.font.widthOfTextAtSize(run.text, options.size);
    }
  }

  image(image: PDFImage, options: { x: number; y: number; width: number; height: number }): void {
    const at = this.toUser(options.x, options.y);
    this.page.drawImage(image, {
      ...at,
      width: options.width,
      height: options.height,
      ...(this.rotation !== 0 && { rotate: { angle: this.rotation, origin: at } }),
    });
  }

  line(from: { x: number; y: number }, to: { x: number; y: number }, thickness: number): void {
    this.page.drawLine({
      start: this.toUser(from.x, from.y),
      end: this.toUser(to.x, to.y),
      color: INK,
      thickness,
    });
  }
}

function drawStamp(pdf: PDF, page: DisplayedPage, stamp: Stamp, fonts: Fonts): void {
  const bottom = page.height - stamp.y - stamp.height;
  const left = stamp.x;
  if (stamp.kind === "text") {
    const size = fittingSize(stamp.text, fonts.regular, stamp.width, stamp.height, 12);
    page.text(stamp.text, {
      x: left + 2,
      y: bottom + (stamp.height - size) / 2 + 1,
      size,
      font: fonts.regular,
      color: INK,
    });
    return;
  }
  if (stamp.kind === "checkbox") {
    if (!stamp.checked) return;
    const inset = Math.min(stamp.width, stamp.height) * 0.2;
    const thickness = Math.max(1, Math.min(stamp.width, stamp.height) / 8);
    const [x1, x2, y1, y2] = [
      left + inset,
      left + stamp.width - inset,
      bottom + inset,
      bottom + stamp.height - inset,
    ];
    page.line({ x: x1, y: y1 }, { x: x2, y: y2 }, thickness);
    page.line({ x: x1, y: y2 }, { x: x2, y: y1 }, thickness);
    return;
  }
  // A signature: the mark above, and under it who signed and when (UTC).
  const captionHeight = CAPTION_SIZE + 2;
  const markHeight = Math.max(1, stamp.height - captionHeight);
  if (stamp.kind === "signature-image") {
    // Checked at signing; checked again here, bounded, so that no image reaches the decoder
    // unchecked, whatever its origin (the ceilings, not the configured limits of the day).
    checkPng(stamp.png, PNG_HARD_LIMITS);
    const image = pdf.embedPng(stamp.png);
    const scale = Math.min(stamp.width / image.width, markHeight / image.height);
    const width = image.width * scale;
    const height = image.height * scale;
    page.image(image, {
      x: left + (stamp.width - width) / 2,
      y: bottom + captionHeight + (markHeight - height) / 2,
      width,
      height,
    });
  } else {
    const size = fittingSize(stamp.text, fonts.oblique, stamp.width, markHeight, 28);
    page.text(stamp.text, {
      x: left + 2,
      y: bottom + captionHeight + (markHeight - size) / 2,
      size,
      font: fonts.oblique,
      color: INK,
    });
  }
  page.text(stamp.caption, {
    x: left + 1,
    y: bottom + 1,
    size: Math.min(
      CAPTION_SIZE,
      fittingSize(stamp.caption, fonts.regular, stamp.width, captionHeight, CAPTION_SIZE),
    ),
    font: fonts.regular,
    color: CAPTION,
  });
}

/**
 * Draws the recipients' signatures and field values, and the marks of every page.
 * The result is an incremental update of the original, so an earlier signature stays valid.
 */
export async function stampPdf(
  original: Uint8Array,
  stamps: readonly Stamp[],
  marks: PageMarks = NO_MARKS,
): Promise<Uint8Array> {
  const pdf = await PDF.load(original);
  drawStamps(pdf, stamps, marks);
  return pdf.save({ incremental: true, subsetFonts: true });
}

/**
 * `stampPdf` on a loaded PDF, left unsaved (its fonts subsetted and final), so that the stamps
 * and a signature can be written as one incremental update: the document is written once.
 */
export function drawStamps(pdf: PDF, stamps: readonly Stamp[], marks: PageMarks): void {
  const pages = pdf.getPages().map((page) => new DisplayedPage(page));
  const fonts: Fonts = embedFontChains(pdf, {
    regular: "DejaVuSans",
    oblique: "DejaVuSans-Oblique",
    bold: "DejaVuSans-Bold",
  });
  for (const stamp of stamps) {
    const page = pages[stamp.page - 1];
    if (page) drawStamp(pdf, page, stamp, fonts);
  }
  for (const page of pages) {
    if (marks.test) {
      for (const y of [page.height - 14, 6]) {
        page.text(marks.test, { x: 12, y, size: 8, font: fonts.bold, color: TEST_RED });
      }
    }
    if (marks.envelope) {
      const width = fonts.regular.widthOfTextAtSize(marks.envelope, 1);
      const size = Math.min(ENVELOPE_MARK_SIZE, Math.max(1, page.width - 24) / width);
      page.text(marks.envelope, {
        x: page.width - 12 - width * size,
        y: 6,
        size,
        font: fonts.regular,
        color: CAPTION,
      });
    }
  }
  pdf.fonts.finalize(true);
}
