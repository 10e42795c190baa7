/** A font as far as choosing one for each character goes. */
export interface RunFont {
  /** Whether the font has a glyph for every character of `text`. */
  canEncode(text: string): boolean;
}

/** A piece of a line drawn with one font. */
export interface TextRun<F> {
  text: string;
  font: F;
}

/**
 * Characters that stay with the one before them: combining marks, the zero-width joiner and
 * non-joiner, and variation selectors (a mark drawn in another font than its base would land
 * on nothing).
 */
const CLINGING = /^(?:\p{M}|\u200c|\u200d|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}])$/u;
const SPACE = /^\s$/u;

/**
 * Splits `text` into runs, each drawn with the first of `fonts` that has its characters: the
 * first font for every character it has, the next ones only for what those before lack (so a
 * fallback is only asked about, and loaded, when some character needs it). A character no font
 * has goes to the first font, which draws it as its missing-glyph box. Spaces stay in the run they
 * are in when its font has them, so that a name in one script is one run.
 */
export function splitRuns<F extends RunFont>(text: string, fonts: readonly F[]): TextRun<F>[] {
  const first = fonts[0];
  if (first === undefined) throw new Error("splitRuns needs at least one font");
  const runs: TextRun<F>[] = [];
  let current: TextRun<F> | undefined;
  for (const char of text) {
    if (current && (CLINGING.test(char) || (SPACE.test(char) && current.font.canEncode(char)))) {
      current.text += char;
      continue;
    }
    const font = fonts.find((candidate) => candidate.canEncode(char)) ?? first;
    if (current && current.font === font) current.text += char;
    else {
      current = { text: char, font };
      runs.push(current);
    }
  }
  return runs;
}

/** The characters (once each, in order of appearance) that none of `fonts` has a glyph for. */
export function uncoveredCharacters(text: string, fonts: readonly RunFont[]): string[] {
  const missing = new Set<string>();
  for (const char of text) {
    if (CLINGING.test(char) || SPACE.test(char)) continue;
    if (!fonts.some((font) => font.canEncode(char))) missing.add(char);
  }
  return [...missing];
}

/** Ideographs, kana and hangul: a line may break between any two of them, spaces or not. */
const BREAKS_ANYWHERE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Wraps `text` into lines at most `maxWidth` wide, as measured by `measure`: at spaces, as
 * libpdf's layoutText does, and also between Chinese, Japanese and Korean characters, which are
 * written without spaces. A word wider than a line is broken between its characters (never
 * inside a character and its accents), so that no text runs off the page out of sight.
 */
export function wrapText(
  text: string,
  measure: (text: string) => number,
  maxWidth: number,
): { text: string; width: number }[] {
  const lines: { text: string; width: number }[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    const pieces = paragraph.split(/\s+/).filter((word) => word.length > 0);
    if (pieces.length === 0) {
      lines.push({ text: "", width: 0 });
      continue;
    }
    let line = "";
    for (const [index, word] of pieces.entries()) {
      for (const piece of breakable(word).flatMap((p) => fitting(p, measure, maxWidth))) {
        // A space before each word but the first; none between the pieces of one word.
        const space = piece.start && index > 0 ? " " : "";
        const joined = line === "" ? piece.text : `${line}${space}${piece.text}`;
        if (line === "" || measure(joined) <= maxWidth) line = joined;
        else {
          lines.push({ text: line, width: measure(line) });
          line = piece.text;
        }
      }
    }
    lines.push({ text: line, width: measure(line) });
  }
  return lines;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `piece` whole when it fits a line, else one piece per character (with its accents). */
function fitting(
  piece: { text: string; start: boolean },
  measure: (text: string) => number,
  maxWidth: number,
): { text: string; start: boolean }[] {
  if (measure(piece.text) <= maxWidth) return [piece];
  return [...graphemes.segment(piece.text)].map(({ segment }, index) => ({
    text: segment,
    start: piece.start && index === 0,
  }));
}

/** A word's pieces: a break is allowed before each CJK character, and nowhere else. */
function breakable(word: string): { text: string; start: boolean }[] {
  if (!BREAKS_ANYWHERE.test(word)) return [{ text: word, start: true }];
  const pieces: { text: string; start: boolean }[] = [];
  for (const char of word) {
    const last = pieces.at(-1);
    if (last && !BREAKS_ANYWHERE.test(char)) last.text += char;
    else pieces.push({ text: char, start: pieces.length === 0 });
  }
  return pieces;
}

/**
 * Scripts whose letters join, reorder or stack (Arabic and Hebrew are also written right to
 * left): drawn glyph by glyph, as the PDF writer does (it has no shaping or bidi engine), they
 * print unjoined, in the wrong order or misplaced, so that the name printed is not the name given.
 */
const NEEDS_SHAPING =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Thai}\p{Script=Lao}\p{Script=Tibetan}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Mongolian}]/u;

/** Letters and digits: what a name or a word is written with (symbols and emoji are not). */
const WRITING = /^[\p{L}\p{N}]$/u;

/**
 * The letters and digits of `text` (once each, in order) that cannot be printed as written: those
 * none of `fonts` has, and those of scripts that need shaping. Symbols and emoji that no font has
 * are not counted: they print as the missing-glyph box, and the words around them stay readable.
 */
export function unprintableCharacters(text: string, fonts: readonly RunFont[]): string[] {
  const uncovered = uncoveredCharacters(text, fonts).filter((char) => WRITING.test(char));
  const shaped = [...text].filter((char) => NEEDS_SHAPING.test(char));
  return [...new Set([...uncovered, ...shaped])].sort((a, b) => text.indexOf(a) - text.indexOf(b));
}
