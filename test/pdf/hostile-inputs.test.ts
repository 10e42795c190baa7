import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { deflateSync } from "node:zlib";
import { PDF } from "@libpdf/core";
import { CertyneoError } from "../../src/domain/errors.js";
import { inspectPdf } from "../../src/pdf/inspect.js";
import { DEFAULT_PDF_LIMITS, type PdfLimits } from "../../src/pdf/pdf-limits.js";
import {
  checkPng,
  DEFAULT_PNG_LIMITS,
  PNG_HARD_LIMITS,
  PngRejectedError,
} from "../../src/pdf/png-limits.js";
import { sealPdf } from "../../src/pdf/seal.js";
import { stampPdf } from "../../src/pdf/stamp.js";
import { loadPlatformPki, type PlatformPki } from "../../src/pki/platform-pki.js";
import {
  declaredOnlyPng,
  ihdr,
  nested,
  objectStreamPdf,
  PNG_SIGNATURE,
  pagesPdf,
  pageTreePdf,
  png,
  pngChunk,
  rawPdf,
} from "../helpers/hostile.js";
import { makeSignaturePng } from "../helpers/png.js";
import { run, withFile } from "../helpers/validators.js";

const PAGE = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";
const CATALOG = "<< /Type /Catalog /Pages 2 0 R >>";

