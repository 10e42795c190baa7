import { crc32, deflateSync, gzipSync } from "node:zlib";

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

/**
 * A one-page PDF 1.5 whose catalog, page tree and page are in an object stream (object 4), with a
 * cross-reference stream (object 5). `objStmPadding` bytes of spaces after the objects, and
 * `xrefPadding` zero bytes after the cross-reference entries, are compressed with them: a few
 * hundred kilobytes that inflate to as much as asked, a zlib bomb the parser inflates at load.
 * `encoding`: deflated (the default), deflated twice, run-length encoded (64 times at most), or
 * `gzip`: a gzip member of the first 64 bytes, then a zlib stream of the rest (pako, which the
 * parser inflates with, detects gzip and reads on past a gzip member; /FlateDecode all the same).
 */
export function objectStreamPdf(
  options: {
    objStmPadding?: number;
    xrefPadding?: number;
    encoding?: "flate" | "double-flate" | "run-length" | "gzip";
  } = {},
): Buffer {
  const encoding = options.encoding ?? "flate";
  const filter = {
    flate: "/FlateDecode",
    "double-flate": "[/FlateDecode /FlateDecode]",
    "run-length": "/RunLengthDecode",
    gzip: "/FlateDecode",
  }[encoding];
  const encode = (data: Buffer) =>
    encoding === "flate"
      ? deflateSync(data)
      : encoding === "double-flate"
        ? deflateSync(deflateSync(data))
        : encoding === "gzip"
          ? Buffer.concat([gzipSync(data.subarray(0, 64)), deflateSync(data.subarray(64))])
          : runLength(data);
  const inner = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
  ];
  let index = "";
  let body = "";
  inner.forEach((object, i) => {
    index += `${i + 1} ${body.length} `;
    body += `${object}\n`;
  });
  const objStmData = encode(
    Buffer.concat([
      Buffer.from(index + body, "latin1"),
      Buffer.alloc(options.objStmPadding ?? 0, 0x20),
    ]),
  );
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(`${dict.replace(">>", `/Length ${data.length} >>`)}\nstream\n`),
      data,
      Buffer.from("\nendstream"),
    ]);
  const parts: Buffer[] = [Buffer.from("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  const objStmOffset = parts[0]!.length;
  parts.push(
    Buffer.from("4 0 obj\n"),
    stream(`<< /Type /ObjStm /N 3 /First ${index.length} /Filter ${filter} >>`, objStmData),
    Buffer.from("\nendobj\n"),
  );
  const xrefOffset = parts.reduce((sum, part) => sum + part.length, 0);
  // /W [1 4 2]: type, offset or object stream number, generation or index in the stream.
  const entry = (type: number, field2: number, field3: number) => {
    const bytes = Buffer.alloc(7);
    bytes.writeUInt8(type, 0);
    bytes.writeUInt32BE(field2, 1);
    bytes.writeUInt16BE(field3, 5);
    return bytes;
  };
  const xrefData = encode(
    Buffer.concat([
      entry(0, 0, 65535),
      entry(2, 4, 0),
      entry(2, 4, 1),
      entry(2, 4, 2),
      entry(1, objStmOffset, 0),
      entry(1, xrefOffset, 0),
      Buffer.alloc(options.xrefPadding ?? 0),
    ]),
  );
  parts.push(
    Buffer.from("5 0 obj\n"),
    stream(`<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter ${filter} >>`, xrefData),
    Buffer.from(`\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`),
  );
  return Buffer.concat(parts);
}

/** RunLengthDecode's encoding: runs of up to 128 equal bytes, literals of up to 128 bytes. */
function runLength(data: Buffer): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (run < 128 && i + run < data.length && data[i + run] === data[i]) run++;
    if (run > 1) {
      out.push(257 - run, data[i]!);
      i += run;
    } else {
      out.push(0, data[i]!);
      i++;
    }
  }
  out.push(128);
  return Buffer.from(out);
}
