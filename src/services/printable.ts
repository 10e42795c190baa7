import { CertyneoError } from "../domain/errors.js";

const SHOWN = 10;

/**
 * Refuses (422 `unprintable_characters`) text that the signed PDF and the audit trail would not
 * print as written, naming the characters at fault, rather than sealing boxes or letters in the
 * wrong order. Latin, Greek, Cyrillic, Chinese, Japanese and Korean print; characters no bundled
 * font has, and Arabic, Hebrew, the Indic scripts and Thai (which need a shaping engine) do not.
 */
export type CheckPrintable = (text: string, param: string, what: string, hint?: string) => void;

/** `CheckPrintable` by the fonts' `unprintable` (pdf/fonts.ts). */
export function printableChecker(unprintable: (text: string) => string[]): CheckPrintable {
  return (text, param, what, hint = "") => refuse(unprintable(text), param, what, hint);
}

function refuse(characters: string[], param: string, what: string, hint: string): void {
  if (characters.length === 0) return;
  const listed = characters
    .slice(0, SHOWN)
    .map((c) => `"${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`)
    .join(", ");
  const more = characters.length > SHOWN ? ` and ${characters.length - SHOWN} more` : "";
  throw new CertyneoError(
    "unprocessable",
    "unprintable_characters",
    `${what} has characters that the signed PDF cannot print as written: ${listed}${more}. Latin, Greek, Cyrillic, Chinese, Japanese and Korean print; Arabic, Hebrew, the Indic scripts and Thai do not yet.${hint ? ` ${hint}` : ""}`,
    param,
  );
}
