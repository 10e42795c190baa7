import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryRateLimitStore } from "../../src/rate-limit/memory-store.js";
import { PostgresRateLimitStore } from "../../src/rate-limit/postgres-store.js";
import { RedisRateLimitStore } from "../../src/rate-limit/redis-store.js";
import type { RateLimitStore } from "../../src/rate-limit/store.js";
import { randomBase62 } from "../../src/security/random.js";
import { testDatabaseKind } from "../helpers/database.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const REDIS_URL = process.env.CERTYNEO_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("rate limiting over HTTP", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("allows a burst of 200, then 429 with Retry-After, then refills at 100/min", async () => {
    const { secret } = await t.newAccount();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => request(t.url, "/api/v1/keys?limit=1", { key: secret })),
    );
    assert.ok(responses.every((r) => r.status === 200));
    const remaining = responses
      .map((r) => Number(r.headers.get("x-ratelimit-remaining")))
      .sort((a, b) => a - b);
    assert.deepEqual(
      remaining,
      Array.from({ length: 200 }, (_, i) => i),
    );
    for (const r of responses) {
      assert.equal(r.headers.get("x-ratelimit-limit"), "200");
      assert.ok(Number(r.headers.get("x-ratelimit-reset")) >= 1);
    }

    const refused = await request(t.url, "/api/v1/keys", { key: secret });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.type, "rate_limit_error");
    assert.equal(refused.body.error.code, "rate_limit_exceeded");
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(refused.headers.get("x-ratelimit-remaining"), "0");
    assert.equal(refused.headers.get("x-ratelimit-reset"), "120");

    t.clock.advance(599);
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 429);
    t.clock.advance(1);
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 429);

    t.clock.advance(120_000);
    const full = await request(t.url, "/api/v1/keys", { key: secret });
    assert.equal(full.status, 200);
    assert.equal(full.headers.get("x-ratelimit-remaining"), "199");
  });

  it("counts each key separately", async () => {
    const a = await t.newAccount();
    const b = await t.newKey(a.accountId, "test");
    await t.app.keys.setRateLimit(a.keyId, { perMinute: 60, burst: 2 });
    assert.equal((await request(t.url, "/api/v1/keys", { key: a.secret })).status, 200);
    assert.equal((await request(t.url, "/api/v1/keys", { key: a.secret })).status, 200);
    assert.equal((await request(t.url, "/api/v1/keys", { key: a.secret })).status, 429);
    const other = await request(t.url, "/api/v1/keys", { key: b.secret });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get("x-ratelimit-remaining"), "199");
  });

  it("applies an operator's new limit on the next request, without a restart", async () => {
    const { secret, keyId } = await t.newAccount();
    assert.equal(
      (await request(t.url, "/api/v1/keys", { key: secret })).headers.get("x-ratelimit-limit"),
      "200",
    );
    await t.app.keys.setRateLimit(keyId, { perMinute: 6, burst: 3 });
    const first = await request(t.url, "/api/v1/keys", { key: secret });
    assert.equal(first.headers.get("x-ratelimit-limit"), "3");
    assert.equal(first.headers.get("x-ratelimit-remaining"), "2");
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
    const refused = await request(t.url, "/api/v1/keys", { key: secret });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "10");
    assert.match(refused.body.error.message, /6 per minute, bursts of 3/);
  });

  it("does not rate-limit requests that fail authentication against any key", async () => {
    const { secret, keyId } = await t.newAccount();
    await t.app.keys.setRateLimit(keyId, { burst: 1 });
    const wrong = `${secret.slice(0, -1)}${secret.endsWith("X") ? "Y" : "X"}`;
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(t.url, "/api/v1/keys", { key: wrong })).status, 401);
    }
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
  });

  it("refuses a key the moment it is revoked", async () => {
    const { secret, keyId, accountId } = await t.newAccount();
    await t.app.keys.setRateLimit(keyId, { burst: 2 });
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 200);
    await t.app.keys.revoke({ accountId, environment: "test" }, keyId);
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 401);
    }
  });
});

