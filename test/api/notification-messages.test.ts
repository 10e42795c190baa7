import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.js";
import { run, withFile } from "../helpers/validators.js";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const tokenOf = (signUrl: string) => signUrl.split("/sign/")[1]!;

async function createAndSend(t: TestServer, key: string, body: Record<string, unknown>) {
  const doc = await uploadDocument(t.url, key);
  return sendEnvelope(t.url, key, { documentIds: [doc.id], ...body });
}

async function sign(t: TestServer, signUrl: string) {
  const signed = await request(t.url, `/api/v1/signing/${tokenOf(signUrl)}/sign`, {
    method: "POST",
    json: { consent: true, signature: { type: "typed", text: "Signed" } },
  });
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
}

async function pdfBytes(url: string, key?: string) {
  const response = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe("messages about how an envelope ends, over SMTP", () => {
  let smtp: TestSmtp;
  let t: TestServer;
  let key: string;
  let accountId: string;
  before(async () => {
    smtp = await startTestSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url } });
    ({ secret: key, accountId } = await t.newAccount());
    const settings = await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { senderEmails: ["Ops@Acme.example", "legal@acme.example"], senderLocale: "fr" },
    });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const mailsTo = (address: string) =>
    smtp.received.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw));

  it("sends the signed PDF to every recipient, CC included, and to the sender's addresses", async () => {
    const envelope = await createAndSend(t, key, {
      recipients: [
        signer(1, { locale: "fr" }),
        signer(2, { locale: "tr" }),
        { email: "cc1@example.com", name: "Copie", role: "CC" },
      ],
    });
    await sign(t, envelope.recipients[0].signUrl);
    await sign(t, envelope.recipients[1].signUrl);
    await t.app.worker.runDue();

    const signed = await pdfBytes(`${t.url}/api/v1/envelopes/${envelope.id}/signed-document`, key);
    assert.equal(signed.status, 200);
    for (const [address, subject] of [
      ["signer1@example.com", "[TEST] Terminé : « Contrat de prestation »"],
      ["signer2@example.com", "[TEST] Tamamlandı: “Contrat de prestation”"],
      ["cc1@example.com", "[TEST] Completed: “Contrat de prestation”"],
      ["ops@acme.example", "[TEST] Terminé : « Contrat de prestation »"],
      ["legal@acme.example", "[TEST] Terminé : « Contrat de prestation »"],
    ] as const) {
      const completed = mailsTo(address).filter((m) => m.subject === subject);
      assert.equal(completed.length, 1, `one completed email to ${address}`);
      const [mail] = completed;
      assert.ok(mail!.text.length > 0 && mail!.html.includes("<p>"), "plain text and HTML");
      assert.equal(mail!.attachments.length, 1);
      const [attachment] = mail!.attachments;
      assert.equal(attachment!.contentType, "application/pdf");
      assert.equal(attachment!.filename, "Contrat de prestation - signed.pdf");
      assert.equal(sha256(attachment!.content), sha256(signed.bytes), "the sealed PDF itself");
      assert.equal(mail!.headers.get("auto-submitted"), "auto-generated");
      assert.match(mail!.headers.get("message-id") ?? "", /^<ntf_\w+@127\.0\.0\.1>$/);
    }
    assert.match(mailsTo("cc1@example.com")[0]!.text, /Everyone has signed/);
    const toSigner = mailsTo("signer1@example.com").at(-1)!;
    assert.match(
      toSigner.headers.get("from") ?? "",
      /^"?Test account via Certyneo"? <no-reply@certyneo\.localhost>$/,
    );
    assert.equal(toSigner.headers.get("reply-to"), "ops@acme.example", "replies reach the sender");
    assert.equal(mailsTo("ops@acme.example").at(-1)!.headers.get("reply-to"), undefined);
    assert.match(mailsTo("ops@acme.example").at(-1)!.text, /Tout le monde a signé/);
    // The seal is what `pdfsig` checks; the attachment is that very file.
    const check = await withFile(
      mailsTo("signer1@example.com").at(-1)!.attachments[0]!.content,
      (file) => run("pdfsig", [file]),
    );
    assert.match(check.output, /Signature is Valid/);

    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      envelope.id,
    );
    const completedSent = events.filter(
      (e) => e.type === "notification.sent" && (e.data as any).kind === "completed",
    );
    assert.equal(completedSent.length, 5);
  });

  it("tells the sender and the other invited recipients who declined and why", async () => {
    const envelope = await createAndSend(t, key, {
      recipients: [signer(11), signer(12, { locale: "fr" })],
    });
    await t.app.worker.runDue();
    const declined = await request(
      t.url,
      `/api/v1/signing/${tokenOf(envelope.recipients[0].signUrl)}/decline`,
      { method: "POST", json: { reason: "Le montant est faux." } },
    );
    assert.equal(declined.status, 200);
    await t.app.worker.runDue();
    assert.equal(
      mailsTo("signer11@example.com").filter((m) => m.subject.includes("Declined")).length,
      0,
      "not to the one who declined",
    );
    const [other] = mailsTo("signer12@example.com").filter((m) => m.subject.includes("Refusé"));
    assert.ok(other);
    assert.match(other.text, /Signer 11 a refusé de signer « Contrat de prestation »/);
    assert.match(other.text, /Motif indiqué : Le montant est faux\./);
    const [ops] = mailsTo("ops@acme.example").filter((m) => m.subject.includes("Refusé"));
    assert.match(ops!.text, /Le montant est faux\./);
    assert.match(ops!.html, /Le montant est faux\./);
  });

  it("tells invited recipients that the sender cancelled, with the reason", async () => {
    const envelope = await createAndSend(t, key, {
      signingOrder: "sequential",
      recipients: [signer(21), signer(22)],
    });
    await t.app.worker.runDue();
    const voided = await request(t.url, `/api/v1/envelopes/${envelope.id}`, {
      method: "DELETE",
      key,
      json: { reason: "Wrong version of the contract" },
    });
    assert.equal(voided.status, 200);
    await t.app.worker.runDue();
    const [cancelled] = mailsTo("signer21@example.com").filter((m) =>
      m.subject.startsWith("[TEST] Cancelled"),
    );
    assert.ok(cancelled);
    assert.match(cancelled.text, /Reason given: Wrong version of the contract/);
    assert.equal(mailsTo("signer22@example.com").length, 0, "never invited, never told");
    assert.equal(
      mailsTo("ops@acme.example").filter((m) => m.subject.includes("Annulé")).length,
      0,
      "the sender cancelled it: no need to tell them",
    );
  });

  it("retries while SMTP is down, records each failure in the audit trail, then delivers", async () => {
    const envelope = await createAndSend(t, key, { recipients: [signer(31)] });
    await t.app.worker.runDue();
    smtp.accepting = false;
    await sign(t, envelope.recipients[0].signUrl);
    await t.app.worker.runDue();
    const before = mailsTo("signer31@example.com").length;
    t.clock.advance(5_000);
    await t.app.worker.runDue();
    assert.equal(mailsTo("signer31@example.com").length, before, "nothing while refused");

    smtp.accepting = true;
    t.clock.advance(30_000);
    await t.app.worker.runDue();
    const completed = mailsTo("signer31@example.com").filter((m) =>
      m.subject.includes("Completed"),
    );
    assert.equal(completed.length, 1);

    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      envelope.id,
    );
    const failures = events.filter((e) => e.type === "notification.failed");
    assert.ok(failures.length >= 2, "one event per failed attempt");
    assert.match((failures[0]!.data as any).error, /451|Try again later/);
    assert.ok((failures[0]!.data as any).nextAttemptAt);

    const log = await request(t.url, `/api/v1/envelopes/${envelope.id}/notifications`, { key });
    assert.equal(log.status, 200);
    assert.equal(log.body.object, "list");
    const completedRow = log.body.data.find(
      (n: any) => n.kind === "completed" && n.to === "signer31@example.com",
    );
    assert.equal(completedRow.object, "notification");
    assert.equal(completedRow.to, "signer31@example.com");
    assert.equal(completedRow.channel, "email");
    assert.equal(completedRow.state, "sent");
    assert.ok(completedRow.attempts >= 3, JSON.stringify(completedRow));
    assert.equal(completedRow.lastError, null);
    assert.ok(completedRow.sentAt);
    const invitationRow = log.body.data.find((n: any) => n.kind === "invitation");
    assert.equal(invitationRow.state, "sent");
    assert.equal(invitationRow.recipientId, envelope.recipients[0].id);
    const firstPage = await request(
      t.url,
      `/api/v1/envelopes/${envelope.id}/notifications?limit=1`,
      { key },
    );
    assert.equal(firstPage.body.data.length, 1);
    assert.equal(firstPage.body.hasMore, true);
    const unknown = await request(t.url, "/api/v1/envelopes/env_nope/notifications", { key });
    assert.equal(unknown.status, 404);

    const trail = await pdfBytes(`${t.url}/api/v1/envelopes/${envelope.id}/audit-trail`, key);
    const text = await withFile(
      trail.bytes,
      async (file) => (await run("pdftotext", [file, "-"])).output,
    );
    assert.match(text.replace(/\s+/g, " "), /notification\.failed/);
  });
});

