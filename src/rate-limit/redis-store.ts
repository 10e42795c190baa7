import { Redis } from "ioredis";
import { refillPerMs, type TakeResult, type TokenBucketPolicy } from "../domain/token-bucket.js";
import type { RateLimitStore } from "./store.js";

// Mirrors `takeToken` in the domain; Redis runs a script atomically, so instances never race.
const TAKE_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
local allowed = 1
if tokens == nil then
  tokens = burst - 1
  updated = now
else
  local available = math.min(burst, tokens + math.max(0, now - updated) * rate)
  if available >= 1 then tokens = available - 1 else tokens = available; allowed = 0 end
  updated = math.max(updated, now)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return {allowed, tostring(tokens)}
`;

export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = "certyneo:ratelimit:",
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
    this.redis.on("error", () => {
      // Reported by the failing command; the client reconnects on its own.
    });
  }

  async take(key: string, policy: TokenBucketPolicy, nowMs: number): Promise<TakeResult> {
    const [allowed, tokens] = (await this.redis.eval(
      TAKE_SCRIPT,
      1,
      this.prefix + key,
      policy.burst,
      refillPerMs(policy),
      nowMs,
    )) as [number, string];
    return { allowed: allowed === 1, tokens: Number(tokens) };
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