describe("rate limiting across instances", {
  skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
}, () => {
  /** Two servers on one PostgreSQL database, and a key whose limit is `policy`. */
  async function onTwoServers(
    policy: { perMinute: number; burst: number },
    use: (first: TestServer, second: TestServer, secret: string) => Promise<void>,
  ): Promise<void> {
    const first = await startTestServer();
    const second = await startTestServer({ database: first.database });
    try {
      const { secret, keyId } = await first.newAccount();
      await first.app.keys.setRateLimit(keyId, policy);
      await use(first, second, secret);
    } finally {
      await second.close();
      await first.close();
    }
  }

  it("shares one bucket between two servers on the same PostgreSQL database", async () => {
    await onTwoServers({ perMinute: 60, burst: 4 }, async (first, second, secret) => {
      const statuses = [];
      for (const server of [first, second, first, second, second]) {
        statuses.push((await request(server.url, "/api/v1/keys", { key: secret })).status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    });
  });

  it("never overspends a bucket under concurrent requests on two servers", async () => {
    // One token a minute: what 60 requests at once may spend is the burst alone.
    await onTwoServers({ perMinute: 1, burst: 25 }, async (first, second, secret) => {
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          request((i % 2 ? first : second).url, "/api/v1/keys", { key: secret }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 25, statuses.join(","));
      assert.equal(statuses.filter((s) => s === 429).length, 35);
      const remaining = responses
        .filter((r) => r.status === 200)
        .map((r) => Number(r.headers.get("x-ratelimit-remaining")))
        .sort((a, b) => a - b);
      assert.deepEqual(
        remaining,
        Array.from({ length: 25 }, (_, i) => i),
      );
    });
  });
});

/** The same scenario against every store: each must implement the domain's token bucket. */
function storeContract(
  name: string,
  open: () => Promise<{ store: RateLimitStore; close(): Promise<void> }>,
) {
  describe(`${name} rate-limit store`, () => {
    let store: RateLimitStore;
    let close: () => Promise<void>;
    before(async () => {
      ({ store, close } = await open());
    });
    after(() => close());

    it("takes, refuses, refills and caps like the reference token bucket", async () => {
      const key = `contract-${randomBase62(10)}`;
      const policy = { perMinute: 60, burst: 3 };
      const at = (ms: number) => store.take(key, policy, 1_000_000 + ms);
      assert.deepEqual(await at(0), { allowed: true, tokens: 2 });
      assert.deepEqual(await at(0), { allowed: true, tokens: 1 });
      assert.deepEqual(await at(0), { allowed: true, tokens: 0 });
      assert.deepEqual(await at(500), { allowed: false, tokens: 0.5 });
      assert.deepEqual(await at(1000), { allowed: true, tokens: 0 });
      assert.deepEqual(await at(900), { allowed: false, tokens: 0 });
      assert.deepEqual(await at(3_600_000), { allowed: true, tokens: 2 });
    });

    it("never overspends under concurrent takes", async () => {
      const key = `concurrent-${randomBase62(10)}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.take(key, { perMinute: 1, burst: 10 }, 5_000)),
      );
      assert.equal(results.filter((r) => r.allowed).length, 10);
    });
  });
}

storeContract("memory", async () => {
  const store = new MemoryRateLimitStore();
  return { store, close: () => store.close() };
});

storeContract("redis", async () => {
  const store = new RedisRateLimitStore(REDIS_URL, `certyneo-test:${randomBase62(8)}:`);
  return { store, close: () => store.close() };
});

if (testDatabaseKind === "postgres") {
  storeContract("postgres", async () => {
    const server = await startTestServer();
    return {
      store: new PostgresRateLimitStore(server.app.database.db),
      close: () => server.close(),
    };
  });
}
