import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { findChainBreak } from "../../src/domain/event-chain.js";
import { SigningTokens } from "../../src/security/signing-tokens.js";
import { optionalDateField, signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("envelopes", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let doc: any;
  let doc2: any;
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
    doc = await uploadDocument(t.url, key, ["a4", "a4"]);
    doc2 = await uploadDocument(t.url, key, ["letter"]);
  });
  after(() => t.close());

  const create = (body: unknown, secret = key) =>
    request(t.url, "/api/v1/envelopes", { method: "POST", key: secret, json: body });
  const get = (id: string, secret = key) =>
    request(t.url, `/api/v1/envelopes/${id}`, { key: secret });
  const send = (id: string, secret = key) =>
    request(t.url, `/api/v1/envelopes/${id}/send`, { method: "POST", key: secret });
  const patch = (id: string, body: unknown, secret = key) =>
    request(t.url, `/api/v1/envelopes/${id}`, { method: "PATCH", key: secret, json: body });
  const remove = (id: string, body?: unknown, secret = key) =>
    request(t.url, `/api/v1/envelopes/${id}`, {
      method: "DELETE",
      key: secret,
      ...(body ? { json: body } : {}),
    });
  const events = (id: string) =>
    t.app.events.forEnvelope(t.app.database.db, { accountId, environment: "test" }, id);

  it("creates and sends the largest envelope the contract allows: 50 signers of 100 fields each", async () => {
    const recipients = Array.from({ length: 50 }, (_, n) =>
      signer(n, {
        fields: Array.from({ length: 100 }, (_, i) => ({
          type: i === 0 ? "signature" : "text",
          documentId: doc.id,
          page: 1 + (i % 2),
          x: 10 + (i % 10) * 50,
          y: 10 + Math.floor(i / 10) * 60,
          width: 40,
          height: 20,
        })),
      }),
    );
    // 5,000 fields: more values than SQLite binds in one statement, written in several.
    const created = await create({ subject: "Large", documentIds: [doc.id], recipients });
    assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 500));
    assert.equal(created.body.recipients.length, 50);
    assert.ok(created.body.recipients.every((r: any) => r.fields.length === 100));
    const sent = await send(created.body.id);
    assert.equal(sent.status, 200, JSON.stringify(sent.body).slice(0, 500));
    assert.ok(sent.body.recipients.every((r: any) => r.status === "SENT" && r.signUrl));
    assert.deepEqual((await get(created.body.id)).body, sent.body);
    const types = (await events(created.body.id)).map((e) => e.type);
    assert.equal(types.filter((t) => t === "recipient.invited").length, 50);
    const invitations = await t.app.database.db
      .selectFrom("notifications")
      .select("address")
      .where("envelope_id", "=", created.body.id)
      .execute();
    assert.equal(new Set(invitations.map((n) => n.address)).size, 50);
  });

  it("gives the rows one write creates ids with a shared random head, and each envelope its own", async () => {
    const body = { subject: "Heads", documentIds: [doc.id], recipients: [signer(1), signer(2)] };
    const [first, second] = [(await create(body)).body, (await create(body)).body];
    const head = (id: string) => id.slice(id.indexOf("_") + 1, id.indexOf("_") + 9);
    const headsOf = (envelope: any) =>
      new Set(
        envelope.recipients
          .flatMap((r: any) => [r.id, ...r.fields.map((f: any) => f.id)])
          .map(head),
      );
    assert.equal(headsOf(first).size, 1, "recipients and fields of one create");
    assert.notDeepEqual(headsOf(first), headsOf(second));
    for (const id of [first.id, first.recipients[0].id, first.recipients[0].fields[0].id])
      assert.match(id, /^[a-z]+_[0-9A-Za-z]{24}$/);
    assert.equal((await send(first.id)).status, 200);
    const sendEvents = (await events(first.id)).filter((e) => e.type !== "envelope.created");
    assert.ok(sendEvents.length >= 3);
    assert.equal(new Set(sendEvents.map((e) => head(e.id))).size, 1, "the events of one send");
  });

  it("creates a DRAFT from the quick start's minimal body, with a signature field placed", async () => {
    const res = await create({
      subject: "Contrat de prestation",
      documentIds: [doc.id],
      recipients: [{ email: "client@example.com", name: "Marie Dubois", role: "SIGNER" }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const envelope = res.body;
    assert.match(envelope.id, /^env_[0-9A-Za-z]{24}$/);
    assert.equal(envelope.object, "envelope");
    assert.equal(envelope.status, "DRAFT");
    assert.equal(envelope.signingOrder, "parallel");
    assert.equal(envelope.environment, "test");
    assert.deepEqual(envelope.documents, [
      { id: doc.id, name: "contrat.pdf", pages: 2, sha256: doc.sha256 },
    ]);
    assert.deepEqual(envelope.metadata, {});
    assert.equal(envelope.message, null);
    assert.equal(envelope.sentAt, null);
    const [marie] = envelope.recipients;
    assert.match(marie.id, /^rcp_/);
    assert.equal(marie.status, "PENDING");
    assert.equal(marie.order, 1);
    assert.equal(marie.auth, "none");
    assert.equal(marie.signUrl, null);
    assert.equal(marie.fields.length, 1);
    const field = marie.fields[0];
    assert.equal(field.type, "signature");
    assert.equal(field.autoPlaced, true);
    assert.equal(field.documentId, doc.id);
    assert.equal(field.page, 2);
    assert.ok(field.x + field.width <= 595.28 && field.y + field.height <= 841.89);
    assert.deepEqual((await get(envelope.id)).body, envelope);
    assert.deepEqual(
      (await events(envelope.id)).map((e) => e.type),
      ["envelope.created"],
    );
  });

  it("keeps everything a full body gives", async () => {
    const res = await create({
      subject: "Avenant",
      message: "Merci de signer",
      documentIds: [doc.id, doc2.id],
      signingOrder: "sequential",
      expiresAt: "2027-01-15T12:00:00Z",
      metadata: { crmId: "42", team: "sales" },
      recipients: [
        signer(1, {
          auth: "email_otp",
          locale: "fr",
          fields: [
            {
              type: "signature",
              documentId: doc2.id,
              page: 1,
              x: 72,
              y: 650,
              width: 170,
              height: 60,
            },
            optionalDateField(doc.id),
          ],
        }),
        {
          email: "boss@example.com",
          name: "Boss",
          role: "APPROVER",
          order: 2,
          phone: "+33612345678",
          auth: "sms_otp",
        },
        { email: "legal@example.com", name: "Legal", role: "CC" },
      ],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const e = res.body;
    assert.equal(e.message, "Merci de signer");
    assert.equal(e.expiresAt, "2027-01-15T12:00:00.000Z");
    assert.deepEqual(e.metadata, { crmId: "42", team: "sales" });
    assert.deepEqual(
      e.documents.map((d: any) => d.id),
      [doc.id, doc2.id],
    );
    assert.deepEqual(
      e.recipients.map((r: any) => [r.role, r.order, r.auth]),
      [
        ["SIGNER", 1, "email_otp"],
        ["APPROVER", 2, "sms_otp"],
        ["CC", 3, "none"],
      ],
    );
    assert.equal(e.recipients[0].locale, "fr");
    assert.deepEqual(
      e.recipients[0].fields.map((f: any) => [f.type, f.required, f.label, f.autoPlaced]),
      [
        ["signature", true, null, false],
        ["date", false, "Date", false],
      ],
    );
    assert.deepEqual(e.recipients[1].fields, []);
  });

  it("refuses invalid bodies with the parameter at fault", async () => {
    const base = { subject: "S", documentIds: [doc.id], recipients: [signer(1)] };
    const cases: [unknown, number, string, string][] = [
      [{ documentIds: [doc.id], recipients: [] }, 400, "parameter_missing", "subject"],
      [
        { ...base, recipients: [{ email: "not-an-email", name: "X", role: "SIGNER" }] },
        400,
        "parameter_invalid",
        "recipients[0].email",
      ],
      [
        { ...base, recipients: [{ ...signer(1), role: "WITNESS" }] },
        400,
        "parameter_invalid",
        "recipients[0].role",
      ],
      [
        { ...base, recipients: [{ ...signer(1), colour: "red" }] },
        400,
        "parameter_unknown",
        "recipients[0].colour",
      ],
      [
        { ...base, recipients: [signer(1, { phone: "0612345678" })] },
        400,
        "parameter_invalid",
        "recipients[0].phone",
      ],
      [{ ...base, metadata: { n: 5 } }, 400, "parameter_invalid", "metadata.n"],
      [
        { ...base, metadata: { ["k".repeat(41)]: "v" } },
        400,
        "parameter_invalid",
        `metadata.${"k".repeat(41)}`,
      ],
      [{ ...base, signingOrder: "random" }, 400, "parameter_invalid", "signingOrder"],
      [{ ...base, documentIds: ["doc_nope"] }, 400, "document_not_found", "documentIds[0]"],
      [{ ...base, documentIds: [doc.id, doc.id] }, 400, "parameter_invalid", "documentIds[1]"],
      [{ ...base, expiresAt: "2020-01-01T00:00:00Z" }, 422, "expires_at_in_past", "expiresAt"],
      [
        { ...base, recipients: [signer(1, { phone: "+33012345678" })] },
        422,
        "recipient_phone_invalid",
        "recipients[0].phone",
      ],
      [
        { ...base, recipients: [signer(1, { phone: "+1555" + "0000000" })] },
        422,
        "recipient_phone_invalid",
        "recipients[0].phone",
      ],
      [
        { ...base, recipients: [signer(1, { auth: "sms_otp" })] },
        422,
        "recipient_phone_required",
        "recipients[0].phone",
      ],
      [
        {
          ...base,
          recipients: [
            signer(1, {
              fields: [
                {
                  type: "signature",
                  documentId: doc.id,
                  page: 1,
                  x: 500,
                  y: 10,
                  width: 170,
                  height: 60,
                },
              ],
            }),
          ],
        },
        422,
        "field_outside_page",
        "recipients[0].fields[0]",
      ],
      [
        {
          ...base,
          recipients: [
            signer(1),
            signer(2, {
              fields: [
                { type: "text", documentId: doc.id, page: 3, x: 1, y: 1, width: 10, height: 10 },
              ],
            }),
          ],
        },
        422,
        "field_page_out_of_range",
        "recipients[1].fields[0].page",
      ],
      [
        {
          ...base,
          recipients: [
            signer(1, {
              fields: [
                { type: "text", documentId: doc2.id, page: 1, x: 1, y: 1, width: 10, height: 10 },
              ],
            }),
          ],
        },
        422,
        "field_document_not_in_envelope",
        "recipients[0].fields[0].documentId",
      ],
      [
        {
          ...base,
          recipients: [
            {
              email: "a@example.com",
              name: "A",
              role: "CC",
              fields: [
                { type: "text", documentId: doc.id, page: 1, x: 1, y: 1, width: 10, height: 10 },
              ],
            },
          ],
        },
        422,
        "fields_not_allowed",
        "recipients[0].fields",
      ],
    ];
    const before = (await request(t.url, "/api/v1/envelopes?limit=100", { key })).body.data.length;
    for (const [body, status, code, param] of cases) {
      const res = await create(body);
      assert.equal(res.status, status, `${code}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.error.param, param, code);
    }
    assert.equal(
      (await request(t.url, "/api/v1/envelopes?limit=100", { key })).body.data.length,
      before,
    );
  });

  it("sends in parallel: every signer and approver invited with a signUrl, CC waits", async () => {
    const created = await create({
      subject: "Parallel",
      documentIds: [doc.id],
      recipients: [
        signer(1),
        signer(2),
        { email: "a@example.com", name: "A", role: "APPROVER" },
        { email: "cc@example.com", name: "CC", role: "CC" },
      ],
    });
    t.clock.advance(1000);
    const res = await send(created.body.id);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const e = res.body;
    assert.equal(e.status, "SENT");
    assert.equal(e.sentAt, t.clock.now().toISOString());
    assert.deepEqual(
      e.recipients.map((r: any) => r.status),
      ["SENT", "SENT", "SENT", "PENDING"],
    );
    const urls = e.recipients.map((r: any) => r.signUrl);
    assert.equal(urls[3], null);
    const tokens = urls.slice(0, 3).map((u: string) => {
      const match = /^http:\/\/127\.0\.0\.1:3000\/sign\/([0-9A-Za-z]{43})$/.exec(u);
      assert.ok(match, u);
      return match[1]!;
    });
    assert.equal(new Set(tokens).size, 3);
    // Stored only as a hash; the same link is shown again later.
    const rows = await t.app.database.db
      .selectFrom("recipients")
      .select(["id", "token_hash"])
      .where("envelope_id", "=", e.id)
      .orderBy("position")
      .execute();
    for (const [i, row] of rows.slice(0, 3).entries()) {
      assert.equal(row.token_hash, SigningTokens.hash(tokens[i]!));
    }
    // The CC has no signUrl, but a link of their own for the signed copy once completed.
    assert.equal(rows[3]!.token_hash?.length, 64);
    assert.deepEqual(
      (await get(e.id)).body.recipients.map((r: any) => r.signUrl),
      urls,
    );
    const log = await events(e.id);
    assert.deepEqual(
      log.map((x) => x.type),
      [
        "envelope.created",
        "envelope.sent",
        "recipient.invited",
        "recipient.invited",
        "recipient.invited",
      ],
    );
    assert.equal(findChainBreak(log), undefined);
    assert.equal(log[1]!.actorType, "api_key");
    assert.equal(log[1]!.ip, "127.0.0.1");
    assert.equal(log[1]!.userAgent, "node");
  });

  it("sends in sequence: only the first stage is invited; equal orders share a stage", async () => {
    const created = await create({
      subject: "Sequential",
      signingOrder: "sequential",
      documentIds: [doc.id],
      recipients: [
        signer(1, { order: 1 }),
        signer(2, { order: 2 }),
        signer(3, { order: 2 }),
        signer(4, { order: 3 }),
      ],
    });
    const e = (await send(created.body.id)).body;
    assert.deepEqual(
      e.recipients.map((r: any) => r.status),
      ["SENT", "PENDING", "PENDING", "PENDING"],
    );
    assert.ok(e.recipients.every((r: any) => r.signUrl));

    const tied = await create({
      subject: "Tie",
      signingOrder: "sequential",
      documentIds: [doc.id],
      recipients: [signer(1, { order: 1 }), signer(2, { order: 1 }), signer(3, { order: 2 })],
    });
    assert.deepEqual(
      (await send(tied.body.id)).body.recipients.map((r: any) => r.status),
      ["SENT", "SENT", "PENDING"],
    );

    const defaults = await create({
      subject: "Default order",
      signingOrder: "sequential",
      documentIds: [doc.id],
      recipients: [signer(1), signer(2)],
    });
    assert.deepEqual(
      defaults.body.recipients.map((r: any) => r.order),
      [1, 2],
    );
  });

  it("refuses to send what cannot be signed", async () => {
    const noDocs = await create({ subject: "No docs", documentIds: [], recipients: [signer(1)] });
    assert.equal(noDocs.status, 201);
    const r1 = await send(noDocs.body.id);
    assert.equal(r1.status, 422);
    assert.equal(r1.body.error.code, "envelope_has_no_documents");
    const noSigner = await create({
      subject: "No signer",
      documentIds: [doc.id],
      recipients: [{ email: "cc@example.com", name: "CC", role: "CC" }],
    });
    const r2 = await send(noSigner.body.id);
    assert.equal(r2.status, 422);
    assert.equal(r2.body.error.code, "envelope_has_no_signer");
    const expiring = await create({
      subject: "Soon",
      documentIds: [doc.id],
      recipients: [signer(1)],
      expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    t.clock.advance(120_000);
    const r3 = await send(expiring.body.id);
    assert.equal(r3.status, 422);
    assert.equal(r3.body.error.code, "expires_at_in_past");
    assert.equal((await get(noDocs.body.id)).body.status, "DRAFT");
  });

  it("updates a draft, field by field", async () => {
    const created = (
      await create({
        subject: "Draft",
        documentIds: [doc.id],
        recipients: [signer(1)],
        metadata: { a: "1" },
      })
    ).body;
    t.clock.advance(1000);
    const subject = await patch(created.id, { subject: "Renamed", message: "Hello" });
    assert.equal(subject.status, 200, JSON.stringify(subject.body));
    assert.equal(subject.body.subject, "Renamed");
    assert.equal(subject.body.message, "Hello");
    assert.deepEqual(subject.body.metadata, { a: "1" });
    assert.equal(subject.body.recipients[0].id, created.recipients[0].id);
    assert.equal(subject.body.updatedAt, t.clock.now().toISOString());

    const docs = await patch(created.id, { documentIds: [doc2.id] });
    assert.deepEqual(
      docs.body.documents.map((d: any) => d.id),
      [doc2.id],
    );
    assert.equal(
      docs.body.recipients[0].fields[0].documentId,
      doc2.id,
      "automatic field follows the documents",
    );

    const people = await patch(created.id, {
      recipients: [signer(7), signer(8)],
      signingOrder: "sequential",
    });
    assert.deepEqual(
      people.body.recipients.map((r: any) => [r.email, r.order]),
      [
        ["signer7@example.com", 1],
        ["signer8@example.com", 2],
      ],
    );
    assert.notEqual(people.body.recipients[0].id, created.recipients[0].id);

    const cleared = await patch(created.id, { message: null, expiresAt: null });
    assert.equal(cleared.body.message, null);

    const bad = await patch(created.id, {
      documentIds: [doc.id],
      recipients: [
        signer(1, {
          fields: [{ type: "text", documentId: doc2.id, page: 1, x: 1, y: 1, width: 1, height: 1 }],
        }),
      ],
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      (await get(created.id)).body.documents.map((d: any) => d.id),
      [doc2.id],
      "a refused patch changes nothing",
    );
    const unknown = await patch(created.id, { status: "SENT" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "parameter_unknown");
    assert.deepEqual(
      (await events(created.id)).map((e) => e.type),
      [
        "envelope.created",
        "envelope.updated",
        "envelope.updated",
        "envelope.updated",
        "envelope.updated",
      ],
    );
  });

  it("keeps the envelope's redirectUrl and each recipient's own; PATCH null clears the envelope's", async () => {
    const created = await create({
      subject: "Redirects",
      documentIds: [doc.id],
      redirectUrl: "https://crm.example.com/deals/42?tab=docs#signed",
      recipients: [
        // http: is accepted with a test key, for an integration running on a laptop.
        signer(1, { redirectUrl: "http://localhost:8080/after-signing" }),
        signer(2),
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const e = created.body;
    assert.equal(e.redirectUrl, "https://crm.example.com/deals/42?tab=docs#signed");
    assert.deepEqual(
      e.recipients.map((r: any) => r.redirectUrl),
      ["http://localhost:8080/after-signing", null],
      "each recipient shows its own, not the envelope's",
    );
    assert.deepEqual((await get(e.id)).body, e);
    const listed = (await request(t.url, "/api/v1/envelopes?limit=100", { key })).body.data;
    assert.deepEqual(
      listed.find((x: any) => x.id === e.id),
      e,
    );

    // Another field changed: both are kept, and the recipients keep theirs.
    const renamed = await patch(e.id, { subject: "Redirects (2)" });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.redirectUrl, e.redirectUrl);
    assert.deepEqual(
      renamed.body.recipients.map((r: any) => r.redirectUrl),
      ["http://localhost:8080/after-signing", null],
    );
    const changed = await patch(e.id, { redirectUrl: "https://crm.example.com/other" });
    assert.equal(changed.body.redirectUrl, "https://crm.example.com/other");
    const cleared = await patch(e.id, { redirectUrl: null });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.equal(cleared.body.redirectUrl, null);
    assert.equal(cleared.body.recipients[0].redirectUrl, "http://localhost:8080/after-signing");
    assert.equal((await get(e.id)).body.redirectUrl, null);
    // New recipients replace the old ones, with whatever redirectUrl they give (none here).
    const replaced = await patch(e.id, { recipients: [signer(3)] });
    assert.equal(replaced.body.recipients[0].redirectUrl, null);
    const sent = await send(e.id);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.redirectUrl, null);
  });

  it("refuses a redirectUrl that is not an absolute https: URL (http: too with a test key)", async () => {
    const base = { subject: "S", documentIds: [doc.id], recipients: [signer(1)] };
    const refused: [string, string][] = [
      ["javascript:alert(document.cookie)", "The scheme javascript: is not accepted"],
      ["data:text/html,<script>alert(1)</script>", "The scheme data: is not accepted"],
      ["/after-signing", "not an absolute URL"],
      ["crm.example.com/done", "not an absolute URL"],
      ["ftp://files.example.com/", "The scheme ftp: is not accepted"],
      ["https://user:secret@crm.example.com/", "user name or password"],
      ["https://admin@crm.example.com/", "user name or password"],
      ["https://crm.example.com/a b", "spaces or control characters"],
      ["java\tscript:alert(1)", "spaces or control characters"],
      [`https://crm.example.com/${"a".repeat(2000)}`, "characters long"],
    ];
    for (const [url, why] of refused) {
      for (const [body, param] of [
        [{ ...base, redirectUrl: url }, "redirectUrl"],
        [
          { ...base, recipients: [signer(1), signer(2, { redirectUrl: url })] },
          "recipients[1].redirectUrl",
        ],
      ] as const) {
        const res = await create(body);
        assert.equal(res.status, 422, `${url}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.type, "invalid_request_error");
        assert.equal(res.body.error.code, "redirect_url_invalid");
        assert.equal(res.body.error.param, param);
        assert.ok(res.body.error.message.includes(why), res.body.error.message);
        // The message says what is accepted.
        assert.match(res.body.error.message, /an https: or http: URL, absolute/);
      }
    }
    const longest = `https://crm.example.com/${"a".repeat(2000 - 24)}`;
    assert.equal(longest.length, 2000);
    assert.equal((await create({ ...base, redirectUrl: longest })).status, 201);
    const draft = (await create(base)).body;
    const patched = await patch(draft.id, { redirectUrl: "javascript:alert(1)" });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.error.code, "redirect_url_invalid");
    assert.equal((await get(draft.id)).body.redirectUrl, null, "a refused patch changes nothing");
    assert.equal((await patch(draft.id, { redirectUrl: 42 })).body.error.code, "parameter_invalid");
  });

  it("accepts only https: redirectUrls with a live key", async () => {
    // An account of its own: the other tests expect this account's live environment empty.
    const live = await t.newAccount("live");
    const liveDoc = await uploadDocument(t.url, live.secret);
    const base = { subject: "Live", documentIds: [liveDoc.id], recipients: [signer(1)] };
    for (const [body, param] of [
      [{ ...base, redirectUrl: "http://crm.example.com/done" }, "redirectUrl"],
      [
        { ...base, recipients: [signer(1, { redirectUrl: "http://localhost:8080/" })] },
        "recipients[0].redirectUrl",
      ],
    ] as const) {
      const res = await create(body, live.secret);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "redirect_url_invalid");
      assert.equal(res.body.error.param, param);
      assert.match(res.body.error.message, /http: is not accepted in the live environment/);
      assert.match(res.body.error.message, /A redirectUrl is an https: URL, absolute/);
    }
    const ok = await create(
      {
        ...base,
        redirectUrl: "https://crm.example.com/done",
        recipients: [signer(1, { redirectUrl: "https://crm.example.com/signer" })],
      },
      live.secret,
    );
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.redirectUrl, "https://crm.example.com/done");
    assert.equal(ok.body.recipients[0].redirectUrl, "https://crm.example.com/signer");
    const draft = (await create(base, live.secret)).body;
    const patched = await patch(draft.id, { redirectUrl: "http://crm.example.com/" }, live.secret);
    assert.equal(patched.status, 422);
    assert.equal(patched.body.error.param, "redirectUrl");
  });

  it("applies PATCH, DELETE and send according to the state", async () => {
    const draft = (
      await create({ subject: "States", documentIds: [doc.id], recipients: [signer(1)] })
    ).body;
    const sent = (await send(draft.id)).body;
    assert.equal(sent.status, "SENT");

    const again = await send(draft.id);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "envelope_not_draft");
    const edit = await patch(draft.id, { subject: "Too late" });
    assert.equal(edit.status, 409);
    assert.equal(edit.body.error.code, "envelope_not_draft");

    t.clock.advance(1000);
    const voided = await remove(draft.id, { reason: "Wrong version of the contract" });
    assert.equal(voided.status, 200, JSON.stringify(voided.body));
    assert.equal(voided.body.status, "VOIDED");
    assert.equal(voided.body.voidReason, "Wrong version of the contract");
    assert.equal(voided.body.voidedAt, t.clock.now().toISOString());

    for (const res of [
      await remove(draft.id),
      await send(draft.id),
      await patch(draft.id, { subject: "x" }),
    ]) {
      assert.equal(res.status, 409);
    }
    assert.equal((await remove(draft.id)).body.error.code, "envelope_finished");
    const log = await events(draft.id);
    assert.deepEqual(
      log.map((e) => e.type),
      ["envelope.created", "envelope.sent", "recipient.invited", "envelope.voided"],
    );
    assert.deepEqual(log[3]!.data, { reason: "Wrong version of the contract" });
    assert.equal(findChainBreak(log), undefined);

    const toDelete = (
      await create({ subject: "Bye", documentIds: [doc.id], recipients: [signer(1)] })
    ).body;
    const deleted = await remove(toDelete.id);
    assert.deepEqual(deleted.body, { id: toDelete.id, object: "envelope", deleted: true });
    assert.equal((await get(toDelete.id)).status, 404);
    assert.equal((await remove(toDelete.id)).status, 404);
    assert.equal((await send(toDelete.id)).body.error.code, "envelope_not_found");
  });

  it("sends once under concurrent requests, with one unbroken event chain", async () => {
    const envelope = (
      await create({ subject: "Race", documentIds: [doc.id], recipients: [signer(1), signer(2)] })
    ).body;
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => send(envelope.id)),
      patch(envelope.id, { subject: "Raced" }),
      remove(envelope.id, { reason: "race" }),
    ]);
    const sends = results.slice(0, 4).map((r) => r.status);
    assert.ok(sends.filter((s) => s === 200).length <= 1, sends.join(","));
    for (const r of results)
      assert.ok([200, 409].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
    const log = await events(envelope.id);
    assert.equal(findChainBreak(log), undefined);
    assert.ok(log.filter((e) => e.type === "envelope.sent").length <= 1);
    const final = await get(envelope.id);
    if (final.status === 404) {
      assert.equal(results[5]!.body.deleted, true, "only a draft deletion removes it");
    } else {
      const sent = sends.includes(200);
      assert.equal(
        final.body.status,
        sent ? (results[5]!.status === 200 ? "VOIDED" : "SENT") : "DRAFT",
      );
    }
  });

  it("refuses PATCH, send and DELETE on every finished envelope", async () => {
    // COMPLETED, DECLINED and EXPIRED are reached through signing and the scheduler; the
    // API's answers depend only on the status, so the status is set directly here.
    for (const status of ["COMPLETED", "DECLINED", "EXPIRED", "VOIDED"]) {
      const envelope = (
        await create({ subject: status, documentIds: [doc.id], recipients: [signer(1)] })
      ).body;
      await send(envelope.id);
      await t.app.database.db
        .updateTable("envelopes")
        .set({ status })
        .where("id", "=", envelope.id)
        .execute();
      const edit = await patch(envelope.id, { subject: "x" });
      assert.equal(edit.status, 409, status);
      assert.equal(edit.body.error.code, "envelope_not_draft", status);
      const resend = await send(envelope.id);
      assert.equal(resend.status, 409, status);
      assert.equal(resend.body.error.code, "envelope_not_draft", status);
      const del = await remove(envelope.id);
      assert.equal(del.status, 409, status);
      assert.equal(del.body.error.code, "envelope_finished", status);
      assert.match(del.body.error.message, new RegExp(status));
      assert.equal((await get(envelope.id)).body.status, status);
    }
  });

  it("lists newest first, filters by status, pages with a cursor", async () => {
    const account = await t.newAccount();
    const d = await uploadDocument(t.url, account.secret);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      ids.push(
        (
          await create(
            { subject: `E${i}`, documentIds: [d.id], recipients: [signer(i)] },
            account.secret,
          )
        ).body.id,
      );
    }
    await send(ids[1]!, account.secret);
    const all = await request(t.url, "/api/v1/envelopes?limit=2", { key: account.secret });
    assert.deepEqual(
      all.body.data.map((e: any) => e.id),
      [ids[2], ids[1]],
    );
    assert.equal(all.body.hasMore, true);
    const rest = await request(t.url, `/api/v1/envelopes?limit=2&after=${all.body.nextCursor}`, {
      key: account.secret,
    });
    assert.deepEqual(
      rest.body.data.map((e: any) => e.id),
      [ids[0]],
    );
    const drafts = await request(t.url, "/api/v1/envelopes?status=DRAFT", { key: account.secret });
    assert.deepEqual(
      drafts.body.data.map((e: any) => e.id),
      [ids[2], ids[0]],
    );
    const sentOnly = await request(t.url, "/api/v1/envelopes?status=SENT", { key: account.secret });
    assert.deepEqual(
      sentOnly.body.data.map((e: any) => e.id),
      [ids[1]],
    );
    assert.ok(sentOnly.body.data[0].recipients[0].signUrl);
    const bad = await request(t.url, "/api/v1/envelopes?status=sent", { key: account.secret });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, "status");
    // Search: the subject, or a recipient's name or email, in any case; % and _ are literal.
    const search = async (q: string, status = "") =>
      (
        await request(
          t.url,
          `/api/v1/envelopes?q=${encodeURIComponent(q)}${status && `&status=${status}`}`,
          { key: account.secret },
        )
      ).body.data.map((e: any) => e.id);
    assert.deepEqual(await search("e1"), [ids[1]]);
    assert.deepEqual(await search("SIGNER2@EXAMPLE"), [ids[2]]);
    assert.deepEqual(await search("signer 0"), [ids[0]]);
    assert.deepEqual(await search("signer", "DRAFT"), [ids[2], ids[0]]);
    assert.deepEqual(await search("%"), []);
    assert.deepEqual(await search("_1"), []);
    assert.deepEqual(await search("  "), [ids[2], ids[1], ids[0]]);
  });

  it("exports an envelope's events with their hash chain, which recomputes", async () => {
    const account = await t.newAccount();
    const d = await uploadDocument(t.url, account.secret);
    const created = await create(
      { subject: "History", documentIds: [d.id], recipients: [signer(1)] },
      account.secret,
    );
    await send(created.body.id, account.secret);
    const answer = await request(t.url, `/api/v1/envelopes/${created.body.id}/events`, {
      key: account.secret,
    });
    assert.equal(answer.status, 200);
    const events = answer.body.data;
    assert.deepEqual(events.map((e: any) => [e.sequence, e.type, e.actor.type]).slice(0, 2), [
      [1, "envelope.created", "api_key"],
      [2, "envelope.sent", "api_key"],
    ]);
    // Anyone holding the export can recompute the chain, event by event.
    const asStored = events.map((e: any) => ({
      ...e,
      envelopeId: created.body.id,
      actorType: e.actor.type,
      actorId: e.actor.id,
    }));
    assert.equal(findChainBreak(asStored), undefined);
    asStored[0].data = { ...asStored[0].data, subject: "Changed" };
    assert.equal(findChainBreak(asStored), 1);
    const other = await t.newAccount();
    const hidden = await request(t.url, `/api/v1/envelopes/${created.body.id}/events`, {
      key: other.secret,
    });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.error.code, "envelope_not_found");
  });

  it("isolates accounts and environments: 404 for every id", async () => {
    const own = (await create({ subject: "Mine", documentIds: [doc.id], recipients: [signer(1)] }))
      .body;
    const live = await t.newKey(accountId, "live");
    const other = await t.newAccount();
    for (const secret of [live.secret, other.secret]) {
      for (const res of [
        await get(own.id, secret),
        await patch(own.id, { subject: "x" }, secret),
        await send(own.id, secret),
        await remove(own.id, undefined, secret),
      ]) {
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, "envelope_not_found");
      }
      const borrowed = await create(
        { subject: "Borrow", documentIds: [doc.id], recipients: [signer(1)] },
        secret,
      );
      assert.equal(borrowed.status, 400);
      assert.equal(borrowed.body.error.code, "document_not_found");
      assert.deepEqual((await request(t.url, "/api/v1/envelopes", { key: secret })).body.data, []);
    }
    assert.equal((await get(own.id)).body.status, "DRAFT");
  });

  it("lets a document leave a draft, never a sent envelope", async () => {
    const a = await uploadDocument(t.url, key);
    const b = await uploadDocument(t.url, key);
    const draft = (
      await create({ subject: "Draft", documentIds: [a.id, b.id], recipients: [signer(1)] })
    ).body;
    const deleted = await request(t.url, `/api/v1/documents/${a.id}`, { method: "DELETE", key });
    assert.equal(deleted.status, 200);
    const after = (await get(draft.id)).body;
    assert.deepEqual(
      after.documents.map((d: any) => d.id),
      [b.id],
    );
    assert.deepEqual(
      after.recipients[0].fields,
      [],
      "the automatic field was on the removed document",
    );

    const sent = (await create({ subject: "Sent", documentIds: [b.id], recipients: [signer(1)] }))
      .body;
    await send(sent.id);
    const refused = await request(t.url, `/api/v1/documents/${b.id}`, { method: "DELETE", key });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "document_in_use");
    assert.equal((await request(t.url, `/api/v1/documents/${b.id}`, { key })).status, 200);
  });
});
