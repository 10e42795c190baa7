import { crc32, deflateSync } from "node:zlib";

/** Hostile inputs, generated: no binary fixture is committed. */

/** A PDF from object bodies (numbered from 1), with a correct classic cross-reference table. */
export function rawPdf(
  objects: (string | Buffer)[],
  options: { xref?: string; startxref?: number } = {},
): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    const part = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"),
      Buffer.from("\nendobj\n"),
    ]);
    parts.push(part);
    length += part.length;
  });
  const xref =
    options.xref ??
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets
      .map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`)
      .join("")}`;
  parts.push(
    Buffer.from(
      `${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${options.startxref ?? length}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

const CATALOG = "<< /Type /Catalog /Pages 2 0 R >>";

/** `n` pages (objects 3…n+2), each with `box` as its MediaBox, and `extra` objects after them. */
export function pagesPdf(
  n: number,
  options: { box?: string; pageExtra?: string; extra?: (string | Buffer)[] } = {},
): Buffer {
  const kids = Array.from({ length: n }, (_, i) => `${i + 3} 0 R`).join(" ");
  const objects = [CATALOG, `<< /Type /Pages /Kids [${kids}] /Count ${n} >>`];
  for (let i = 0; i < n; i++) {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox ${options.box ?? "[0 0 595 842]"} ${options.pageExtra ?? ""} >>`,
    );
  }
  return rawPdf([...objects, ...(options.extra ?? [])]);
}

/** `n` pages under intermediate page-tree nodes of `fan` kids each. */
export function pageTreePdf(n: number, fan = 500): Buffer {
  const groups = Math.ceil(n / fan);
  const group = (g: number) => 3 + g;
  const page = (i: number) => 3 + groups + i;
  const objects = [
    CATALOG,
    `<< /Type /Pages /Kids [${Array.from({ length: groups }, (_, g) => `${group(g)} 0 R`).join(" ")}] /Count ${n} >>`,
  ];
  for (let g = 0; g < groups; g++) {
    const kids: string[] = [];
    for (let i = g * fan; i < Math.min(n, (g + 1) * fan); i++) kids.push(`${page(i)} 0 R`);
    objects.push(
      `<< /Type /Pages /Parent 2 0 R /Kids [${kids.join(" ")}] /Count ${kids.length} >>`,
    );
  }
  for (let i = 0; i < n; i++) {
    objects.push(
      `<< /Type /Page /Parent ${group(Math.floor(i / fan))} 0 R /MediaBox [0 0 595 842] >>`,
    );
  }
  return rawPdf(objects);
}

/** `depth` nested arrays, or dictionaries. */
export function nested(depth: number, kind: "array" | "dict"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${"<< /A ".repeat(depth)}${">>".repeat(depth)}`;
}

/** One PNG chunk, with its CRC (or a wrong one). */
export function pngChunk(type: string, data: Buffer, options: { badCrc?: boolean } = {}): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(body) + (options.badCrc ? 1 : 0)) >>> 0);
  return Buffer.concat([length, body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(
  width: number,
  height: number,
  options: {
    bitDepth?: number;
    colourType?: number;
    compression?: number;
    filter?: number;
    interlace?: number;
  } = {},
): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set(
    [
      options.bitDepth ?? 8,
      options.colourType ?? 6,
      options.compression ?? 0,
      options.filter ?? 0,
      options.interlace ?? 0,
    ],
    8,
  );
  return pngChunk("IHDR", data);
}

/** An RGBA PNG whose image data is `raw` (rows with their filter byte), compressed. */
export function png(
  width: number,
  height: number,
  raw: Buffer = Buffer.alloc(height * (1 + width * 4)),
  options: { header?: Buffer; before?: Buffer[]; after?: Buffer[] } = {},
): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    options.header ?? ihdr(width, height),
    ...(options.before ?? []),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
    ...(options.after ?? []),
  ]);
}

/** Declares `width`×`height` RGBA, with a tiny zlib stream: a bomb for a decoder that trusts it. */
export function declaredOnlyPng(width: number, height: number): Buffer {
  return png(width, height, Buffer.alloc(64), { header: ihdr(width, height) });
}

export function dataUrl(bytes: Buffer): string {
  return `data:image/png;base64,${bytes.toString("base64")}`;
}
