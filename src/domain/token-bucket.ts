/**
 * The rate-limit reference behaviour: a bucket of `burst` tokens refilled continuously at
 * `perMinute` tokens per minute; each request takes one token or is refused.
 */
export interface TokenBucketPolicy {
  readonly perMinute: number;
  readonly burst: number;
}

export interface BucketState {
  readonly tokens: number;
  readonly updatedAtMs: number;
}

export interface TakeResult {
  readonly allowed: boolean;
  /** Tokens left after this request. */
  readonly tokens: number;
}

export interface RateLimitDecision extends TakeResult {
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Whole seconds (>= 1) to wait before a refused request can succeed; 0 when allowed. */
  readonly retryAfterSeconds: number;
}

export function refillPerMs(policy: TokenBucketPolicy): number {
  return policy.perMinute / 60_000;
}

export function takeToken(
  state: BucketState | undefined,
  policy: TokenBucketPolicy,
  nowMs: number,
): { state: BucketState; result: TakeResult } {
  if (!state) {
    const tokens = policy.burst - 1;
    return { state: { tokens, updatedAtMs: nowMs }, result: { allowed: true, tokens } };
  }
  // A clock that went backwards (another instance, NTP) refills nothing rather than draining.
  const elapsed = Math.max(0, nowMs - state.updatedAtMs);
  const available = Math.min(policy.burst, state.tokens + elapsed * refillPerMs(policy));
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return {
    state: { tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) },
    result: { allowed, tokens },
  };
}

export function describeDecision(result: TakeResult, policy: TokenBucketPolicy): RateLimitDecision {
  const perSecond = refillPerMs(policy) * 1000;
  const tokens = Math.min(policy.burst, Math.max(0, result.tokens));
  // Each field named: V8 clones `{ ...result, … }` on a slow path, creating a map each time.
  return {
    allowed: result.allowed,
    tokens: result.tokens,
    limit: policy.burst,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((policy.burst - tokens) / perSecond),
    retryAfterSeconds: result.allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}
