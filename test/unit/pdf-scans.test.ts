import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { countPageObjects } from "../../src/pdf/inspect.js";
import { endstreamPositions, objectHeaderEnds } from "../../src/pdf/stream-limits.js";

// The scans find with Buffer.indexOf what these expressions found on the whole file as text
// (ten times slower on a 25 MB scan): they are the oracle.
const OBJ_HEADER = /(?<![0-9])\d+[\0\t\n\f\r ]+\d+[\0\t\n\f\r ]+obj(?![^\0\t\n\f\r ()<>[\]{}/%])/g;
const TYPE_PAGE = /\/Type\s*\/Page(?![A-Za-z0-9])/g;

const oracleHeaderEnds = (bytes: Buffer) =>
  [...bytes.toString("latin1").matchAll(OBJ_HEADER)].map((m) => m.index + m[0].length);
const oraclePages = (bytes: Buffer) => [...bytes.toString("latin1").matchAll(TYPE_PAGE)].length;

/** 300 buffers of `parts` pieces each: one of `tokens` (a `tokenShare` of them), or random bytes. */
function seededSamples(
  tokens: string[],
  options: { parts: number; tokenShare: number; maxRandomBytes: number },
): Buffer[] {
  return Array.from({ length: 300 }, () =>
    Buffer.concat(
      Array.from({ length: options.parts }, () =>
        Math.random() < options.tokenShare
          ? Buffer.from(tokens[Math.floor(Math.random() * tokens.length)]!, "latin1")
          : randomBytes(1 + Math.floor(Math.random() * options.maxRandomBytes)),
      ),
    ),
  );
}

const CRAFTED = [
  "1 0 obj<<>>endobj",
  "12 0 obj\n<< /Type /Page >>",
  "1 2 3 obj ",
  "a1 0 obj ",
  "1 0objx 1 0 obj",
  "0 obj 1\t\0\r\n0 obj(",
  "1 0 obj/Type/Pages /Type /Page /Type\xa0/Page% /Type/PageX /Type  /Page0 /Type /Page",
  "obj 9 9 obj",
  "99 0 obj",
];

test("object headers: the same ends as the regular expression, on crafted and random bytes", () => {
  const samples: Buffer[] = CRAFTED.map((text) => Buffer.from(text, "latin1"));
  // Random bytes seeded with the tokens the scans look for.
  const tokens = ["obj", " ", "\n", "0", "7", "12", "/", "(", "/Type", "/Page", "\0", "\xa0"];
  samples.push(...seededSamples(tokens, { parts: 60, tokenShare: 0.7, maxRandomBytes: 4 }));
  for (const bytes of samples) {
    assert.deepEqual(objectHeaderEnds(bytes), oracleHeaderEnds(bytes), bytes.toString("latin1"));
    assert.equal(countPageObjects(bytes, 1e6), oraclePages(bytes), bytes.toString("latin1"));
  }
});

test("page objects: counting stops after the bound", () => {
  const bytes = Buffer.from("/Type /Page ".repeat(50));
  assert.equal(countPageObjects(bytes, 10), 11);
  assert.equal(countPageObjects(bytes, 1000), 50);
});

test("endstream keywords: the same positions as looking for the whole word", () => {
  const positionsOf = (bytes: Buffer, needle: string) => {
    const found: number[] = [];
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length))
      found.push(at);
    return found;
  };
  const samples: Buffer[] = [
    "endstream",
    "stream endstream endstreamendstream",
    "endendstream endstrea mstream endstreamstream xendstream",
    "nd stream end\nstream streamendstream",
  ].map((text) => Buffer.from(text, "latin1"));
  const tokens = ["end", "stream", "en", "d", "str", "eam", " ", "endstream", "e"];
  samples.push(...seededSamples(tokens, { parts: 40, tokenShare: 0.8, maxRandomBytes: 3 }));
  for (const bytes of samples) {
    assert.deepEqual(
      endstreamPositions(bytes),
      positionsOf(bytes, "endstream"),
      bytes.toString("latin1"),
    );
  }
});
