/**
 * Text that users write (subjects, names, reasons, field values, user agents), made safe to
 * show in a line of our own: it cannot break the line, reorder what surrounds it, or hide.
 * Stored values are kept exactly as given (they are evidence); this applies where they are shown.
 */

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]/gu;
/**
 * Bidirectional embeddings, overrides, isolates and marks (which reorder the text around them),
 * the zero-width space, invisible operators and fillers, the byte-order mark, and interlinear
 * annotation characters. The zero-width joiner and non-joiner stay: scripts such as Persian and
 * Devanagari need them, and they neither move nor hide text.
 */
const INVISIBLE =
  /[\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]/g;

/** One line of visible text: breaks become spaces, invisible characters go, spaces collapse. */
export function displayText(text: string): string {
  return text
    .normalize("NFC")
    .replace(LINE_BREAKING, " ")
    .replace(INVISIBLE, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Several lines of visible text (a sender's message): line breaks of every kind become one line
 * feed, no more than one blank line in a row; otherwise as `displayText`, line by line.
 */
export function displayLines(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/g, "\n")
    .split("\n")
    .map(displayText)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Set apart as quoted user text, so that it can never pass for the platform's own words. The
 * typographic double quotes are ours alone: those in the text become straight ones, so that the
 * text cannot seem to close its quote and go on in the platform's voice.
 */
export function quotedUserText(text: string): string {
  return `“${displayText(text).replace(/[“”]/g, '"')}”`;
}

/**
 * A file name for a download: one visible line, none of the characters file systems refuse,
 * no leading dots, at most `maxLength` characters; `fallback` when nothing is left.
 */
export function safeFileName(name: string, fallback: string, maxLength = 150): string {
  const cleaned = displayText(name)
    .replace(/[/\\:*?"<>|]/g, "_")
    .replace(/^[.\s]+/, "")
    .trim();
  const chars = [...cleaned];
  const cut = chars.length > maxLength ? chars.slice(0, maxLength).join("").trim() : cleaned;
  return cut || fallback;
}
