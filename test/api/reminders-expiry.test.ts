import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { testDatabaseKind } from "../helpers/database.js";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

describe("reminders and expiry", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
    t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  async function send(body: Record<string, unknown>) {
    const sent = await sendEnvelope(t.url, key, {
      subject: "Bail commercial",
      documentIds: [doc.id],
      ...body,
    });
    await t.app.worker.runDue();
    return sent;
  }

  const mails = async (address: string, subject: RegExp) =>
    (await outboxEmails(t.database.env.CERTYNEO_DATA_DIR))
      .filter((m) => m.to.includes(address))
      .map((m) => parseMail(m.raw))
      .filter((m) => subject.test(m.subject));

  const eventsOf = async (id: string) =>
    t.app.events.forEnvelope(t.app.database.db, { accountId, environment: "test" }, id);

  const later = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.worker.runDue();
  };

  it("reminds on the envelope's policy, stops at its maximum, and says how many were sent", async () => {
    const envelope = await send({
      reminders: { firstAfterDays: 2, everyDays: 3, max: 2 },
      recipients: [signer(1, { locale: "fr" })],
    });
    assert.deepEqual(envelope.reminders, { firstAfterDays: 2, everyDays: 3, max: 2 });
    const sentAt = Date.parse(envelope.sentAt);
    assert.equal(envelope.recipients[0].nextReminderAt, new Date(sentAt + 2 * DAY).toISOString());

    await later(2 * DAY - HOUR);
    assert.equal((await mails("signer1@example.com", /Rappel/)).length, 0, "not yet");
    await later(HOUR);
    const [first] = await mails("signer1@example.com", /Rappel/);
    assert.ok(first);
    assert.equal(
      first.subject,
      "[TEST] Rappel : Test account attend votre signature sur « Bail commercial »",
    );
    assert.ok(
      first.text.includes(envelope.recipients[0].signUrl),
      "the same link as the invitation",
    );

    await later(3 * DAY);
    await later(3 * DAY);
    await later(10 * DAY);
    assert.equal((await mails("signer1@example.com", /Rappel/)).length, 2, "max 2");
    const current = (await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key })).body;
    assert.equal(current.recipients[0].remindersSent, 2);
    assert.equal(current.recipients[0].nextReminderAt, null);
    const reminded = (await eventsOf(envelope.id)).filter((e) => e.type === "recipient.reminded");
    assert.deepEqual(
      reminded.map((e) => e.data),
      [
        { automatic: true, count: 1 },
        { automatic: true, count: 2 },
      ],
    );
  });

  it("reminds only whose turn it is, from their own invitation, and never who has signed", async () => {
    const envelope = await send({
      signingOrder: "sequential",
      reminders: { firstAfterDays: 1, everyDays: 1, max: 5 },
      recipients: [signer(11), signer(12)],
    });
    await later(DAY);
    assert.equal((await mails("signer11@example.com", /Reminder/)).length, 1);
    assert.equal((await mails("signer12@example.com", /./)).length, 0);
    const token = envelope.recipients[0].signUrl.split("/sign/")[1];
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Eleven" } },
    });
    await later(HOUR);
    assert.equal((await mails("signer12@example.com", /asks you to sign/)).length, 1);
    await later(DAY - HOUR - 1);
    assert.equal(
      (await mails("signer12@example.com", /Reminder/)).length,
      0,
      "a day after *their* invitation",
    );
    await later(HOUR + 1);
    assert.equal((await mails("signer12@example.com", /Reminder/)).length, 1);
    assert.equal((await mails("signer11@example.com", /Reminder/)).length, 1, "signed: no more");
    const stale = await t.app.database.db
      .selectFrom("recipients")
      .select("next_reminder_at")
      .where("id", "=", envelope.recipients[0].id)
      .executeTakeFirstOrThrow();
    assert.equal(stale.next_reminder_at, null, "the scheduler forgot what is no longer due");
  });

  it("uses the account's default policy, unless the envelope sets null", async () => {
    const patched = await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { reminders: { firstAfterDays: 1, everyDays: 1, max: 1 } },
    });
    assert.equal(patched.status, 200);
    const withDefault = await send({ recipients: [signer(21)] });
    assert.deepEqual(withDefault.reminders, { firstAfterDays: 1, everyDays: 1, max: 1 });
    const without = await send({ reminders: null, recipients: [signer(22)] });
    assert.equal(without.reminders, null);

    const draft = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Draft", documentIds: [doc.id], recipients: [signer(23)] },
    });
    assert.deepEqual(draft.body.reminders, { firstAfterDays: 1, everyDays: 1, max: 1 });
    const patched2 = await request(t.url, `/api/v1/envelopes/${draft.body.id}`, {
      method: "PATCH",
      key,
      json: { reminders: { firstAfterDays: 4, everyDays: 7, max: 2 } },
    });
    assert.deepEqual(patched2.body.reminders, { firstAfterDays: 4, everyDays: 7, max: 2 });
    for (const reminders of [
      { firstAfterDays: 0, everyDays: 1, max: 1 },
      { firstAfterDays: 1, everyDays: 1, max: 21 },
      { firstAfterDays: 1, everyDays: 1 },
      { firstAfterDays: 1.5, everyDays: 1, max: 1 },
      "weekly",
    ]) {
      const refused = await request(t.url, `/api/v1/envelopes/${draft.body.id}`, {
        method: "PATCH",
        key,
        json: { reminders },
      });
      assert.equal(refused.status, 400, JSON.stringify(reminders));
      assert.match(refused.body.error.param, /^reminders/);
    }
    assert.equal(without.recipients[0].nextReminderAt, null);
    await later(DAY);
    assert.equal((await mails("signer21@example.com", /Reminder/)).length, 1);
    assert.equal((await mails("signer22@example.com", /Reminder/)).length, 0);
    await request(t.url, "/api/v1/settings", { method: "PATCH", key, json: { reminders: null } });
  });

  it("reminds on demand, but not twice within an hour", async () => {
    const envelope = await send({ reminders: null, recipients: [signer(31), signer(32)] });
    const tooSoon = await request(t.url, `/api/v1/envelopes/${envelope.id}/remind`, {
      method: "POST",
      key,
    });
    assert.equal(tooSoon.status, 409);
    assert.equal(tooSoon.body.error.code, "reminder_too_soon");

    t.clock.advance(HOUR);
    const reminded = await request(t.url, `/api/v1/envelopes/${envelope.id}/remind`, {
      method: "POST",
      key,
    });
    assert.equal(reminded.status, 200, JSON.stringify(reminded.body));
    assert.equal(reminded.body.object, "envelope");
    assert.ok(
      reminded.body.recipients.every((r: any) => r.lastRemindedAt && r.remindersSent === 0),
    );
    await t.app.worker.runDue();
    assert.equal((await mails("signer31@example.com", /Reminder/)).length, 1);
    assert.equal((await mails("signer32@example.com", /Reminder/)).length, 1);
    const again = await request(t.url, `/api/v1/envelopes/${envelope.id}/remind`, {
      method: "POST",
      key,
    });
    assert.equal(again.body.error.code, "reminder_too_soon");

    const draft = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Draft", documentIds: [doc.id], recipients: [signer(33)] },
    });
    const notSent = await request(t.url, `/api/v1/envelopes/${draft.body.id}/remind`, {
      method: "POST",
      key,
    });
    assert.equal(notSent.status, 409);
    assert.equal(notSent.body.error.code, "envelope_not_sent");
    const unknown = await request(t.url, "/api/v1/envelopes/env_nope/remind", {
      method: "POST",
      key,
    });
    assert.equal(unknown.status, 404);
    const { secret: live } = await t.newKey(accountId, "live");
    const otherEnvironment = await request(t.url, `/api/v1/envelopes/${envelope.id}/remind`, {
      method: "POST",
      key: live,
    });
    assert.equal(otherEnvironment.status, 404);
  });

  it("expires 30 days after sending by default, or after the account's number of days", async () => {
    const envelope = await send({ recipients: [signer(41)] });
    assert.equal(
      envelope.expiresAt,
      new Date(Date.parse(envelope.sentAt) + 30 * DAY).toISOString(),
    );
    await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { expiresAfterDays: 5 },
    });
    const shorter = await send({ recipients: [signer(42)] });
    assert.equal(shorter.expiresAt, new Date(Date.parse(shorter.sentAt) + 5 * DAY).toISOString());
    const explicit = new Date(t.clock.now().getTime() + 90 * DAY).toISOString();
    const chosen = await send({ expiresAt: explicit, recipients: [signer(43)] });
    assert.equal(chosen.expiresAt, explicit);
    await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { expiresAfterDays: null },
    });
  });

  it("expires overdue envelopes: EXPIRED, the event, the emails, dead links, no more reminders", async () => {
    await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { senderEmails: ["ops@acme.example"] },
    });
    const hook = await request(t.url, "/api/v1/webhooks", {
      method: "POST",
      key,
      json: { url: `${receiver.url}/hooks`, events: ["envelope.expired"] },
    });
    assert.equal(hook.status, 201);
    const expiresAt = new Date(t.clock.now().getTime() + 3 * DAY).toISOString();
    const envelope = await send({
      expiresAt,
      reminders: { firstAfterDays: 1, everyDays: 1, max: 10 },
      signingOrder: "sequential",
      recipients: [signer(51, { locale: "tr" }), signer(52)],
    });
    await later(DAY);
    await later(DAY);
    await later(DAY - 1);
    assert.equal((await mails("signer51@example.com", /Hatırlatma/)).length, 2);
    const token = envelope.recipients[0].signUrl.split("/sign/")[1];
    await later(1);
    const expired = (await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key })).body;
    assert.equal(expired.status, "EXPIRED");
    assert.equal(expired.expiredAt, t.clock.now().toISOString());
    const types = (await eventsOf(envelope.id)).map((e) => e.type);
    assert.equal(types.filter((type) => type === "envelope.expired").length, 1);
    const [delivered] = receiver.received.map((r) => JSON.parse(r.body));
    assert.equal(delivered.type, "envelope.expired");
    assert.equal(delivered.data.envelope.id, envelope.id);
    assert.equal(delivered.data.envelope.status, "EXPIRED");

    const [toSigner] = await mails("signer51@example.com", /Süresi doldu/);
    assert.ok(toSigner);
    assert.equal((await mails("signer52@example.com", /./)).length, 0, "never invited, never told");
    const [toSender] = await mails("ops@acme.example", /Expired/);
    assert.match(toSender!.text, /Still waiting for: Signer 51, Signer 52\./);

    const link = await request(t.url, `/api/v1/signing/${token}`);
    assert.equal(link.status, 410);
    assert.equal(link.body.error.code, "envelope_expired");
    await later(5 * DAY);
    assert.equal((await mails("signer51@example.com", /Hatırlatma/)).length, 2, "no more");
    const remind = await request(t.url, `/api/v1/envelopes/${envelope.id}/remind`, {
      method: "POST",
      key,
    });
    assert.equal(remind.body.error.code, "envelope_finished");
    await request(t.url, "/api/v1/settings", { method: "PATCH", key, json: { senderEmails: [] } });
  });

  // better-sqlite3 is synchronous: two instances in one process would block each other.
  it("expires and reminds once with two instances on one PostgreSQL", {
    skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
  }, async () => {
    const second = await startTestServer({ database: t.database });
    try {
      second.clock.advance(t.clock.now().getTime() - second.clock.now().getTime());
      const expiring = await send({
        expiresAt: new Date(t.clock.now().getTime() + DAY).toISOString(),
        reminders: null,
        recipients: [signer(61)],
      });
      const reminding = await send({
        reminders: { firstAfterDays: 1, everyDays: 1, max: 1 },
        recipients: [signer(62)],
      });
      t.clock.advance(DAY);
      second.clock.advance(DAY);
      await Promise.all([t.app.worker.runDue(), second.app.worker.runDue()]);
      const expiredEvents = (await eventsOf(expiring.id)).filter(
        (e) => e.type === "envelope.expired",
      );
      assert.equal(expiredEvents.length, 1);
      const reminders = (await eventsOf(reminding.id)).filter(
        (e) => e.type === "recipient.reminded",
      );
      assert.equal(reminders.length, 1);
      assert.equal((await mails("signer62@example.com", /Reminder/)).length, 1);
    } finally {
      await second.close();
    }
  });
});
