import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.js";

const createAndSend = (t: TestServer, key: string, doc: any, body: Record<string, unknown>) =>
  sendEnvelope(t.url, key, { documentIds: [doc.id], ...body });

describe("invitation emails (outbox)", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  let dataDir: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
    dataDir = t.database.env.CERTYNEO_DATA_DIR;
  });
  after(() => t.close());

  const mailsTo = async (address: string) =>
    (await outboxEmails(dataDir)).filter((m) => m.to.includes(address));

  it("invites every signer and approver whose turn it is, with their link, never a CC", async () => {
    const envelope = await createAndSend(t, key, doc, {
      message: "Merci de signer avant vendredi.",
      recipients: [
        signer(11, { locale: "fr" }),
        { email: "approver11@example.com", name: "Approver", role: "APPROVER" },
        { email: "cc11@example.com", name: "CC", role: "CC" },
      ],
    });
    assert.equal(
      (await mailsTo("signer11@example.com")).length,
      0,
      "sent by the worker, after the commit",
    );
    await t.app.worker.runDue();
    const [french] = await mailsTo("signer11@example.com");
    assert.ok(french);
    const body = parseMail(french.raw).text;
    assert.ok(
      body.includes(envelope.recipients[0].signUrl),
      "the link in the email is the recipient's signUrl",
    );
    assert.match(body, /Bonjour Signer 11/);
    assert.match(body, /Relire et signer/);
    assert.match(body, /Merci de signer avant vendredi\./);
    assert.match(french.raw, /Content-Type: text\/plain/);
    assert.match(french.raw, /Content-Type: text\/html/);
    assert.match(french.raw, /Auto-Submitted: auto-generated/);
    assert.match(french.raw, /Message-ID: </);
    assert.doesNotMatch(body, /<img/);
    const [approver] = await mailsTo("approver11@example.com");
    assert.match(parseMail(approver!.raw).text, /Review and approve/);
    assert.equal((await mailsTo("cc11@example.com")).length, 0);

    const link = new URL(envelope.recipients[0].signUrl).pathname;
    assert.equal(
      (await request(t.url, link)).status,
      200,
      "the emailed link opens the signing page",
    );
    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      envelope.id,
    );
    const sentEvents = events
      .filter((e) => e.type === "notification.sent")
      .map((e) => (e.data as any).to);
    assert.deepEqual(sentEvents.sort(), ["approver11@example.com", "signer11@example.com"]);
  });

  it("sends the one-time code in a plain-text and an HTML part, in the recipient's language", async () => {
    const envelope = await createAndSend(t, key, doc, {
      recipients: [signer(15, { auth: "email_otp", locale: "tr" })],
    });
    const token = envelope.recipients[0].signUrl.split("/sign/")[1];
    const asked = await request(t.url, `/api/v1/signing/${token}/otp`, { method: "POST" });
    assert.equal(asked.status, 202);
    const [mail] = (await mailsTo("signer15@example.com")).map((m) => parseMail(m.raw));
    const code = /(\d{6})$/.exec(mail!.subject)?.[1];
    assert.ok(code, mail!.subject);
    assert.match(
      mail!.subject,
      /^\[TEST\] “Contrat de prestation” belgesini imzalamak için kodunuz/,
    );
    assert.ok(mail!.text.includes(`kodunuz ${code}.`));
    assert.ok(mail!.html.includes(`kodunuz ${code}.`));
    assert.equal(mail!.headers.get("auto-submitted"), "auto-generated");
    const verified = await request(t.url, `/api/v1/signing/${token}/otp/verify`, {
      method: "POST",
      json: { code },
    });
    assert.equal(verified.status, 200);
  });

  it("sends what an older version queued, and tells whom it invited then how the envelope ended", async () => {
    const envelope = await createAndSend(t, key, doc, { recipients: [signer(17), signer(18)] });
    const db = t.app.database.db;
    // The queue as an older version left it: one send_invitation job per recipient.invited
    // event, and no record of messages.
    const invited = (
      await t.app.events.forEnvelope(db, { accountId, environment: "test" }, envelope.id)
    ).filter((e) => e.type === "recipient.invited");
    await db.deleteFrom("jobs").where("envelope_id", "=", envelope.id).execute();
    await db.deleteFrom("notifications").where("envelope_id", "=", envelope.id).execute();
    await t.app.database.db.transaction().execute(async (trx) => {
      await t.app.jobs.enqueue(
        trx,
        "send_invitation",
        { id: envelope.id, scope: { accountId, environment: "test" } },
        invited[0]!.id,
      );
    });
    await t.app.worker.runDue();
    assert.equal((await mailsTo("signer17@example.com")).length, 1, "sent by the new worker");
    // signer18's invitation went out before the upgrade: no record, but invitedAt.
    await db
      .deleteFrom("notifications")
      .where("recipient_id", "=", envelope.recipients[1].id)
      .execute();
    await request(t.url, `/api/v1/envelopes/${envelope.id}`, { method: "DELETE", key });
    await t.app.worker.runDue();
    const cancelled = (await mailsTo("signer18@example.com")).map((m) => parseMail(m.raw));
    assert.deepEqual(
      cancelled.map((m) => m.subject),
      ["[TEST] Cancelled: “Contrat de prestation”"],
    );
  });

  it("invites the next stage only when the previous one has signed", async () => {
    const envelope = await createAndSend(t, key, doc, {
      signingOrder: "sequential",
      recipients: [signer(21), signer(22)],
    });
    await t.app.worker.runDue();
    assert.equal((await mailsTo("signer21@example.com")).length, 1);
    assert.equal((await mailsTo("signer22@example.com")).length, 0);
    const token = envelope.recipients[0].signUrl.split("/sign/")[1];
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "One" } },
    });
    await t.app.worker.runDue();
    assert.equal((await mailsTo("signer22@example.com")).length, 1);
  });

  it("sends nothing, not even the cancellation, for an envelope voided before the worker ran", async () => {
    const envelope = await createAndSend(t, key, doc, { recipients: [signer(31)] });
    await request(t.url, `/api/v1/envelopes/${envelope.id}`, { method: "DELETE", key });
    await t.app.worker.runDue();
    assert.equal((await mailsTo("signer31@example.com")).length, 0);
  });
});

