import type { Clock } from "../domain/clock.js";
import {
  describeDecision,
  type RateLimitDecision,
  type TokenBucketPolicy,
} from "../domain/token-bucket.js";
import type { RateLimitStore } from "./store.js";

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly clock: Clock,
  ) {}

  async consume(key: string, policy: TokenBucketPolicy): Promise<RateLimitDecision> {
    const result = await this.store.take(key, policy, this.clock.now().getTime());
    return describeDecision(result, policy);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