describe("a signed PDF too large to attach", () => {
  let t: TestServer;
  let smtp: TestSmtp;
  let key: string;
  before(async () => {
    smtp = await startTestSmtp();
    t = await startTestServer({
      env: { SMTP_URL: smtp.url, CERTYNEO_MAIL_ATTACHMENT_MAX_BYTES: "1000" },
    });
    ({ secret: key } = await t.newAccount());
    await request(t.url, "/api/v1/settings", {
      method: "PATCH",
      key,
      json: { senderEmails: ["ops@acme.example"] },
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it("is linked instead: the recipient's link downloads it, the sender's points at the API", async () => {
    const envelope = await createAndSend(t, key, {
      recipients: [signer(41), { email: "cc41@example.com", name: "CC", role: "CC" }],
    });
    await sign(t, envelope.recipients[0].signUrl);
    await t.app.worker.runDue();
    const signed = await pdfBytes(`${t.url}/api/v1/envelopes/${envelope.id}/signed-document`, key);

    for (const address of ["signer41@example.com", "cc41@example.com"]) {
      const mail = smtp.received
        .filter((m) => m.to.includes(address))
        .map((m) => parseMail(m.raw))
        .find((m) => m.subject.includes("Completed"));
      assert.ok(mail, address);
      assert.equal(mail.attachments.length, 0);
      const link = /(http:\/\/\S+\/signed-document)/.exec(mail.text)?.[1];
      assert.ok(link, mail.text);
      const download = await pdfBytes(link.replace("http://127.0.0.1:3000", t.url));
      assert.equal(download.status, 200);
      assert.equal(sha256(download.bytes), sha256(signed.bytes));
    }
    const ops = smtp.received
      .filter((m) => m.to.includes("ops@acme.example"))
      .map((m) => parseMail(m.raw))
      .find((m) => m.subject.includes("Completed"));
    assert.ok(ops?.text.includes(`/api/v1/envelopes/${envelope.id}/signed-document`));
  });

  it("refuses the recipient's download before completion, and a wrong token", async () => {
    const envelope = await createAndSend(t, key, { recipients: [signer(42)] });
    const early = await request(
      t.url,
      `/api/v1/signing/${tokenOf(envelope.recipients[0].signUrl)}/signed-document`,
    );
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, "envelope_not_completed");
    const wrong = await request(t.url, `/api/v1/signing/${"x".repeat(43)}/signed-document`);
    assert.equal(wrong.status, 404);
  });
});
