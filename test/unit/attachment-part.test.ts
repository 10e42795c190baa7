import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { attachmentPart } from "../../src/notify/attachment-part.js";

async function encoded(content: Buffer | Readable, filename = "contract - signed.pdf") {
  const raw = await text(attachmentPart({ filename, content, contentType: "application/pdf" }));
  const split = raw.indexOf("\r\n\r\n");
  return { headers: raw.slice(0, split), body: raw.slice(split + 4) };
}

/** `bytes` as a stream of chunks of the given sizes, in turn. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

describe("attachment MIME part", () => {
  it("is the bytes in base64 lines of 76 characters, whatever the chunks", async () => {
    for (const length of [0, 1, 56, 57, 58, 114, 1000, 65_536, 200_003]) {
      const bytes = randomBytes(length);
      for (const content of [bytes, chunked(bytes, [1, 57, 1000, 65_536]), chunked(bytes, [7])]) {
        const { body } = await encoded(content);
        const lines = body === "" ? [] : body.split("\r\n");
        assert.ok(
          lines.every(
            (line, i) => line.length === 76 || (i === lines.length - 1 && line.length <= 76),
          ),
          `${length} bytes: every line but the last is 76 characters`,
        );
        assert.deepEqual(Buffer.from(lines.join(""), "base64"), bytes, `${length} bytes decode`);
      }
    }
  });

  it("has the headers of an attachment, the file name encoded for any mail reader", async () => {
    const { headers } = await encoded(Buffer.from("x"), "Contrat – Zoë Élodie 中文 - signed.pdf");
    assert.match(headers, /^Content-Type: application\/pdf;/);
    assert.match(headers, /^Content-Transfer-Encoding: base64$/m);
    assert.match(headers, /^Content-Disposition: attachment;/m);
    assert.match(headers, /filename\*0\*=utf-8''Contrat%20%E2%80%93%20Zo/);
    assert.ok(
      headers.split("\r\n").every((line) => line.length <= 78 && /^[\x20-\x7e]*$/.test(line)),
    );
  });

  it("fails when its source fails", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk gone"));
      },
    });
    await assert.rejects(encoded(failing), /disk gone/);
  });

  it("reads a file by its path, and fails the read, not the process, when it is gone", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certyneo-part-"));
    try {
      const bytes = randomBytes(100_000);
      await writeFile(path.join(dir, "kept.pdf"), bytes);
      const kept = await text(
        attachmentPart({
          filename: "kept.pdf",
          content: { path: path.join(dir, "kept.pdf") },
          contentType: "application/pdf",
        }),
      );
      const body = kept.slice(kept.indexOf("\r\n\r\n") + 4).replaceAll("\r\n", "");
      assert.deepEqual(Buffer.from(body, "base64"), bytes);
      const gone = attachmentPart({
        filename: "gone.pdf",
        content: { path: path.join(dir, "gone.pdf") },
        contentType: "application/pdf",
      });
      // Not read yet: a file opened at once would fail now, with no one listening (the test
      // runner fails the test for an uncaught error).
      await new Promise((resolve) => setTimeout(resolve, 50));
      await assert.rejects(text(gone), { code: "ENOENT" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
