import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BucketState, describeDecision, takeToken } from "../../src/domain/token-bucket.js";

const policy = { perMinute: 100, burst: 200 };

function drain(count: number, nowMs: number, start?: BucketState) {
  let state = start;
  const results = [];
  for (let i = 0; i < count; i++) {
    const step = takeToken(state, policy, nowMs);
    state = step.state;
    results.push(step.result);
  }
  return { state: state!, results };
}

describe("token bucket", () => {
  it("allows a burst of exactly `burst` requests at one instant", () => {
    const { results } = drain(201, 0);
    assert.equal(results.filter((r) => r.allowed).length, 200);
    assert.equal(results.at(-1)?.allowed, false);
  });

  it("refills at perMinute: one token every 0.6 s at 100/min", () => {
    const { state } = drain(200, 0);
    assert.equal(takeToken(state, policy, 599).result.allowed, false);
    const later = takeToken(state, policy, 600);
    assert.equal(later.result.allowed, true);
    assert.ok(later.result.tokens < 1e-9);
  });

  it("sustains 100 per minute after the burst is spent", () => {
    let { state } = drain(200, 0);
    let allowed = 0;
    for (let t = 0; t < 60_000; t += 100) {
      const step = takeToken(state, policy, t);
      state = step.state;
      if (step.result.allowed) allowed++;
    }
    assert.ok(allowed >= 99 && allowed <= 100, `allowed ${allowed}`);
  });

  it("never refills above the burst size", () => {
    const { state } = drain(1, 0);
    const step = takeToken(state, policy, 10 * 60_000);
    assert.equal(step.result.tokens, 199);
  });

  it("refills nothing when the clock goes backwards", () => {
    const { state } = drain(200, 10_000);
    const step = takeToken(state, policy, 5_000);
    assert.equal(step.result.allowed, false);
    assert.equal(step.state.updatedAtMs, 10_000);
  });

  it("applies a lowered burst at once", () => {
    const { state } = drain(1, 0);
    const step = takeToken(state, { perMinute: 100, burst: 3 }, 0);
    assert.equal(step.result.tokens, 2);
  });

  it("describes headers: remaining, reset until full, Retry-After >= 1", () => {
    const fresh = describeDecision({ allowed: true, tokens: 199 }, policy);
    assert.deepEqual(
      {
        limit: fresh.limit,
        remaining: fresh.remaining,
        reset: fresh.resetSeconds,
        retry: fresh.retryAfterSeconds,
      },
      { limit: 200, remaining: 199, reset: 1, retry: 0 },
    );
    const refused = describeDecision({ allowed: false, tokens: 0.1 }, policy);
    assert.equal(refused.remaining, 0);
    assert.equal(refused.retryAfterSeconds, 1);
    assert.equal(refused.resetSeconds, 120);
    const slow = describeDecision({ allowed: false, tokens: 0 }, { perMinute: 1, burst: 1 });
    assert.equal(slow.retryAfterSeconds, 60);
  });
});