describe("SMTP with authentication", () => {
  it("logs in with the credentials of SMTP_URL, and a wrong password is a recorded, retried failure", async () => {
    const smtp = await startTestSmtp({ auth: { user: "certyneo", pass: "s3cr3t p@ss" } });
    const port = new URL(smtp.url).port;
    const good = await startTestServer({
      env: { SMTP_URL: `smtp://certyneo:${encodeURIComponent("s3cr3t p@ss")}@127.0.0.1:${port}` },
    });
    const bad = await startTestServer({
      env: { SMTP_URL: `smtp://certyneo:wrong@127.0.0.1:${port}` },
    });
    try {
      for (const [t, n] of [
        [good, 51],
        [bad, 52],
      ] as const) {
        const { secret } = await t.newAccount();
        const document = await uploadDocument(t.url, secret);
        await sendEnvelope(t.url, secret, { documentIds: [document.id], recipients: [signer(n)] });
        await t.app.worker.runDue();
      }
      assert.deepEqual(
        smtp.received.map((m) => m.to),
        [["signer51@example.com"]],
      );
      const [failure] = await bad.app.database.db.selectFrom("notifications").selectAll().execute();
      assert.equal(failure!.state, "pending", "retried later");
      assert.match(failure!.last_error ?? "", /Invalid (login|username or password)|535/);
    } finally {
      await good.close();
      await bad.close();
      await smtp.close();
    }
  });
});

describe("invitation emails over SMTP", () => {
  let t: TestServer;
  let smtp: TestSmtp;
  let key: string;
  let doc: any;
  before(async () => {
    smtp = await startTestSmtp();
    t = await startTestServer({
      env: { SMTP_URL: smtp.url, CERTYNEO_MAIL_FROM: "Acme Signatures <sign@acme.example>" },
    });
    ({ secret: key } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it("delivers to a real SMTP server, and retries while it refuses", async () => {
    smtp.accepting = false;
    const envelope = await createAndSend(t, key, doc, { recipients: [signer(41)] });
    await t.app.worker.runDue();
    assert.equal(smtp.received.length, 0);
    const job = (
      await t.app.database.db
        .selectFrom("jobs")
        .selectAll()
        .where("envelope_id", "=", envelope.id)
        .execute()
    )[0]!;
    assert.equal(job.state, "pending");
    assert.match(job.last_error ?? "", /451|Try again later/);

    smtp.accepting = true;
    t.clock.advance(5_000);
    await t.app.worker.runDue();
    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.deepEqual(mail!.to, ["signer41@example.com"]);
    assert.equal(mail!.from, "sign@acme.example");
    assert.match(
      mail!.raw,
      /^From: "?Test account via Acme Signatures"? <sign@acme\.example>\r?$/m,
    );
    assert.ok(parseMail(mail!.raw).text.includes(envelope.recipients[0].signUrl));
  });
});
