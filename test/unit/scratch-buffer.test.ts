import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { inspectPdfSource } from "../../src/pdf/inspect.js";
import { ScratchBuffer } from "../../src/storage/scratch-buffer.js";
import { readStoredFileInto } from "../../src/storage/stored-file.js";
import { makePdf } from "../helpers/pdf.js";

describe("ScratchBuffer", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-scratch-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, bytes: Buffer) => {
    const at = path.join(dir, name);
    await writeFile(at, bytes);
    return { path: at };
  };

  it("lends one buffer to one use after the other, grown to the largest file", async () => {
    const scratch = new ScratchBuffer();
    const big = await file("big", Buffer.alloc(5000, 1));
    const small = await file("small", Buffer.from("small file"));
    const read = (ref: { path: string }) => (allocate: (size: number) => Buffer) =>
      readStoredFileInto(ref, allocate);
    const first = await scratch.use(read(big), async (bytes) => {
      assert.equal(bytes.length, 5000);
      return bytes.buffer;
    });
    const second = await scratch.use(read(small), async (bytes) => {
      assert.equal(bytes.toString(), "small file", "only the file's own bytes");
      return bytes.buffer;
    });
    assert.equal(second, first, "the same memory");
    assert.equal(scratch.heldBytes, 5000);
  });

  it("gives a use that comes while another runs a buffer of its own", async () => {
    const scratch = new ScratchBuffer();
    const a = await file("a", Buffer.alloc(100, "a"));
    const b = await file("b", Buffer.alloc(100, "b"));
    await scratch.use(
      (allocate) => readStoredFileInto(a, allocate),
      async (outer) => {
        await scratch.use(
          (allocate) => readStoredFileInto(b, allocate),
          async (inner) => {
            assert.notEqual(inner.buffer, outer.buffer);
            assert.equal(inner.toString(), "b".repeat(100));
          },
        );
        assert.equal(outer.toString(), "a".repeat(100), "untouched by the other use");
      },
    );
  });

  it("inspects PDFs read into it as it inspects them read whole, one after the other", async () => {
    const scratch = new ScratchBuffer();
    const pdfs = [await makePdf(["a4", "a4", "letter"]), await makePdf(["a4"])];
    for (const [i, pdf] of pdfs.entries()) {
      const ref = await file(`doc-${i}.pdf`, pdf);
      const kept = await inspectPdfSource(ref, undefined, scratch);
      assert.deepEqual(kept, await inspectPdfSource(ref));
      assert.equal(kept.sha256, createHash("sha256").update(pdf).digest("hex"));
    }
    assert.ok(pdfs[1]!.length < pdfs[0]!.length, "the second is read into a larger buffer");
  });
});
