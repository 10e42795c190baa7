import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestedRange } from "../../src/domain/byte-range.js";

describe("requestedRange", () => {
  it("reads the one range a Range header asks for, cut to the file", () => {
    assert.deepEqual(requestedRange("bytes=0-99", 1000), { start: 0, end: 99 });
    assert.deepEqual(requestedRange(" bytes=900- ", 1000), { start: 900, end: 999 });
    assert.deepEqual(requestedRange("bytes=-10", 1000), { start: 990, end: 999 });
    assert.deepEqual(requestedRange("bytes=-5000", 1000), { start: 0, end: 999 });
    assert.deepEqual(requestedRange("bytes=500-99999", 1000), { start: 500, end: 999 });
    assert.deepEqual(requestedRange("bytes=999-999", 1000), { start: 999, end: 999 });
  });

  it("answers the whole file for what it does not serve, nothing for what is past the end", () => {
    for (const header of ["bytes=0-1,4-5", "bytes=-", "items=0-1", "bytes=5-1", "bytes=a-b", ""]) {
      assert.equal(requestedRange(header, 1000), null, header);
    }
    assert.equal(requestedRange("bytes=1000-", 1000), "unsatisfiable");
    assert.equal(requestedRange("bytes=-0", 1000), "unsatisfiable");
    assert.equal(requestedRange("bytes=0-", 0), "unsatisfiable");
    // No number so long that it loses precision reaches the arithmetic.
    assert.equal(requestedRange("bytes=1234567890123456789-", 1000), null);
  });
});