function rejectsPng(bytes: Buffer, reason: "invalid" | "too_large", message: RegExp): void {
  assert.throws(
    () => checkPng(bytes),
    (error: unknown) => {
      assert.ok(error instanceof PngRejectedError, String(error));
      assert.equal(error.reason, reason, error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe("hostile PNG images (drawn signatures)", () => {
  it("accepts a real signature and says what it declares", () => {
    const facts = checkPng(makeSignaturePng(300, 100));
    assert.deepEqual(facts, {
      width: 300,
      height: 100,
      bitDepth: 8,
      colourType: 6,
      decodedBytes: 300 * 100 * 4,
    });
    // And what passes the check, the decoder draws.
    const image = PDF.create().embedPng(makeSignaturePng(300, 100));
    assert.equal(image.width, 300);
  });

  it("refuses huge declared dimensions before decoding anything", () => {
    rejectsPng(declaredOnlyPng(100_000, 100_000), "too_large", /100000×100000.*at most 4000/);
    rejectsPng(declaredOnlyPng(4001, 10), "too_large", /at most 4000 pixels/);
    rejectsPng(declaredOnlyPng(2 ** 31 - 1, 1), "too_large", /at most 4000/);
    // Each side within the limit, the decoded image not: 3000 × 3000 × 4 bytes = 34.3 MB.
    rejectsPng(declaredOnlyPng(3000, 3000), "too_large", /34\.3 MB decoded; the limit is 16 MB/);
  });

  it("refuses a decompression bomb: data that inflates beyond the declared size", () => {
    const bomb = png(100, 100, Buffer.alloc(20 * 1024 * 1024));
    assert.ok(bomb.length < 100_000, `${bomb.length} bytes`);
    rejectsPng(bomb, "invalid", /inflates to more than its dimensions/);
  });

  it("refuses image data shorter than declared, a bad filter byte, a broken zlib stream", () => {
    rejectsPng(png(100, 100, Buffer.alloc(100)), "invalid", /shorter than its dimensions/);
    const raw = Buffer.alloc(10 * (1 + 10 * 4));
    raw[41] = 9;
    rejectsPng(png(10, 10, raw), "invalid", /unknown filter type/);
    const notZlib = Buffer.concat([
      PNG_SIGNATURE,
      ihdr(10, 10),
      pngChunk("IDAT", Buffer.from("not a zlib stream")),
      pngChunk("IEND", Buffer.alloc(0)),
    ]);
    rejectsPng(notZlib, "invalid", /not a valid zlib stream/);
  });

  it("refuses truncated files and chunks", () => {
    const good = makeSignaturePng(50, 20);
    rejectsPng(good.subarray(0, good.length - 6), "invalid", /truncated/);
    rejectsPng(good.subarray(0, 40), "invalid", /truncated/);
    rejectsPng(good.subarray(0, good.length - 12), "invalid", /no IEND/);
    rejectsPng(PNG_SIGNATURE, "invalid", /no IHDR/);
    rejectsPng(Buffer.from("GIF89a"), "invalid", /not a PNG/);
    // A chunk length of 2^32 - 1.
    const huge = Buffer.concat([PNG_SIGNATURE, Buffer.from("ffffffff49484452", "hex")]);
    rejectsPng(Buffer.concat([huge, Buffer.alloc(8)]), "invalid", /longer than the file/);
  });

  it("refuses a bad IHDR", () => {
    const body = (header: Buffer) => png(10, 10, undefined, { header });
    const short = pngChunk("IHDR", Buffer.alloc(12));
    rejectsPng(body(short), "invalid", /not 13 bytes/);
    rejectsPng(body(ihdr(0, 10)), "invalid", /invalid size \(0×10\)/);
    rejectsPng(body(ihdr(10, 2 ** 31)), "invalid", /invalid size/);
    rejectsPng(body(ihdr(10, 10, { colourType: 5 })), "invalid", /colour type \(5\)/);
    rejectsPng(body(ihdr(10, 10, { bitDepth: 3 })), "invalid", /bit depth \(3\)/);
    rejectsPng(body(ihdr(10, 10, { bitDepth: 4, colourType: 2 })), "invalid", /bit depth/);
    rejectsPng(body(ihdr(10, 10, { compression: 1 })), "invalid", /compression or filter/);
    rejectsPng(body(ihdr(10, 10, { filter: 1 })), "invalid", /compression or filter/);
    rejectsPng(body(ihdr(10, 10, { interlace: 1 })), "invalid", /Interlaced/);
    rejectsPng(body(ihdr(10, 10, { interlace: 2 })), "invalid", /interlace method \(2\)/);
    // IHDR not first, twice, with a wrong CRC.
    const text = pngChunk("tEXt", Buffer.from("Author\0me"));
    const notFirst = Buffer.concat([PNG_SIGNATURE, text, makeSignaturePng(10, 10).subarray(8)]);
    rejectsPng(notFirst, "invalid", /does not start with its IHDR/);
    rejectsPng(png(10, 10, undefined, { before: [ihdr(10, 10)] }), "invalid", /more than one/);
    const badCrc = pngChunk("IHDR", ihdr(10, 10).subarray(8, 21), { badCrc: true });
    rejectsPng(body(badCrc), "invalid", /CRC of its IHDR/);
  });

  it("refuses a palette image without a palette, a bad palette, an unknown critical chunk", () => {
    const indexed = ihdr(10, 10, { colourType: 3 });
    const raw = Buffer.alloc(10 * 11);
    rejectsPng(png(10, 10, raw, { header: indexed }), "invalid", /no palette/);
    const badPalette = pngChunk("PLTE", Buffer.alloc(4));
    rejectsPng(
      png(10, 10, raw, { header: indexed, before: [badPalette] }),
      "invalid",
      /invalid palette/,
    );
    const palette = pngChunk("PLTE", Buffer.alloc(6));
    assert.equal(checkPng(png(10, 10, raw, { header: indexed, before: [palette] })).width, 10);
    rejectsPng(
      png(10, 10, undefined, { before: [pngChunk("ZZZZ", Buffer.alloc(1))] }),
      "invalid",
      /unknown ZZZZ chunk/,
    );
    // An unknown ancillary chunk is skipped, as the specification says.
    assert.equal(
      checkPng(png(10, 10, undefined, { before: [pngChunk("zzZz", Buffer.alloc(1))] })).width,
      10,
    );
  });

  it("refuses a flood of chunks, too much compressed data, data after IEND", () => {
    const flood = Array.from({ length: 2000 }, () => pngChunk("tEXt", Buffer.from("a\0b")));
    rejectsPng(png(10, 10, undefined, { before: flood }), "too_large", /more than 1000 chunks/);
    const idat = pngChunk("IDAT", Buffer.alloc(600 * 1024));
    rejectsPng(
      png(10, 10, undefined, { before: [idat, idat] }),
      "too_large",
      /compressed image data is larger than 1 MB/,
    );
    rejectsPng(
      png(10, 10, undefined, { after: [pngChunk("tEXt", Buffer.from("a\0b"))] }),
      "invalid",
      /after its IEND/,
    );
  });

  it("obeys the limits it is given", () => {
    const image = makeSignaturePng(300, 100);
    const limits = { ...DEFAULT_PNG_LIMITS, maxDimension: 200 };
    assert.throws(() => checkPng(image, limits), /each side may be at most 200 pixels/);
    assert.throws(
      () => checkPng(image, { ...DEFAULT_PNG_LIMITS, maxDecodedBytes: 100_000 }),
      /the limit is 0\.1 MB/,
    );
    assert.equal(checkPng(image, PNG_HARD_LIMITS).width, 300);
  });

  it("the sealing step checks every image again before drawing it", async () => {
    const pdf = pagesPdf(1);
    const stamp = { page: 1, x: 10, y: 10, width: 100, height: 40, caption: "Signer" };
    const drawn = await stampPdf(pdf, [
      { ...stamp, kind: "signature-image", png: makeSignaturePng(300, 100) },
    ]);
    assert.ok(drawn.length > pdf.length);
    for (const bad of [
      declaredOnlyPng(PNG_HARD_LIMITS.maxDimension + 1, 1),
      png(100, 100, Buffer.alloc(1024 * 1024)),
    ]) {
      await assert.rejects(
        stampPdf(pdf, [{ ...stamp, kind: "signature-image", png: bad }]),
        PngRejectedError,
      );
    }
  });
});

async function refused(bytes: Buffer, code: string, message?: RegExp, limits?: PdfLimits) {
  await assert.rejects(inspectPdf(bytes, limits), (error: unknown) => {
    assert.ok(error instanceof CertyneoError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.kind, "unprocessable");
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe("hostile PDFs, at upload", () => {
  let dataDir: string;
  let pki: PlatformPki;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-hostile-"));
    pki = await loadPlatformPki({
      dataDir,
      secret: Buffer.alloc(32, 5),
      organization: "Test",
      publicUrl: "http://127.0.0.1:3000",
    });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  /** What upload accepts must stamp (a signature and the test mark), seal and merge. */
  async function sealable(bytes: Buffer): Promise<void> {
    const stamped = await stampPdf(
      bytes,
      [
        {
          page: 1,
          x: 10,
          y: 10,
          width: 120,
          height: 40,
          kind: "signature-image",
          png: makeSignaturePng(),
          caption: "Signer 1 — 2026-01-01 00:00:00 UTC",
        },
      ],
      { test: "TEST — not legally binding", envelope: "Certyneo envelope env_hostile" },
    );
    const sealed = await sealPdf(stamped, {
      signer: pki.signer,
      evidence: await pki.evidence(),
      reason: "test",
    });
    assert.ok(sealed.length > stamped.length);
    const merged = await (await PDF.merge([stamped, stamped])).save();
    assert.ok(merged.length > 0);
  }

  it("accepts ordinary pages at the edges of the allowed sizes, and they seal", async () => {
    for (const box of ["[0 0 595 842]", "[0 0 3 3]", "[0 0 14400 14400]", "[0 0 595.28 841.89]"]) {
      const bytes = pagesPdf(2, { box });
      const facts = await inspectPdf(bytes);
      assert.equal(facts.pages.length, 2, box);
      await sealable(bytes);
    }
  });

  it("refuses pages of 0×0, 1e305, inverted, infinite or unreadable boxes", async () => {
    const cases: [string, RegExp][] = [
      ["[0 0 0 0]", /Page 1 has an invalid size \(0 × 0 points\)/],
      ["[0 0 2 842]", /between 3 and 14400 points/],
      ["[0 0 14401 842]", /between 3 and 14400/],
      [`[0 0 1${"0".repeat(305)} 842]`, /invalid size/],
      [`[0 0 1${"0".repeat(400)} 842]`, /invalid size/],
      ["[0 0 -595 -842]", /invalid size/],
      ["[595 842 0 0]", /invalid size/],
      ["[-4294967296 0 595 842]", /invalid size/],
      ["[0 0 NaN 842]", /invalid size/],
      ["[0 0 595]", /invalid size/],
      ["[0 0 595 842 7]", /invalid size/],
      ["[0 0 /A 842]", /invalid size/],
      ["7", /invalid size/],
    ];
    for (const [box, message] of cases) {
      await refused(pagesPdf(1, { box }), "document_page_size_invalid", message);
    }
    // A later page, and a CropBox, are checked too.
    const objects = [CATALOG, "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>", PAGE];
    objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>");
    await refused(rawPdf(objects), "document_page_size_invalid", /Page 2/);
    await refused(pagesPdf(1, { pageExtra: "/CropBox [0 0 1 1]" }), "document_page_size_invalid");
  });

  it("refuses more pages than the limit, before reading each page", async () => {
    const limit = DEFAULT_PDF_LIMITS.maxPages;
    await refused(
      pageTreePdf(limit + 1),
      "document_too_many_pages",
      new RegExp(`has ${limit + 1} pages; a document may have at most ${limit}`),
    );
    assert.equal((await inspectPdf(pageTreePdf(limit))).pages.length, limit);
    const small = { ...DEFAULT_PDF_LIMITS, maxPages: 3 };
    await refused(pagesPdf(4), "document_too_many_pages", /at most 3/, small);
    assert.equal((await inspectPdf(pagesPdf(3), small)).pages.length, 3);
  });

  it("refuses 150,000 pages", async () => {
    await refused(pageTreePdf(150_000), "document_too_many_pages", /more than 1000 pages/);
  });

  it("refuses more objects than the limit, counted before parsing and in the xref", async () => {
    const nulls = (n: number) => Array.from({ length: n }, () => "null");
    const limits = { ...DEFAULT_PDF_LIMITS, maxObjects: 500 };
    await refused(
      pagesPdf(1, { extra: nulls(600) }),
      "document_too_complex",
      /more than 500 objects/,
      limits,
    );
    assert.equal((await inspectPdf(pagesPdf(1, { extra: nulls(400) }), limits)).pages.length, 1);
    // The default limit: 200,001 objects.
    await refused(
      pagesPdf(1, { extra: nulls(DEFAULT_PDF_LIMITS.maxObjects) }),
      "document_too_complex",
    );
    // Objects the byte scan cannot see (a sparse xref claiming object 2^31 - 648).
    const sparse = pagesPdf(1)
      .toString("latin1")
      .replace("3 0 obj", "2147483000 0 obj")
      .replace("[3 0 R]", "[2147483000 0 R]");
    await refused(Buffer.from(sparse, "latin1"), "document_too_complex");
  });

  it("survives deep nesting: refused as damaged or read, never a crash", async () => {
    for (const kind of ["array", "dict"] as const) {
      for (const depth of [600, 100_000]) {
        const inPage = rawPdf([
          CATALOG,
          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
          `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /X ${nested(depth, kind)} >>`,
        ]);
        await refused(inPage, "document_corrupt");
        const inCatalog = rawPdf([
          `<< /Type /Catalog /Pages 2 0 R /X ${nested(depth, kind)} >>`,
          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
          PAGE,
        ]);
        await refused(inCatalog, "document_corrupt");
      }
    }
    // A page tree 50,000 levels deep.
    const objects = [CATALOG];
    const levels = 50_000;
    for (let i = 0; i < levels; i++) {
      objects.push(`<< /Type /Pages /Kids [${i + 3} 0 R] /Count 1 >>`);
    }
    objects.push(`<< /Type /Page /Parent ${levels + 1} 0 R /MediaBox [0 0 595 842] >>`);
    await refused(rawPdf(objects), "document_corrupt");
    // Shallow nesting is fine, and seals.
    const shallow = pagesPdf(1, { pageExtra: `/X ${nested(50, "array")}` });
    assert.equal((await inspectPdf(shallow)).pages.length, 1);
    await sealable(shallow);
  });

  it("reads a long chain of indirect references, which then seals", async () => {
    const chain = Array.from({ length: 5000 }, (_, i) => `<< /Next ${i + 5} 0 R >>`);
    const bytes = pagesPdf(1, {
      pageExtra: "/Resources << /X 4 0 R >>",
      extra: [...chain, "<< /End true >>"],
    });
    assert.equal((await inspectPdf(bytes)).pages.length, 1);
    await sealable(bytes);
  });

  it("recovers a broken or lying xref, or refuses it, never hangs", async () => {
    const good = pagesPdf(3).toString("latin1");
    const broken = [
      good.replace(/startxref\n\d+/, "startxref\n999999"),
      good.replace(/xref\n[\s\S]*trailer/, "xref\n0 5\nzzzz\ntrailer"),
      good.replace("xref\n0 6\n", "xref\n0 100000000\n"),
      good.replace(/startxref\n\d+/, "startxref\n-5"),
    ];
    for (const text of broken) {
      const bytes = Buffer.from(text, "latin1");
      const facts = await inspectPdf(bytes);
      assert.equal(facts.pages.length, 3);
      await sealable(bytes);
    }
    // An object stream claiming ten million objects.
    const content = deflateSync(Buffer.from("9 0 << /A 1 >>"));
    const objStm = Buffer.concat([
      Buffer.from(
        `<< /Type /ObjStm /N 10000000 /First 4 /Filter /FlateDecode /Length ${content.length} >>\nstream\n`,
      ),
      content,
      Buffer.from("\nendstream"),
    ]);
    const withObjStm = pagesPdf(1, { extra: [objStm] });
    assert.equal((await inspectPdf(withObjStm)).pages.length, 1);
    await sealable(withObjStm);
    // No catalog, a page tree that is not one.
    await refused(rawPdf(["<< /Type /Pages >>"]), "document_corrupt");
    await refused(rawPdf([CATALOG, "(not a dictionary)"]), "document_corrupt");
  });

  it("refuses an object stream or a cross-reference stream that inflates a thousandfold", async () => {
    const mb = 1024 * 1024;
    for (const bomb of [
      objectStreamPdf({ objStmPadding: 100 * mb }),
      objectStreamPdf({ xrefPadding: 100 * mb }),
    ]) {
      // About 100 KB, which the parser would inflate to 100 MB: refused at 64 MB, the least a
      // file is allowed whatever its size, before anything is parsed.
      assert.ok(bomb.length < 150_000, `${bomb.length} bytes`);
      await refused(
        bomb,
        "document_too_complex",
        /compressed content expands to more than 64 MB, more than a document may have/,
      );
    }
    // Hidden behind a name escape, deflated twice, run-length encoded, gzip members (pako reads
    // them, node's plain inflate would not): decoded as the parser would.
    const small = { ...DEFAULT_PDF_LIMITS, maxInflatedBytes: mb };
    const escaped = Buffer.from(
      objectStreamPdf({ objStmPadding: 2 * mb })
        .toString("latin1")
        .replace("/Type /ObjStm", "/Type /Obj#53tm"),
      "latin1",
    );
    for (const bomb of [
      objectStreamPdf({ objStmPadding: 2 * mb }),
      objectStreamPdf({ xrefPadding: 2 * mb }),
      escaped,
      objectStreamPdf({ objStmPadding: 2 * mb, encoding: "double-flate" }),
      objectStreamPdf({ xrefPadding: 2 * mb, encoding: "run-length" }),
      objectStreamPdf({ objStmPadding: 2 * mb, encoding: "gzip" }),
      objectStreamPdf({ xrefPadding: 2 * mb, encoding: "gzip" }),
    ]) {
      await refused(bomb, "document_too_complex", /more than 1 MB/, small);
      // Within the default limits, the same files are read.
      assert.equal((await inspectPdf(bomb)).pages.length, 1);
    }
  });

  it("accepts ordinary object and cross-reference streams, which then seal", async () => {
    for (const encoding of ["flate", "double-flate", "run-length", "gzip"] as const) {
      const bytes = objectStreamPdf({ encoding });
      assert.equal((await inspectPdf(bytes)).pages.length, 1, encoding);
      await sealable(bytes);
    }
    // As qpdf writes them, from a PDF with pages, content and fonts.
    const compressed = await withFile(pagesPdf(3), async (file) => {
      const out = path.join(path.dirname(file), "out.pdf");
      const result = await run("qpdf", ["--object-streams=generate", file, out]);
      assert.equal(result.code, 0, result.output);
      return readFile(out);
    });
    assert.match(compressed.toString("latin1"), /\/Type\s*\/ObjStm/);
    assert.match(compressed.toString("latin1"), /\/Type\s*\/XRef/);
    const tight = { ...DEFAULT_PDF_LIMITS, maxInflatedBytes: 1024 * 1024 };
    assert.equal((await inspectPdf(compressed, tight)).pages.length, 3);
    await sealable(compressed);
  });

  it("reads cyclic page trees without looping", async () => {
    const cyclic = rawPdf([CATALOG, "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", PAGE]);
    assert.equal((await inspectPdf(cyclic)).pages.length, 1);
    await sealable(cyclic);
  });
});
