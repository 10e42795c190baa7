import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ENVELOPE_OF_KEY } from "../../src/services/envelopes/index.js";
import { testDatabaseKind } from "../helpers/database.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

// On PostgreSQL, GET /envelopes/{id} is read by the statement that looks the key up (`KeyedRead`);
// on SQLite, after it. Either way the same answers, and nothing of another scope.
describe("an envelope read with its key", () => {
  let t: TestServer;
  let owner: { accountId: string; secret: string; keyId: string };
  let envelopeId: string;

  before(async () => {
    t = await startTestServer();
    owner = await t.newAccount();
    const documentId = (await uploadDocument(t.url, owner.secret)).id;
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key: owner.secret,
      json: { subject: "Keyed", documentIds: [documentId], recipients: [signer(1), signer(2)] },
    });
    assert.equal(created.status, 201);
    envelopeId = created.body.id;
  });
  after(() => t.close());

  it("answers the envelope as the list does", async () => {
    const one = await request(t.url, `/api/v1/envelopes/${envelopeId}`, { key: owner.secret });
    assert.equal(one.status, 200);
    const listed = await request(t.url, "/api/v1/envelopes?limit=1", { key: owner.secret });
    assert.deepEqual(one.body, listed.body.data[0]);
    assert.deepEqual(
      one.body.recipients.map((r: { email: string }) => r.email),
      [signer(1).email, signer(2).email],
    );
  });

  it("answers 404 for another account's envelope, and for the other environment's key", async () => {
    const other = await t.newAccount();
    const live = await t.newKey(owner.accountId, "live");
    for (const key of [other.secret, live.secret]) {
      const response = await request(t.url, `/api/v1/envelopes/${envelopeId}`, { key });
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, "envelope_not_found");
    }
  });

  it("refuses an id the route refuses, before reading it", async () => {
    for (const [id, status, code] of [
      ["env_%00x", 400, "parameter_invalid"],
      ["e".repeat(101), 414, "url_too_long"],
    ] as const) {
      const response = await request(t.url, `/api/v1/envelopes/${id}`, { key: owner.secret });
      assert.equal(response.status, status, id);
      assert.equal(response.body.error.code, code);
    }
  });

  it("answers 401 once the key is revoked, 429 once its bucket is empty", async () => {
    const key = await t.newKey(owner.accountId, "test");
    await t.app.keys.setRateLimit(key.keyId, { perMinute: 1, burst: 2 });
    const path = `/api/v1/envelopes/${envelopeId}`;
    assert.equal((await request(t.url, path, { key: key.secret })).status, 200);
    assert.equal((await request(t.url, path, { key: key.secret })).status, 200);
    const limited = await request(t.url, path, { key: key.secret });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "rate_limit_exceeded");
    assert.equal(limited.body.id, undefined);
    await t.app.keys.revoke({ accountId: owner.accountId, environment: "test" }, key.keyId);
    const revoked = await request(t.url, path, { key: key.secret });
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error.code, "api_key_invalid");
  });

  it("is made by the key's lookup on PostgreSQL, only for a live key with its token", {
    skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
  }, async () => {
    const keys = t.app.keys;
    assert.equal(keys.readsWithKey, true);
    const read = { keyedRead: ENVELOPE_OF_KEY, argument: envelopeId, known: -1 };
    const found = await keys.authenticate(owner.secret, read);
    const answer = found?.read as { id?: string; revision?: number } | null;
    assert.equal(answer?.id, envelopeId);
    const scope = { accountId: owner.accountId, environment: "test" } as const;
    assert.equal(
      (await t.app.envelopes.fromKeyedRead(scope, envelopeId, found?.read)).subject,
      "Keyed",
      "the service makes the same envelope of it",
    );
    // Told the revision it has, the lookup answers that number alone: the parts are not read.
    assert.equal(typeof answer?.revision, "number");
    const known = { ...read, known: answer!.revision! };
    assert.equal((await keys.authenticate(owner.secret, known))?.read, answer!.revision);
    assert.equal(t.app.envelopes.keptRevision(envelopeId), answer!.revision);
    // A revision the instance no longer keeps (made room for others): read in full again.
    assert.equal(
      (await t.app.envelopes.fromKeyedRead(scope, envelopeId, answer!.revision! + 1000)).subject,
      "Keyed",
    );
    const other = await t.newAccount();
    assert.equal((await keys.authenticate(other.secret, read))?.read, null);
    const missing = { keyedRead: ENVELOPE_OF_KEY, argument: "env_missing", known: -1 };
    assert.equal((await keys.authenticate(owner.secret, missing))?.read, null);
    // No token left: the lookup answers the refusal, and reads nothing.
    const spent = await t.newKey(owner.accountId, "test");
    await keys.setRateLimit(spent.keyId, { perMinute: 1, burst: 1 });
    assert.notEqual((await keys.authenticate(spent.secret, read))?.read, null);
    const refused = await keys.authenticate(spent.secret, read);
    assert.equal(refused?.taken?.allowed, false);
    assert.equal(refused?.read, null);
  });
});
