import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sealedEnvelope } from "../helpers/fixtures.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const TOKEN = "metrics-token-0123456789abcdef";

/** The value of one series of the exposition text, or undefined if it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  it("does not exist without CERTYNEO_METRICS_TOKEN", async () => {
    const t = await startTestServer();
    try {
      assert.equal((await fetch(`${t.url}/metrics`)).status, 404);
      assert.equal(t.app.metrics, undefined);
    } finally {
      await t.close();
    }
  });

  it("refuses a too short token at start", async () => {
    await assert.rejects(
      startTestServer({ env: { CERTYNEO_METRICS_TOKEN: "short" } }),
      /CERTYNEO_METRICS_TOKEN must be at least 16 characters/,
    );
  });

  describe("with a token", () => {
    let t: TestServer;
    let key: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const scrape = async () => {
      const response = await fetch(`${t.url}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(response.status, 200);
      return response.text();
    };
    before(async () => {
      t = await startTestServer({
        env: {
          CERTYNEO_METRICS_TOKEN: TOKEN,
          CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        },
      });
      ({ secret: key } = await t.newAccount());
      receiver = await startReceiver();
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    it("answers only the bearer of the token, in Prometheus's text format", async () => {
      for (const authorization of [undefined, "Bearer wrong-token-0123456789", TOKEN]) {
        const response = await fetch(`${t.url}/metrics`, {
          headers: authorization ? { authorization } : {},
        });
        assert.equal(response.status, 401, String(authorization));
        assert.equal(((await response.json()) as any).error.code, "metrics_token_invalid");
        assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
      const response = await fetch(`${t.url}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      // Every line a comment or `name{labels} value`.
      for (const line of text.split("\n").filter(Boolean))
        assert.match(
          line,
          /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+|\w+(\{[^}]*\})? NaN)$/,
          line,
        );
      assert.ok(sample(text, "certyneo_process_resident_memory_bytes")! > 0);
      assert.match(text, /# TYPE certyneo_nodejs_eventloop_lag_seconds gauge/);
    });

    it("counts requests by route template and status, and rate-limit refusals", async () => {
      // This key alone: three at once, then one a minute.
      const { accountId } = await t.newAccount();
      const limited = await t.newKey(accountId, "test");
      await t.app.keys.setRateLimit(limited.keyId, { burst: 3, perMinute: 1 });
      key = limited.secret;
      const created = await request(t.url, "/api/v1/envelopes/env_unknown0000000000000000", {
        key,
      });
      assert.equal(created.status, 404);
      await request(t.url, "/api/v1/keys", { key });
      let refused = 0;
      for (let i = 0; i < 4; i++)
        if ((await request(t.url, "/api/v1/keys", { key })).status === 429) refused++;
      assert.ok(refused >= 1);
      const text = await scrape();
      assert.equal(
        sample(
          text,
          'certyneo_http_requests_total{method="GET",route="/api/v1/envelopes/:id",status="404"}',
        ),
        1,
      );
      assert.ok(
        sample(
          text,
          'certyneo_http_requests_total{method="GET",route="/api/v1/keys",status="200"}',
        )! >= 1,
      );
      assert.equal(
        sample(text, 'certyneo_rate_limit_refusals_total{route="/api/v1/keys"}'),
        refused,
      );
      assert.ok(
        sample(
          text,
          'certyneo_http_request_duration_seconds_count{method="GET",route="/api/v1/keys"}',
        )! >= 2,
      );
      assert.doesNotMatch(text, /env_unknown/, "never a raw path");
    });

    it("counts sealing, emails and webhook attempts, and shows the queue", async () => {
      ({ secret: key } = await t.newAccount());
      const hook = await request(t.url, "/api/v1/webhooks", {
        method: "POST",
        key,
        json: { url: `${receiver.url}/hook`, events: ["envelope.completed"] },
      });
      assert.equal(hook.status, 201);
      await sealedEnvelope(t, key, "Counted");
      const text = await scrape();
      assert.equal(sample(text, 'certyneo_job_runs_total{kind="seal_envelope",outcome="done"}'), 1);
      assert.equal(sample(text, 'certyneo_job_duration_seconds_count{kind="seal_envelope"}'), 1);
      assert.ok(sample(text, 'certyneo_job_duration_seconds_sum{kind="seal_envelope"}')! > 0);
      assert.ok(sample(text, 'certyneo_messages_total{channel="email",outcome="sent"}')! >= 1);
      assert.equal(sample(text, 'certyneo_webhook_attempts_total{outcome="delivered"}'), 1);
      assert.equal(receiver.received.length, 1);
      // The queue, read at the scrape: everything ran.
      assert.equal(sample(text, 'certyneo_jobs{kind="seal_envelope",state="due"}'), 0);
      assert.equal(sample(text, 'certyneo_jobs_oldest_due_age_seconds{kind="seal_envelope"}'), 0);
    });
  });
});
