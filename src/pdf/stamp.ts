import { type EmbeddedFont, PDF, type PDFPage, rgb } from "@libpdf/core";
import { fontBytes } from "./fonts.js";

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
const CAPTION = rgb(0.3, 0.3, 0.3);
const CAPTION_SIZE = 6;

interface Fonts {
  regular: EmbeddedFont;
  oblique: EmbeddedFont;
  bold: EmbeddedFont;
}

/** The largest text size, up to `max`, at which `text` fits `width` (about 0.52 em a character). */
function fittingSize(text: string, width: number, height: number, max: number): number {
  const byWidth = width / Math.max(1, text.length * 0.52);
  return Math.max(4, Math.min(max, height * 0.75, byWidth));
}

function drawStamp(pdf: PDF, page: PDFPage, stamp: Stamp, fonts: Fonts): void {
  // PDF user space starts at the bottom-left corner.
  const bottom = page.height - stamp.y - stamp.height;
  const left = stamp.x;
  if (stamp.kind === "text") {
    const size = fittingSize(stamp.text, stamp.width, stamp.height, 12);
    page.drawText(stamp.text, {
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
    page.drawLine({
      start: { x: left + inset, y: bottom + inset },
      end: { x: left + stamp.width - inset, y: bottom + stamp.height - inset },
      color: INK,
      thickness,
    });
    page.drawLine({
      start: { x: left + inset, y: bottom + stamp.height - inset },
      end: { x: left + stamp.width - inset, y: bottom + inset },
      color: INK,
      thickness,
    });
    return;
  }
  // A signature: the mark above, and under it who signed and when (UTC).
  const captionHeight = CAPTION_SIZE + 2;
  const markHeight = Math.max(1, stamp.height - captionHeight);
  if (stamp.kind === "signature-image") {
    const image = pdf.embedPng(stamp.png);
    const scale = Math.min(stamp.width / image.width, markHeight / image.height);
    const width = image.width * scale;
    const height = image.height * scale;
    page.drawImage(image, {
      x: left + (stamp.width - width) / 2,
      y: bottom + captionHeight + (markHeight - height) / 2,
      width,
      height,
    });
  } else {
    const size = fittingSize(stamp.text, stamp.width, markHeight, 28);
    page.drawText(stamp.text, {
      x: left + 2,
      y: bottom + captionHeight + (markHeight - size) / 2,
      size,
      font: fonts.oblique,
      color: INK,
    });
  }
  page.drawText(stamp.caption, {
    x: left + 1,
    y: bottom + 1,
    size: Math.min(
      CAPTION_SIZE,
      fittingSize(stamp.caption, stamp.width, captionHeight, CAPTION_SIZE),
    ),
    font: fonts.regular,
    color: CAPTION,
  });
}

/**
 * Draws the recipients' signatures and field values, and the test mark on every page when asked.
 * The result is an incremental update of the original, so an earlier signature stays valid.
 */
export async function stampPdf(
  original: Uint8Array,
  stamps: readonly Stamp[],
  testMark: string | null,
): Promise<Uint8Array> {
  const pdf = await PDF.load(original);
  const pages = pdf.getPages();
  const fonts: Fonts = {
    regular: pdf.embedFont(fontBytes("DejaVuSans")),
    oblique: pdf.embedFont(fontBytes("DejaVuSans-Oblique")),
    bold: pdf.embedFont(fontBytes("DejaVuSans-Bold")),
  };
  for (const stamp of stamps) {
    const page = pages[stamp.page - 1];
    if (page) drawStamp(pdf, page, stamp, fonts);
  }
  if (testMark) {
    for (const page of pages) {
      for (const y of [page.height - 14, 6]) {
        page.drawText(testMark, {
          x: 12,
          y,
          size: 8,
          font: fonts.bold,
          color: rgb(0.75, 0.1, 0.1),
        });
      }
    }
  }
  return pdf.save({ incremental: true, subsetFonts: true });
}
