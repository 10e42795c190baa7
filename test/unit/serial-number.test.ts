import assert from "node:assert/strict";
import { test } from "node:test";
import * as asn1js from "asn1js";
import { randomSerialNumber } from "../../src/pki/serial-number.js";

// A random serial number with a leading zero byte before one under 0x80 was encoded with a zero
// DER forbids: OpenSSL refused such a timestamp as "illegal padding", once in 512.
test("serial numbers are positive, 16 bytes in minimal DER, and random", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 4096; i++) {
    const serial = randomSerialNumber();
    assert.equal(serial.length, 16);
    assert.ok(serial[0]! >= 0x40 && serial[0]! <= 0x7f, serial.toString("hex"));
    const der = Buffer.from(new asn1js.Integer({ valueHex: new Uint8Array(serial) }).toBER());
    assert.deepEqual(der.subarray(0, 2), Buffer.from([0x02, 0x10]));
    assert.deepEqual(der.subarray(2), serial);
    seen.add(serial.toString("hex"));
  }
  assert.equal(seen.size, 4096);
});
