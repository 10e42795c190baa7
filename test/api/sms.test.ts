import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { outboxEmails } from "../helpers/outbox.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("text messages through the HTTP provider", () => {
  let t: TestServer;
  let provider: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;
  let accountId: string;
  let doc: any;
  before(async () => {
    provider = await startReceiver(undefined, { events: false });
    t = await startTestServer({
      env: {
        CERTYNEO_SMS_URL: `${provider.url}/v1/messages`,
        CERTYNEO_SMS_TOKEN: "sms-provider-token",
        CERTYNEO_SMS_FROM: "Acme",
      },
    });
    ({ secret: key, accountId } = await t.newAccount("live"));
    doc = await uploadDocument(t.url, key);
  });
  after(async () => {
    await t.close();
    await provider.close();
  });

  const send = (recipient: Record<string, unknown>) =>
    sendEnvelope(t.url, key, {
      subject: "Offre d’emploi",
      documentIds: [doc.id],
      recipients: [recipient],
    });

  const smsTo = (phone: string) =>
    provider.received
      .map((r) => ({ ...r, json: JSON.parse(r.body) }))
      .filter((r) => r.json.to === phone);

  it("invites by SMS and email when asked, with the bearer token, and retries a failing provider", async () => {
    provider.answer(() => ({ status: 503 }));
    const envelope = await send(
      signer(1, { phone: "+33612345678", channels: ["email", "sms"], locale: "fr" }),
    );
    assert.equal(envelope.recipients[0].phone, "+33612345678");
    assert.deepEqual(envelope.recipients[0].channels, ["email", "sms"]);
    await t.app.worker.runDue();
    assert.equal(smsTo("+33612345678").length, 1, "tried once");
    const email = (await outboxEmails(t.database.env.CERTYNEO_DATA_DIR)).filter((m) =>
      m.to.includes("signer1@example.com"),
    );
    assert.equal(email.length, 1, "the email does not wait for the SMS");

    provider.answer(() => ({ status: 202 }));
    t.clock.advance(5_000);
    await t.app.worker.runDue();
    const [failed, delivered] = smsTo("+33612345678");
    assert.ok(delivered);
    assert.equal(failed!.path, "/v1/messages");
    assert.equal(delivered.headers.authorization, "Bearer sms-provider-token");
    assert.equal(delivered.headers["content-type"], "application/json");
    assert.equal(delivered.json.from, "Acme");
    assert.equal(
      delivered.json.text,
      `Test account vous invite à signer « Offre d’emploi » : ${envelope.recipients[0].signUrl}`,
    );

    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "live" },
      envelope.id,
    );
    const failures = events.filter((e) => e.type === "notification.failed");
    assert.equal(failures.length, 1);
    assert.equal((failures[0]!.data as any).channel, "sms");
    assert.match((failures[0]!.data as any).error, /SMS provider answered 503/);
    const sent = events.filter((e) => e.type === "notification.sent").map((e) => e.data as any);
    assert.deepEqual(sent.map((d) => d.channel).sort(), ["email", "sms"]);
  });

  it("sends the one-time code by SMS through the provider; a provider failure is a clear 503", async () => {
    const envelope = await send(signer(2, { phone: "+905321234567", auth: "sms_otp" }));
    const token = envelope.recipients[0].signUrl.split("/sign/")[1];
    provider.answer(() => ({ status: 500 }));
    const refused = await request(t.url, `/api/v1/signing/${token}/otp`, { method: "POST" });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "otp_delivery_failed");
    const failure = (
      await t.app.events.forEnvelope(
        t.app.database.db,
        { accountId, environment: "live" },
        envelope.id,
      )
    ).find((e) => e.type === "notification.failed");
    assert.deepEqual(
      (failure!.data as any).error,
      "SMS provider answered 500",
      "never what the provider answered: it may quote the code",
    );

    provider.answer(() => ({ status: 200 }));
    const accepted = await request(t.url, `/api/v1/signing/${token}/otp`, { method: "POST" });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const code = /\b(\d{6})\b/.exec(smsTo("+905321234567").at(-1)!.json.text)?.[1];
    assert.ok(code);
    const verified = await request(t.url, `/api/v1/signing/${token}/otp/verify`, {
      method: "POST",
      json: { code },
    });
    assert.equal(verified.status, 200);
  });

  it("refuses SMS invitations without a phone number", async () => {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "x", documentIds: [doc.id], recipients: [signer(3, { channels: ["sms"] })] },
    });
    assert.equal(created.status, 422);
    assert.equal(created.body.error.code, "recipient_phone_required");
    assert.equal(created.body.error.param, "recipients[0].phone");
    const unknownChannel = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "x",
        documentIds: [doc.id],
        recipients: [signer(3, { channels: ["pigeon"] })],
      },
    });
    assert.equal(unknownChannel.status, 400);
  });
});
