import type { TakeResult, TokenBucketPolicy } from "../domain/token-bucket.js";

/** Where token buckets live: one process's memory, or a store shared by every instance. */
export interface RateLimitStore {
  take(key: string, policy: TokenBucketPolicy, nowMs: number): Promise<TakeResult>;
  close(): Promise<void>;
}
