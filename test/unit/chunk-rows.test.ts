import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { CopyFormatError, chunkRows } from "../../src/storage/chunk-rows.js";

/** PostgreSQL's binary COPY output of (seq, data) rows, with a header extension of `extension` bytes. */
function copyOutput(rows: { seq: number; data: Buffer }[], extension = 0): Buffer {
  const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  return Buffer.concat([
    Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
    int32(0),
    int32(extension),
    Buffer.alloc(extension, 7),
    ...rows.flatMap(({ seq, data }) => [int16(2), int32(4), int32(seq), int32(data.length), data]),
    int16(-1),
  ]);
}

describe("rows of a binary COPY of stored chunks", () => {
  it("gives each row's seq and data, skipping a header extension", () => {
    const rows = [
      { seq: 3, data: randomBytes(1000) },
      { seq: 4, data: randomBytes(17) },
    ];
    assert.deepEqual(chunkRows(copyOutput(rows, 5)), rows);
    assert.deepEqual(chunkRows(copyOutput([])), []);
  });

  it("refuses an output cut short, of another format, or of other columns", () => {
    const whole = copyOutput([{ seq: 0, data: randomBytes(100) }]);
    for (const cut of [5, 20, 30, whole.length - 1])
      assert.throws(() => chunkRows(whole.subarray(0, cut)), CopyFormatError, `cut at ${cut}`);
    const other = Buffer.from(whole);
    other[0] = 0x51;
    assert.throws(() => chunkRows(other), /binary COPY format/);
    const threeFields = Buffer.from(whole);
    threeFields.writeInt16BE(3, 19);
    assert.throws(() => chunkRows(threeFields), /3 fields/);
  });
});
