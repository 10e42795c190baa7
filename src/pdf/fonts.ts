import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type EmbeddedFont, PDF } from "@libpdf/core";
import { splitRuns, type TextRun, unprintableCharacters, wrapText } from "./text-runs.js";

const require = createRequire(import.meta.url);
const cache = new Map<string, Uint8Array>();

export type FontName = "DejaVuSans" | "DejaVuSans-Bold" | "DejaVuSans-Oblique" | "DejaVuSansMono";
type FallbackName = FontName | "NotoSansSC" | "NotoSansKR";
/** Where DejaVu has no glyph, in this order. */
const FALLBACKS = ["NotoSansSC", "NotoSansKR"] as const;

/** Where each font's file is, in the packages that ship them. */
const FILES: Record<FallbackName, string> = {
  DejaVuSans: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
  "DejaVuSans-Bold": "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf",
  "DejaVuSans-Oblique": "dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf",
  DejaVuSansMono: "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf",
  // Noto Sans SC (SIL OFL 1.1): the Han ideographs (with extension A), hiragana, katakana and CJK
  // punctuation that DejaVu lacks. A TrueType (glyf) font, so that it is embedded subsetted: the
  // 10 MB file adds only the glyphs a document uses.
  NotoSansSC: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
  // Noto Sans KR (SIL OFL 1.1): hangul, which Noto Sans SC lacks.
  NotoSansKR: "@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf",
};

/** A font's bytes, read once per process, when first asked for. */
function loadFont(name: FallbackName): Uint8Array {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(require.resolve(FILES[name])));
    cache.set(name, bytes);
  }
  return bytes;
}

/**
 * DejaVu fonts, shipped as a package: every name and address prints, whatever its script, where
 * the PDF standard fonts know only Western European letters. Embedded subsetted.
 */
export function fontBytes(name: FontName): Uint8Array {
  return loadFont(name);
}

/** A font of one PDF, embedded when first asked about: a fallback no text needs costs nothing. */
class LazyFont {
  private font: EmbeddedFont | undefined;

  constructor(
    private readonly pdf: PDF,
    private readonly name: FallbackName,
  ) {}

  get embedded(): EmbeddedFont {
    this.font ??= this.pdf.embedFont(loadFont(this.name));
    return this.font;
  }

  canEncode(text: string): boolean {
    return this.embedded.canEncode(text);
  }
}

/**
 * A style of text (DejaVu's regular, bold, oblique or mono) and the fonts that stand in for it
 * where it has no glyph: Noto Sans SC for Chinese and Japanese, Noto Sans KR for Korean. Text is drawn run by run, each run
 * with the first font that has its characters; fonts that no text uses are left out of the file.
 */
export class FontChain {
  constructor(private readonly fonts: readonly LazyFont[]) {}

  /** The runs of `text`, each with the font to draw it with. */
  runs(text: string): TextRun<EmbeddedFont>[] {
    return splitRuns(text, this.fonts).map((run) => ({
      text: run.text,
      font: run.font.embedded,
    }));
  }

  widthOfTextAtSize(text: string, size: number): number {
    let width = 0;
    for (const run of this.runs(text)) width += run.font.widthOfTextAtSize(run.text, size);
    return width;
  }

  /**
   * `text` in lines at most `maxWidth` wide, measured with these fonts: like libpdf's layoutText,
   * and breaking between CJK characters too, which are written without spaces.
   */
  layout(
    text: string,
    size: number,
    maxWidth: number,
  ): { lines: { text: string; width: number }[] } {
    return { lines: wrapText(text, (line) => this.widthOfTextAtSize(line, size), maxWidth) };
  }
}

/**
 * The font chains for the styles a renderer uses, for one PDF: `styles` names each style's DejaVu
 * font; the fallbacks, shared by all the styles, are embedded at most once, and only when used.
 */
export function embedFontChains<K extends string>(
  pdf: PDF,
  styles: Record<K, FontName>,
): Record<K, FontChain> {
  // DejaVu Sans has more than its bold, oblique and mono (Arabic, for one): it stands in for them.
  const regular = new LazyFont(pdf, "DejaVuSans");
  const fallbacks = FALLBACKS.map((name) => new LazyFont(pdf, name));
  const chains = {} as Record<K, FontChain>;
  for (const style of Object.keys(styles) as K[]) {
    const own = styles[style] === "DejaVuSans" ? regular : new LazyFont(pdf, styles[style]);
    chains[style] = new FontChain(
      own === regular ? [regular, ...fallbacks] : [own, regular, ...fallbacks],
    );
  }
  return chains;
}

let coverage: LazyFont[] | undefined;

/**
 * The characters of `text` that the stamps and the audit trail cannot print as written: those no
 * bundled font has (rare ideographs, for one), and those of scripts that need a shaping engine
 * (Arabic, Hebrew, the Indic scripts, Thai…). Once each, in order of appearance.
 */
export function unprintable(text: string): string[] {
  // Fonts embedded in a document never saved: only their character maps are read.
  coverage ??= ((pdf) => [
    new LazyFont(pdf, "DejaVuSans"),
    ...FALLBACKS.map((name) => new LazyFont(pdf, name)),
  ])(PDF.create());
  return unprintableCharacters(text, coverage);
}
