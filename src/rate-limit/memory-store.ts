import {
  type BucketState,
  type TakeResult,
  type TokenBucketPolicy,
  takeToken,
} from "../domain/token-bucket.js";
import type { RateLimitStore } from "./store.js";

const SWEEP_THRESHOLD = 10_000;

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, { state: BucketState; policy: TokenBucketPolicy }>();

  async take(key: string, policy: TokenBucketPolicy, nowMs: number): Promise<TakeResult> {
    const { state, result } = takeToken(this.buckets.get(key)?.state, policy, nowMs);
    this.buckets.set(key, { state, policy });
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep(nowMs);
    return result;
  }

  /** A bucket that has refilled completely is the same as no bucket: forget it. */
  private sweep(nowMs: number): void {
    for (const [key, { state, policy }] of this.buckets) {
      const refilled = state.tokens + ((nowMs - state.updatedAtMs) * policy.perMinute) / 60_000;
      if (refilled >= policy.burst) this.buckets.delete(key);
    }
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}
