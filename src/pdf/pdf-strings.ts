import { PdfString } from "@libpdf/core";

/** A PDF text string in UTF-16BE with its byte order mark, written in hex: any text, no escaping. */
export function textString(text: string): PdfString {
  const utf16 = Buffer.from(`\uFEFF${text}`, "utf16le").swap16();
  return PdfString.fromBytes(utf16);
}

/** A PDF date in UTC: D:YYYYMMDDHHmmSSZ. */
export function pdfDate(date: Date): string {
  return `D:${date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "")}Z`;
}

/** The instant a PDF date names (`D:YYYYMMDDHHmmSS` with an optional offset), or null. */
export function parsePdfDate(value: string): Date | null {
  const match =
    /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?/.exec(
      value,
    );
  if (!match) return null;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", , sign, oh = "00", om = "00"] =
    match;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  const time = utc - offset;
  return Number.isFinite(time) ? new Date(time) : null;
}
