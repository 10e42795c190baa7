import assert from "node:assert/strict";
import { test } from "node:test";
import { JobSequence } from "../../src/services/job-sequence.js";

test("follows the clock in µs, and never repeats or goes back, across holders of one buffer", () => {
  const main = new JobSequence();
  const writer = new JobSequence(main.buffer);
  const now = Date.UTC(2026, 11, 6, 12);
  assert.equal(main.next(now), now * 1000);
  // The same millisecond on the other thread: one past, not equal.
  assert.equal(writer.next(now), now * 1000 + 1);
  // A clock behind (another thread's test clock, a step back): still increasing.
  assert.equal(main.next(now - 60_000), now * 1000 + 2);
  assert.equal(writer.next(now + 1), (now + 1) * 1000);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add((i % 2 ? main : writer).next(now + 1));
  assert.equal(seen.size, 1000);
  assert.equal(Math.min(...seen), (now + 1) * 1000 + 1);
});
