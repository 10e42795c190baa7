import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("notification settings", () => {
  let t: TestServer;
  let key: string;
  let liveKey: string;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_EXPIRY_DAYS: "45" } });
    const account = await t.newAccount();
    key = account.secret;
    liveKey = (await t.newKey(account.accountId, "live")).secret;
  });
  after(() => t.close());

  const patch = (json: unknown, k = key) =>
    request(t.url, "/api/v1/settings", { method: "PATCH", key: k, json });

  it("starts from the defaults: nobody told, no reminders, the configured expiry", async () => {
    const res = await request(t.url, "/api/v1/settings", { key });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      object: "settings",
      environment: "test",
      senderEmails: [],
      senderLocale: "en",
      reminders: null,
      expiresAfterDays: 45,
      updatedAt: null,
    });
  });

  it("changes what the patch names and keeps the rest, per environment", async () => {
    const first = await patch({
      senderEmails: ["Ops@Acme.example", "ops@acme.example", "legal@acme.example"],
      reminders: { firstAfterDays: 2, everyDays: 3, max: 4 },
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.senderEmails, ["ops@acme.example", "legal@acme.example"]);
    assert.ok(first.body.updatedAt);
    const second = await patch({ senderLocale: "tr", expiresAfterDays: 7 });
    assert.deepEqual(second.body.senderEmails, ["ops@acme.example", "legal@acme.example"]);
    assert.deepEqual(second.body.reminders, { firstAfterDays: 2, everyDays: 3, max: 4 });
    assert.equal(second.body.senderLocale, "tr");
    assert.equal(second.body.expiresAfterDays, 7);
    const reset = await patch({ expiresAfterDays: null, reminders: null });
    assert.equal(reset.body.expiresAfterDays, 45);
    assert.equal(reset.body.reminders, null);

    const live = await request(t.url, "/api/v1/settings", { key: liveKey });
    assert.equal(live.body.environment, "live");
    assert.deepEqual(live.body.senderEmails, []);
  });

  it("refuses what it cannot use, changing nothing", async () => {
    const before = (await request(t.url, "/api/v1/settings", { key })).body;
    for (const [body, param] of [
      [{ senderEmails: ["not-an-address"] }, "senderEmails/0"],
      [{ senderLocale: "de" }, "senderLocale"],
      [{ reminders: { firstAfterDays: 0, everyDays: 1, max: 1 } }, "reminders.firstAfterDays"],
      [{ reminders: { firstAfterDays: 1, everyDays: 1 } }, "reminders.max"],
      [{ expiresAfterDays: 0 }, "expiresAfterDays"],
      [{ expiresAfterDays: "30" }, "expiresAfterDays"],
      [{ colour: "blue" }, "colour"],
      [{ senderEmails: Array.from({ length: 21 }, (_, i) => `a${i}@x.example`) }, "senderEmails"],
    ] as const) {
      const res = await patch(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.type, "invalid_request_error");
      assert.ok(
        res.body.error.param?.replace("/", ".").startsWith(param.replace("/", ".").split(".")[0]),
        `${JSON.stringify(body)} → ${JSON.stringify(res.body.error)}`,
      );
    }
    const malformed = await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, "invalid_json");
    assert.deepEqual((await request(t.url, "/api/v1/settings", { key })).body, before);
    assert.equal((await request(t.url, "/api/v1/settings")).status, 401);
  });
});
