import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { findChainBreak } from "../../src/domain/event-chain.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { latestCode, outboxEmails, outboxSms } from "../helpers/outbox.js";
import { signaturePngDataUrl } from "../helpers/png.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { pdftotext } from "../helpers/validators.js";

const PNG = signaturePngDataUrl();
/** Starts like a PNG, is not one. */
const pngHeaderOnly = `data:image/png;base64,${Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc(40, 7)]).toString("base64")}`;

describe("the signer API", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  let dataDir: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key, ["a4", "a4"]);
    dataDir = t.database.env.CERTYNEO_DATA_DIR;
  });
  after(() => t.close());

  /** Creates and sends an envelope; returns it with each recipient's token. */
  async function sent(body: Record<string, unknown>, secret = key) {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key: secret,
      json: {
        subject: "Contrat de prestation",
        documentIds: [body.documentId ?? doc.id],
        ...body,
        documentId: undefined,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const res = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key: secret,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const tokens = res.body.recipients.map((r: any) =>
      r.signUrl ? r.signUrl.split("/sign/")[1] : null,
    );
    return { envelope: res.body, tokens: tokens as string[] };
  }
  const view = (token: string, headers: Record<string, string> = {}) =>
    request(t.url, `/api/v1/signing/${token}`, { headers });
  const act = (token: string, action: string, json: unknown = {}) =>
    request(t.url, `/api/v1/signing/${token}/${action}`, {
      method: "POST",
      json,
      headers: { "user-agent": "Mozilla/5.0 (certyneo-test)" },
    });
  const envelopeOf = (id: string, secret = key) =>
    request(t.url, `/api/v1/envelopes/${id}`, { key: secret });
  const events = (id: string, environment: "test" | "live" = "test") =>
    t.app.events.forEnvelope(t.app.database.db, { accountId, environment }, id);

  it("shows the recipient their envelope, documents and fields, and records the first view", async () => {
    const { envelope, tokens } = await sent({
      recipients: [signer(1, { locale: "fr" })],
      message: "Bonjour",
    });
    const first = await view(tokens[0]!);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const v = first.body;
    assert.equal(v.envelope.id, envelope.id);
    assert.equal(v.envelope.subject, "Contrat de prestation");
    assert.equal(v.envelope.message, "Bonjour");
    assert.equal(v.envelope.accountName, "Test account");
    assert.deepEqual(v.envelope.documents, [
      { id: doc.id, name: "contrat.pdf", pages: 2, pageSizes: doc.pageSizes },
    ]);
    assert.equal(v.recipient.name, "Signer 1");
    assert.equal(v.recipient.status, "VIEWED");
    assert.equal(v.canAct, true);
    assert.equal(v.reason, null);
    assert.equal(v.otpRequired, false);
    assert.equal(v.fields.length, 1);
    assert.equal(v.fields[0].type, "signature");
    assert.equal(v.locale, "fr");
    assert.match(v.consentText, /J’ai lu les documents/);
    assert.equal(first.headers.get("cache-control"), "no-store");
    await view(tokens[0]!);
    const log = await events(envelope.id);
    assert.equal(log.filter((e) => e.type === "recipient.viewed").length, 1);
    assert.equal(
      (await envelopeOf(envelope.id)).body.recipients[0].viewedAt,
      t.clock.now().toISOString(),
    );

    const pdf = await fetch(`${t.url}/api/v1/signing/${tokens[0]}/documents/${doc.id}`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get("content-type"), "application/pdf");
    assert.equal((await pdf.arrayBuffer()).byteLength, doc.size);
    const foreign = await uploadDocument(t.url, key);
    const notHere = await request(t.url, `/api/v1/signing/${tokens[0]}/documents/${foreign.id}`);
    assert.equal(notHere.status, 404);
  });

  it("serves a displayed document by byte ranges, as a viewer reads a large PDF", async () => {
    const { tokens } = await sent({ recipients: [signer(1)] });
    const url = `/api/v1/signing/${tokens[0]}/documents/${doc.id}`;
    const whole = await fetch(`${t.url}${url}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    const bytes = Buffer.from(await whole.arrayBuffer());
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      ["bytes=100-", 100, bytes.length - 1],
      ["bytes=-50", bytes.length - 50, bytes.length - 1],
      [`bytes=10-${bytes.length + 1000}`, 10, bytes.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const part = await fetch(`${t.url}${url}`, { headers: { range } });
      assert.equal(part.status, 206, range);
      assert.equal(part.headers.get("content-range"), `bytes ${start}-${end}/${bytes.length}`);
      assert.equal(part.headers.get("content-length"), String(end - start + 1));
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(start, end + 1));
    }
    // Several ranges, or nonsense: the whole file, as the RFC allows.
    for (const range of ["bytes=0-1,5-6", "pages=1", "bytes=9-3"]) {
      const all = await fetch(`${t.url}${url}`, { headers: { range } });
      assert.equal(all.status, 200, range);
      assert.equal((await all.arrayBuffer()).byteLength, bytes.length);
    }
    const past = await request(t.url, url, { headers: { range: `bytes=${bytes.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.body.error.code, "range_not_satisfiable");
    assert.equal(past.headers.get("content-range"), `bytes */${bytes.length}`);
    // A viewer's many ranges count against the address's reads, not the link's (120 at once).
    for (let i = 0; i < 130; i++) {
      const part = await fetch(`${t.url}${url}`, { headers: { range: `bytes=${i}-${i + 9}` } });
      assert.equal(part.status, 206, `range request ${i + 1}`);
      await part.arrayBuffer();
    }
    // The sender's own download takes ranges too.
    const own = await fetch(`${t.url}/api/v1/documents/${doc.id}/content`, {
      headers: { authorization: `Bearer ${key}`, range: "bytes=0-7" },
    });
    assert.equal(own.status, 206);
    assert.equal(own.headers.get("etag"), `"${doc.sha256}"`, "a part carries the file's ETag");
    assert.deepEqual(Buffer.from(await own.arrayBuffer()), bytes.subarray(0, 8));
  });

  it("speaks the browser's language when the recipient has none", async () => {
    const { tokens } = await sent({ recipients: [signer(1)] });
    assert.match(
      (await view(tokens[0]!, { "accept-language": "de-DE,tr;q=0.8,en;q=0.5" })).body.consentText,
      /okudum/,
    );
    assert.equal((await view(tokens[0]!, { "accept-language": "ja" })).body.locale, "en");
  });

  it("refuses a link that is malformed or unknown", async () => {
    for (const token of ["abc", "A".repeat(43), `${"A".repeat(42)}!`]) {
      const res = await view(token);
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, "signing_link_invalid");
    }
  });

  it("signs in parallel, in any order, and completes with the last signature", async () => {
    const { envelope, tokens } = await sent({
      recipients: [
        signer(1),
        signer(2),
        { email: "boss@example.com", name: "Boss", role: "APPROVER" },
      ],
    });
    const second = await act(tokens[1]!, "sign", {
      consent: true,
      signature: { type: "drawn", image: PNG },
    });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual(second.body, { status: "SIGNED", envelopeStatus: "SENT" });
    const approved = await act(tokens[2]!, "sign", { consent: true });
    assert.deepEqual(approved.body, { status: "APPROVED", envelopeStatus: "SENT" });
    t.clock.advance(1000);
    const last = await act(tokens[0]!, "sign", {
      consent: true,
      signature: { type: "typed", text: "Signer One" },
    });
    assert.deepEqual(last.body, { status: "SIGNED", envelopeStatus: "COMPLETED" });

    const done = (await envelopeOf(envelope.id)).body;
    assert.equal(done.status, "COMPLETED");
    assert.equal(done.completedAt, t.clock.now().toISOString());
    assert.deepEqual(
      done.recipients.map((r: any) => r.status),
      ["SIGNED", "SIGNED", "APPROVED"],
    );
    assert.ok(done.recipients.every((r: any) => r.signedAt));
    const log = await events(envelope.id);
    assert.equal(findChainBreak(log), undefined);
    assert.deepEqual(
      log.filter((e) => e.type !== "recipient.invited").map((e) => e.type),
      [
        "envelope.created",
        "envelope.sent",
        "recipient.consented",
        "recipient.signed",
        "recipient.consented",
        "recipient.approved",
        "recipient.consented",
        "recipient.signed",
        "envelope.completed",
      ],
    );
    const consent = log.find((e) => e.type === "recipient.consented")!;
    assert.equal(consent.actorType, "recipient");
    assert.equal(consent.userAgent, "Mozilla/5.0 (certyneo-test)");
    assert.equal(consent.ip, "127.0.0.1");
    assert.match((consent.data as any).consentText, /I agree to sign them electronically/);
    const row = await t.app.database.db
      .selectFrom("recipients")
      .select(["signature_type", "signature_text", "signature_image_sha256"])
      .where("envelope_id", "=", envelope.id)
      .orderBy("position")
      .execute();
    assert.deepEqual(row[0], {
      signature_type: "typed",
      signature_text: "Signer One",
      signature_image_sha256: null,
    });
    assert.equal(row[1]!.signature_type, "drawn");
    assert.match(row[1]!.signature_image_sha256 ?? "", /^[0-9a-f]{64}$/);

    for (const token of tokens) {
      const gone = await view(token);
      assert.equal(gone.status, 410);
      assert.equal(gone.body.error.code, "envelope_completed");
    }
    const again = await act(tokens[0]!, "sign", {
      consent: true,
      signature: { type: "typed", text: "x" },
    });
    assert.equal(again.status, 410);
  });

  it("signs in sequence: only in turn, the next stage invited after each", async () => {
    const { envelope, tokens } = await sent({
      signingOrder: "sequential",
      recipients: [
        signer(1),
        { email: "boss@example.com", name: "The Boss", role: "APPROVER" },
        signer(3),
      ],
    });
    const early = await act(tokens[2]!, "sign", {
      consent: true,
      signature: { type: "typed", text: "Three" },
    });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, "not_your_turn");
    assert.match(early.body.error.message, /Signer 1/);
    const waiting = (await view(tokens[2]!)).body;
    assert.equal(waiting.canAct, false);
    assert.equal(waiting.reason, "not_your_turn");
    assert.deepEqual(waiting.waitingFor, ["Signer 1"]);
    assert.equal(waiting.recipient.status, "PENDING");

    await act(tokens[0]!, "sign", { consent: true, signature: { type: "typed", text: "One" } });
    let state = (await envelopeOf(envelope.id)).body;
    assert.deepEqual(
      state.recipients.map((r: any) => r.status),
      ["SIGNED", "SENT", "PENDING"],
    );
    assert.equal(
      (await act(tokens[2]!, "sign", { consent: true, signature: { type: "typed", text: "x" } }))
        .status,
      409,
    );
    await act(tokens[1]!, "sign", { consent: true });
    state = (await envelopeOf(envelope.id)).body;
    assert.deepEqual(
      state.recipients.map((r: any) => r.status),
      ["SIGNED", "APPROVED", "SENT"],
    );
    const twice = await act(tokens[1]!, "sign", { consent: true });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, "already_acted");
    const last = await act(tokens[2]!, "sign", {
      consent: true,
      signature: { type: "typed", text: "Three" },
    });
    assert.equal(last.body.envelopeStatus, "COMPLETED");
    const invited = (await events(envelope.id))
      .filter((e) => e.type === "recipient.invited")
      .map((e) => e.recipientId);
    assert.deepEqual(
      invited,
      state.recipients.map((r: any) => r.id),
    );
  });

  it("checks what a signature carries", async () => {
    const { tokens } = await sent({
      recipients: [
        signer(1, {
          fields: [
            {
              type: "signature",
              documentId: doc.id,
              page: 1,
              x: 72,
              y: 600,
              width: 170,
              height: 60,
            },
            {
              type: "text",
              documentId: doc.id,
              page: 1,
              x: 72,
              y: 100,
              width: 200,
              height: 20,
              label: "City",
            },
            { type: "date", documentId: doc.id, page: 1, x: 72, y: 130, width: 100, height: 20 },
            { type: "checkbox", documentId: doc.id, page: 1, x: 72, y: 160, width: 12, height: 12 },
            {
              type: "initials",
              documentId: doc.id,
              page: 2,
              x: 500,
              y: 780,
              width: 40,
              height: 20,
            },
          ],
        }),
        { email: "boss@example.com", name: "Boss", role: "APPROVER" },
      ],
    });
    const fields = (await view(tokens[0]!)).body.fields;
    const [, city, date, checkbox, initials] = fields.map((f: any) => f.id);
    const typed = { type: "typed", text: "Signer One" };
    const cases: [unknown, number, string][] = [
      [{ consent: false, signature: typed }, 400, "consent_required"],
      [{ consent: true }, 400, "signature_required"],
      [
        { consent: true, signature: { type: "drawn", image: "data:image/jpeg;base64,AAAA" } },
        400,
        "signature_invalid",
      ],
      [
        {
          consent: true,
          signature: {
            type: "drawn",
            image: `data:image/png;base64,${Buffer.from("GIF89a-not-png").toString("base64")}`,
          },
        },
        400,
        "signature_invalid",
      ],
      [{ consent: true, signature: { type: "typed", text: "   " } }, 400, "signature_invalid"],
      [{ consent: true, signature: typed, fields: { fld_nope: "x" } }, 400, "field_unknown"],
      [{ consent: true, signature: typed, fields: { [checkbox]: "true" } }, 400, "field_required"],
      [
        { consent: true, signature: typed, fields: { [city]: "Lyon", [checkbox]: "yes" } },
        400,
        "field_invalid",
      ],
      [{ consent: true, signature: typed, fields: { [city]: "Lyon" } }, 400, "field_required"],
      [{ consent: true, signature: typed, extra: 1 }, 400, "parameter_unknown"],
      [
        { consent: true, signature: { type: "drawn", image: pngHeaderOnly } },
        400,
        "signature_invalid",
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await act(tokens[0]!, "sign", body);
      assert.equal(res.status, status, `${code}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
    }
    const approverWithSignature = await act(tokens[1]!, "sign", {
      consent: true,
      signature: typed,
    });
    assert.equal(approverWithSignature.body.error.code, "signature_not_allowed");

    const ok = await act(tokens[0]!, "sign", {
      consent: true,
      signature: typed,
      fields: { [city]: "Lyon", [checkbox]: "true" },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const stored = await t.app.database.db
      .selectFrom("fields")
      .select(["id", "value"])
      .where("recipient_id", "=", (await view(tokens[1]!)).body.recipient.id)
      .execute();
    assert.deepEqual(stored, []);
    const values = Object.fromEntries(
      (
        await t.app.database.db
          .selectFrom("fields")
          .select(["id", "value"])
          .where("id", "in", [city, date, checkbox, initials])
          .execute()
      ).map((f) => [f.id, f.value]),
    );
    assert.deepEqual(values, {
      [city]: "Lyon",
      [date]: t.clock.now().toISOString().slice(0, 10),
      [checkbox]: "true",
      [initials]: "S1",
    });
  });

  it("tells the page where to send each recipient after acting: their own redirectUrl, else the envelope's", async () => {
    const { envelope, tokens } = await sent({
      redirectUrl: "https://crm.example.com/deals/42?tab=docs",
      recipients: [
        signer(1, { redirectUrl: "https://crm.example.com/signer-1" }),
        signer(2),
        { email: "boss@example.com", name: "Boss", role: "APPROVER" },
      ],
    });
    const shown = await Promise.all(tokens.map((token) => view(token)));
    assert.deepEqual(
      shown.map((res) => [res.status, res.body.redirectUrl]),
      [
        [200, "https://crm.example.com/signer-1"],
        [200, "https://crm.example.com/deals/42?tab=docs"],
        [200, "https://crm.example.com/deals/42?tab=docs"],
      ],
    );
    // The envelope still shows each recipient's own value, not the one inherited.
    assert.deepEqual(
      envelope.recipients.map((r: any) => r.redirectUrl),
      ["https://crm.example.com/signer-1", null, null],
    );

    const own = await sent({
      recipients: [signer(1), signer(2, { redirectUrl: "http://localhost:3001/back" })],
    });
    assert.equal((await view(own.tokens[0]!)).body.redirectUrl, null);
    assert.equal((await view(own.tokens[1]!)).body.redirectUrl, "http://localhost:3001/back");
  });

  it("signs with an uploaded image: checked, stored and stamped like a drawn one, recorded as uploaded", async () => {
    const { envelope, tokens } = await sent({ recipients: [signer(1)] });
    const uploaded = (image: string) => ({ consent: true, signature: { type: "uploaded", image } });
    const jpeg = Buffer.from("ffd8ffe000104a46494600010100000100010000ffd9", "hex");
    for (const image of [
      `data:image/jpeg;base64,${jpeg.toString("base64")}`,
      `data:image/png;base64,${jpeg.toString("base64")}`,
      "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
      "https://example.com/signature.png",
      pngHeaderOnly,
    ]) {
      const res = await act(tokens[0]!, "sign", uploaded(image));
      assert.equal(res.status, 400, `${image.slice(0, 30)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, "signature_invalid");
      assert.equal(res.body.error.param, "signature.image");
      assert.match(res.body.error.message, /uploaded signature/);
    }
    const huge = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc(1024 * 1024)]);
    const tooLarge = await act(
      tokens[0]!,
      "sign",
      uploaded(`data:image/png;base64,${huge.toString("base64")}`),
    );
    assert.equal(tooLarge.status, 400);
    assert.equal(tooLarge.body.error.code, "signature_image_too_large");
    assert.equal(tooLarge.body.error.message, "The uploaded signature image is larger than 1 MB.");
    assert.equal((await view(tokens[0]!)).body.recipient.status, "VIEWED", "nothing recorded");

    const signed = await act(tokens[0]!, "sign", uploaded(PNG));
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.deepEqual(signed.body, { status: "SIGNED", envelopeStatus: "COMPLETED" });
    const sha256 = createHash("sha256")
      .update(Buffer.from(PNG.split(",")[1]!, "base64"))
      .digest("hex");
    const row = await t.app.database.db
      .selectFrom("recipients")
      .select(["signature_type", "signature_text", "signature_image_sha256"])
      .where("envelope_id", "=", envelope.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, {
      signature_type: "uploaded",
      signature_text: null,
      signature_image_sha256: sha256,
    });
    const recorded = (await events(envelope.id)).find((e) => e.type === "recipient.signed")!;
    assert.equal((recorded.data as any).signatureType, "uploaded");
    assert.equal((recorded.data as any).signatureImageSha256, sha256);

    // Sealed with the image stamped, as a drawn one is; the audit trail names what it was.
    await t.app.worker.runDue();
    const done = (await envelopeOf(envelope.id)).body;
    assert.ok(done.sealedAt, JSON.stringify(done));
    assert.equal(done.sealingError, null);
    const trail = await fetch(`${t.url}/api/v1/envelopes/${envelope.id}/audit-trail`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(trail.status, 200);
    const text = await pdftotext(Buffer.from(await trail.arrayBuffer()));
    assert.match(text, /Signature: uploaded image/);
    assert.match(text, new RegExp(`Signature image: SHA-256 ${sha256}`));
  });

  it("asks for a one-time code by email; five wrong codes lock it", async () => {
    const { envelope, tokens } = await sent({ recipients: [signer(1, { auth: "email_otp" })] });
    const token = tokens[0]!;
    const v = (await view(token)).body;
    assert.equal(v.otpRequired, true);
    const blocked = await act(token, "sign", {
      consent: true,
      signature: { type: "typed", text: "One" },
    });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.error.code, "otp_required");

    const noneYet = await act(token, "otp/verify", { code: "000000" });
    assert.equal(noneYet.body.error.code, "otp_not_sent");
    const sentCode = await act(token, "otp");
    assert.equal(sentCode.status, 202, JSON.stringify(sentCode.body));
    assert.equal(sentCode.body.destination, "s••••••@example.com");
    const code = await latestCode(dataDir, "signer1@example.com");
    const mail = (await outboxEmails(dataDir)).at(-1)!;
    assert.equal(mail.to, "signer1@example.com");
    assert.match(mail.raw, new RegExp(`\\b${code}\\b`));
    assert.match(mail.raw, /Auto-Submitted: auto-generated/);
    const wrong = code === "111111" ? "222222" : "111111";
    for (let attempt = 1; attempt <= 4; attempt++) {
      const res = await act(token, "otp/verify", { code: wrong });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, "otp_invalid");
      assert.match(res.body.error.message, new RegExp(`${5 - attempt} attempt`));
    }
    const fifth = await act(token, "otp/verify", { code: wrong });
    assert.equal(fifth.body.error.code, "otp_locked");
    const tooLate = await act(token, "otp/verify", { code });
    assert.equal(tooLate.status, 401);
    assert.equal(tooLate.body.error.code, "otp_locked");

    await act(token, "otp");
    const fresh = await latestCode(dataDir, "signer1@example.com");
    const verified = await act(token, "otp/verify", { code: fresh });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal((await view(token)).body.recipient.verified, true);
    const signed = await act(token, "sign", {
      consent: true,
      signature: { type: "typed", text: "One" },
    });
    assert.equal(signed.status, 200);
    const types = (await events(envelope.id)).map((e) => e.type);
    assert.equal(types.filter((x) => x === "recipient.otp_sent").length, 2);
    assert.equal(types.filter((x) => x === "recipient.otp_failed").length, 7);
    assert.equal(types.filter((x) => x === "recipient.otp_verified").length, 1);
    const rows = await t.app.database.db
      .selectFrom("recipients")
      .selectAll()
      .where("envelope_id", "=", envelope.id)
      .execute();
    assert.ok(!JSON.stringify(rows).includes(fresh), "the code is never stored in clear");
  });

  it("lets a code expire after 10 minutes, and rate-limits sending", async () => {
    const { tokens } = await sent({ recipients: [signer(1, { auth: "email_otp" })] });
    const token = tokens[0]!;
    await act(token, "otp");
    const code = await latestCode(dataDir, "signer1@example.com");
    t.clock.advance(10 * 60 * 1000 + 1);
    const expired = await act(token, "otp/verify", { code });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, "otp_expired");
    // The bucket refilled meanwhile: three codes at once, then no more.
    for (let i = 0; i < 3; i++) assert.equal((await act(token, "otp")).status, 202);
    const limited = await act(token, "otp");
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "rate_limit_exceeded");
    const malformed = await act(token, "otp/verify", { code: "12345" });
    assert.equal(malformed.status, 400);
  });

  it("accepts 123456 in the test environment only, and sends SMS codes to the outbox", async () => {
    const test = await sent({
      recipients: [signer(1, { auth: "sms_otp", phone: "+33612345678" })],
    });
    assert.equal((await act(test.tokens[0]!, "otp/verify", { code: "123456" })).status, 200);

    const live = await t.newKey(accountId, "live");
    const liveDoc = await uploadDocument(t.url, live.secret);
    const liveEnvelope = await sent(
      {
        documentId: liveDoc.id,
        recipients: [signer(2, { auth: "sms_otp", phone: "+33612345679" })],
      },
      live.secret,
    );
    const token = liveEnvelope.tokens[0]!;
    const refused = await act(token, "otp/verify", { code: "123456" });
    assert.equal(refused.status, 401);
    const sms = await act(token, "otp");
    assert.equal(sms.body.destination, "+33•••••••79");
    const message = (await outboxSms(dataDir)).at(-1)!;
    assert.equal(message.to, "+33612345679");
    const code = /\d{6}/.exec(message.text)![0];
    assert.equal((await act(token, "otp/verify", { code })).status, 200);
  });

  it("declines with a reason; the envelope ends for everyone", async () => {
    const { envelope, tokens } = await sent({ recipients: [signer(1), signer(2)] });
    for (const reason of ["", "   "]) {
      const res = await act(tokens[0]!, "decline", { reason });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, "reason_required");
    }
    assert.equal((await act(tokens[0]!, "decline", {})).body.error.code, "parameter_missing");
    const declined = await act(tokens[0]!, "decline", { reason: "The price is wrong" });
    assert.deepEqual(declined.body, { status: "DECLINED" });
    const e = (await envelopeOf(envelope.id)).body;
    assert.equal(e.status, "DECLINED");
    assert.equal(e.declinedAt, t.clock.now().toISOString());
    assert.equal(e.recipients[0].declineReason, "The price is wrong");
    for (const token of tokens) {
      const res = await view(token);
      assert.equal(res.status, 410);
      assert.equal(res.body.error.code, "envelope_declined");
    }
    const log = await events(envelope.id);
    assert.deepEqual(
      log.slice(-2).map((x) => [x.type, (x.data as any).reason]),
      [
        ["recipient.declined", "The price is wrong"],
        ["envelope.declined", "The price is wrong"],
      ],
    );
  });

  it("kills the links of a voided or expired envelope", async () => {
    const voided = await sent({ recipients: [signer(1)] });
    await request(t.url, `/api/v1/envelopes/${voided.envelope.id}`, {
      method: "DELETE",
      key,
      json: { reason: "Oops" },
    });
    const v = await view(voided.tokens[0]!);
    assert.equal(v.status, 410);
    assert.equal(v.body.error.code, "envelope_voided");
    assert.equal((await act(voided.tokens[0]!, "otp")).status, 410);

    const expiring = await sent({
      recipients: [signer(1)],
      expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
    });
    assert.equal((await view(expiring.tokens[0]!)).status, 200);
    t.clock.advance(3600_000);
    const expired = await act(expiring.tokens[0]!, "sign", {
      consent: true,
      signature: { type: "typed", text: "x" },
    });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, "envelope_expired");
  });
});
