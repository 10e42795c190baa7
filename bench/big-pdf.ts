import { randomBytes } from "node:crypto";

/**
 * A PDF of `pages` pages of about `bytes` bytes together: each page draws an image of its own
 * (uncompressed grey noise, so that the size is real), as a scanned contract would. Written by
 * hand, with a classic cross-reference table, so that generating 25 MB takes milliseconds.
 */
export function bigPdf(pages: number, bytes: number): Buffer {
  const side = Math.floor(Math.sqrt(Math.max(1, bytes / pages - 400)));
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (chunk: Buffer | string) => {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    parts.push(buffer);
    length += buffer.length;
  };
  const object = (num: number, body: string, stream?: Buffer) => {
    offsets[num] = length;
    push(`${num} 0 obj\n${body}\n`);
    if (stream) {
      push("stream\n");
      push(stream);
      push("\nendstream\n");
    }
    push("endobj\n");
  };
  push("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  // 1: catalog, 2: page tree; page i has objects 3+3i (page), 4+3i (content), 5+3i (image).
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  const kids = Array.from({ length: pages }, (_, i) => `${3 + 3 * i} 0 R`).join(" ");
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  for (let i = 0; i < pages; i++) {
    const page = 3 + 3 * i;
    object(
      page,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${page + 1} 0 R /Resources << /XObject << /Im0 ${page + 2} 0 R >> >> >>`,
    );
    const content = Buffer.from("q 495 0 0 495 50 300 cm /Im0 Do Q\n", "latin1");
    object(page + 1, `<< /Length ${content.length} >>`, content);
    object(
      page + 2,
      `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${side * side} >>`,
      randomBytes(side * side),
    );
  }
  const count = 3 + 3 * pages;
  const xref = length;
  push(`xref\n0 ${count}\n0000000000 65535 f \n`);
  for (let num = 1; num < count; num++)
    push(`${String(offsets[num]).padStart(10, "0")} 00000 n \n`);
  push(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}
