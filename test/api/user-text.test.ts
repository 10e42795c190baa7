import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sendEnvelope, uploadDocument } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { pdftotext } from "../helpers/validators.js";

const FORGERY =
  "\nStatus: COMPLETED\nRecipient: Fake Person <ceo@example.com>\r\n#99 2026-01-01T00:00:00.000Z envelope.completed";
const RLO = "\u202e";

async function fetchPdf(t: TestServer, key: string, path: string) {
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return {
    status: response.status,
    disposition: response.headers.get("content-disposition") ?? "",
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

describe("user text is always visibly user text", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  it("cannot forge lines of a declined envelope's sealed audit trail", async () => {
    const doc = await uploadDocument(t.url, key);
    const sent = await sendEnvelope(t.url, key, {
      subject: `Contract${FORGERY}`,
      documentIds: [doc.id],
      recipients: [
        { email: "a@example.com", name: `Alice${FORGERY}${RLO}evil`, role: "SIGNER" },
        { email: "b@example.com", name: "Bob", role: "SIGNER" },
      ],
    });
    await t.app.worker.runDue(); // the invitations
    const token = sent.recipients[0].signUrl.split("/sign/")[1];
    const declined = await request(t.url, `/api/v1/signing/${token}/decline`, {
      method: "POST",
      json: { reason: `No.${FORGERY}\u2028Status: COMPLETED` },
    });
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    await t.app.worker.runDue();

    const trail = await fetchPdf(t, key, `/api/v1/envelopes/${sent.id}/audit-trail`);
    assert.equal(trail.status, 200);
    const lines = (await pdftotext(trail.bytes, "-layout")).split("\n").map((line) => line.trim());
    assert.ok(lines.includes("Status: DECLINED"), "the platform's status line");
    for (const line of lines) {
      assert.doesNotMatch(line, /^Status: COMPLETED/, "no forged status line");
      assert.doesNotMatch(line, /^Recipient: Fake/, "no forged recipient line");
      assert.doesNotMatch(line, /^#99/, "no forged event line");
      assert.ok(!line.includes(RLO), "no right-to-left override");
    }
    const text = lines.join(" ");
    // The user's words are there, quoted after the platform's label, on the label's line.
    assert.ok(text.includes("Subject: “Contract Status: COMPLETED"), text);
    assert.ok(text.includes("Recipient: “Alice Status: COMPLETED"), text);
    assert.ok(text.includes("Reason: “No. Status: COMPLETED"), text);
  });

  it("keeps email subjects on one line and stamps one-line captions", async () => {
    const emails = await outboxEmails(t.app.config.dataDir);
    assert.ok(emails.length > 0);
    for (const email of emails) {
      const mail = parseMail(email.raw);
      assert.doesNotMatch(mail.subject, /[\r\n\u2028\u202e]/, mail.subject);
    }
    const invitation = emails.find((e) => e.to.includes("a@example.com"));
    assert.match(parseMail(invitation!.raw).subject, /Contract Status: COMPLETED Recipient/);

    const doc = await uploadDocument(t.url, key);
    const sent = await sendEnvelope(t.url, key, {
      subject: `Offer${RLO}fdp.exe\n2026`,
      documentIds: [doc.id],
      recipients: [{ email: "c@example.com", name: `Carol\nSigned: nobody${RLO}`, role: "SIGNER" }],
    });
    const token = sent.recipients[0].signUrl.split("/sign/")[1];
    const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: `Carol${RLO}\tC.` } },
    });
    assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
    await t.app.worker.runDue();
    const pdf = await fetchPdf(t, key, `/api/v1/envelopes/${sent.id}/signed-document`);
    assert.equal(pdf.status, 200);
    const stamped = await pdftotext(pdf.bytes, "-layout");
    assert.match(stamped, /Carol Signed: nobody — \d{4}-\d{2}-\d{2}/);
    assert.match(stamped, /Carol C\./);
    assert.ok(!stamped.includes(RLO));

    // The download's file name: no control or reordering character, in either form.
    assert.match(pdf.disposition, /^attachment; filename="Offerfdp\.exe 2026 - signed\.pdf"; /);
    assert.match(pdf.disposition, /filename\*=UTF-8''Offerfdp\.exe%202026%20-%20signed\.pdf$/);
    // And the copy attached to the message that it is signed.
    const completed = (await outboxEmails(t.app.config.dataDir))
      .filter((e) => e.to.includes("c@example.com"))
      .map((e) => parseMail(e.raw))
      .find((mail) => mail.attachments.length > 0);
    assert.equal(completed?.attachments[0]?.filename, "Offerfdp.exe 2026 - signed.pdf");
  });

  it("wraps long user text under its own mark, whole, and quotes the sender's message", async () => {
    const doc = await uploadDocument(t.url, key);
    // Words as wide as a line, so that "Status: DECLINED" would start a wrapped line.
    const subject = `${"W".repeat(100)} Status: DECLINED ${"Z".repeat(100)}`;
    const sent = await sendEnvelope(t.url, key, {
      subject: `${subject}${RLO}fdp.exe`,
      message: `Hello,\r\n\r\n\r\nSign here: https://evil.example${RLO}\u0007\nThanks`,
      documentIds: [doc.id],
      recipients: [{ email: "d@example.com", name: "Dora", role: "SIGNER" }],
    });
    await t.app.worker.runDue(); // the invitation
    const token = sent.recipients[0].signUrl.split("/sign/")[1];
    const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Dora" } },
    });
    assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
    await t.app.worker.runDue();

    const trail = await fetchPdf(t, key, `/api/v1/envelopes/${sent.id}/audit-trail`);
    assert.equal(trail.status, 200);
    for (const mode of [[], ["-layout"]]) {
      const lines = (await pdftotext(trail.bytes, ...mode)).split("\n").map((l) => l.trim());
      assert.ok(lines.includes("Status: COMPLETED"), "the platform's status line");
      for (const line of lines) assert.doesNotMatch(line, /^Status: DECLINED/, mode.join());
      const subjectLines = lines.slice(lines.findIndex((l) => l.startsWith("Subject: “")));
      const end = subjectLines.findIndex((l) => l.endsWith("fdp.exe”"));
      assert.ok(end > 0, "the subject wraps");
      for (const line of subjectLines.slice(1, end + 1)) assert.match(line, /^↳ /);
      // Every character printed, none off the page.
      const squeezed = subjectLines
        .slice(0, end + 1)
        .join("")
        .replace(/\s|↳/g, "");
      assert.equal(squeezed, `Subject:“${subject.replace(/\s/g, "")}fdp.exe”`);
    }

    const invitation = (await outboxEmails(t.app.config.dataDir))
      .filter((e) => e.to.includes("d@example.com"))
      .map((e) => parseMail(e.raw))
      .find((mail) => mail.text.includes("evil.example"))!;
    assert.match(
      invitation.text,
      /\n\n> Hello,\n>\n> Sign here: https:\/\/evil\.example\n> Thanks\n\n/,
      invitation.text,
    );
    assert.match(invitation.html, /<blockquote dir="auto"[^>]*>Hello,\n\nSign here/);
    assert.ok(!invitation.text.includes(RLO) && !invitation.html.includes(RLO));
    assert.ok(!invitation.text.includes("\u0007") && !invitation.html.includes("\u0007"));
  });
});
