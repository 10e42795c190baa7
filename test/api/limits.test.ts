import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { filesUnder } from "../helpers/files.js";
import { sendEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { dataUrl, declaredOnlyPng, pagesPdf, png } from "../helpers/hostile.js";
import { makePdf } from "../helpers/pdf.js";
import { signaturePngDataUrl } from "../helpers/png.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

const tokenOf = (recipient: { signUrl: string }) => recipient.signUrl.split("/sign/")[1]!;

describe("bounded work: documents too large in structure", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer({
      env: {
        CERTYNEO_MAX_PDF_PAGES: "3",
        CERTYNEO_MAX_PDF_OBJECTS: "200",
        CERTYNEO_MAX_ENVELOPE_PAGES: "4",
      },
    });
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  const upload = (bytes: Buffer) =>
    request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { name: "hostile.pdf", content: bytes.toString("base64") },
    });
  const documentRows = async () =>
    (await t.app.database.db.selectFrom("documents").select("id").execute()).length;

  it("refuses with 422 and a precise code, and keeps nothing", async () => {
    const blobs = path.join(t.database.env.CERTYNEO_DATA_DIR, "blobs");
    const filesBefore = await filesUnder(blobs);
    const rowsBefore = await documentRows();
    const cases: [Buffer, string, RegExp][] = [
      [await makePdf(["a4", "a4", "a4", "a4"]), "document_too_many_pages", /4 pages.*at most 3/],
      [pagesPdf(1, { box: "[0 0 0 0]" }), "document_page_size_invalid", /between 3 and 14400/],
      [
        pagesPdf(1, { box: `[0 0 1${"0".repeat(305)} 842]` }),
        "document_page_size_invalid",
        /Page 1/,
      ],
      [pagesPdf(1, { box: "[0 0 NaN 842]" }), "document_page_size_invalid", /Page 1/],
      [
        pagesPdf(1, { extra: Array.from({ length: 300 }, () => "null") }),
        "document_too_complex",
        /more than 200 objects/,
      ],
      [
        pagesPdf(1, { pageExtra: `/X ${"[".repeat(100_000)}${"]".repeat(100_000)}` }),
        "document_corrupt",
        /./,
      ],
    ];
    for (const [bytes, code, message] of cases) {
      const res = await upload(bytes);
      assert.equal(res.status, 422, `${code}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.type, "invalid_request_error");
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.error.param, "file");
      assert.match(res.body.error.message, message);
    }
    assert.equal(await documentRows(), rowsBefore);
    assert.deepEqual(await filesUnder(blobs), filesBefore);
    // Within the limits, accepted.
    const ok = await upload(await makePdf(["a4", "a4", "a4"]));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.pages, 3);
  });

  it("bounds the pages of one envelope, at create, update and send", async () => {
    const three = await uploadDocument(t.url, key, ["a4", "a4", "a4"]);
    const two = await uploadDocument(t.url, key, ["a4", "a4"]);
    const one = await uploadDocument(t.url, key, ["a4"]);
    const envelopes = async () =>
      (await t.app.database.db.selectFrom("envelopes").select("id").execute()).length;
    const before = await envelopes();
    const tooMany = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Trop", documentIds: [three.id, two.id], recipients: [signer(1)] },
    });
    assert.equal(tooMany.status, 422, JSON.stringify(tooMany.body));
    assert.equal(tooMany.body.error.code, "envelope_too_many_pages");
    assert.match(tooMany.body.error.message, /5 pages together; an envelope may have at most 4/);
    assert.equal(await envelopes(), before);

    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Juste", documentIds: [three.id, one.id], recipients: [signer(1)] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const patched = await request(t.url, `/api/v1/envelopes/${created.body.id}`, {
      method: "PATCH",
      key,
      json: { documentIds: [three.id, two.id] },
    });
    assert.equal(patched.status, 422, JSON.stringify(patched.body));
    assert.equal(patched.body.error.code, "envelope_too_many_pages");

    // The limit lowered after the draft was made: sending is refused.
    const lower = await startTestServer({
      database: t.database,
      env: { CERTYNEO_MAX_ENVELOPE_PAGES: "3" },
    });
    try {
      const sent = await request(lower.url, `/api/v1/envelopes/${created.body.id}/send`, {
        method: "POST",
        key,
      });
      assert.equal(sent.status, 422, JSON.stringify(sent.body));
      assert.equal(sent.body.error.code, "envelope_too_many_pages");
    } finally {
      await lower.close();
    }
    const stillDraft = await request(t.url, `/api/v1/envelopes/${created.body.id}`, { key });
    assert.equal(stillDraft.body.status, "DRAFT");
  });
});

describe("bounded work: drawn signatures and the signer API", () => {
  let t: TestServer;
  let key: string;
  let documentId: string;
  before(async () => {
    t = await startTestServer({
      env: {
        CERTYNEO_MAX_SIGNATURE_DIMENSION: "1000",
        CERTYNEO_MAX_SIGNATURE_DECODED_BYTES: String(1024 * 1024),
      },
    });
    ({ secret: key } = await t.newAccount());
    documentId = (await uploadDocument(t.url, key)).id;
  });
  after(() => t.close());

  const sign = (token: string, image: string) =>
    request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "drawn", image } },
    });
  const newToken = async () => {
    const sent = await sendEnvelope(t.url, key, {
      documentIds: [documentId],
      recipients: [signer(1)],
    });
    return tokenOf(sent.recipients[0]);
  };

  it("refuses an image bomb with 400 before decoding it, and keeps nothing", async () => {
    const token = await newToken();
    const blobs = path.join(t.database.env.CERTYNEO_DATA_DIR, "blobs");
    const filesBefore = await filesUnder(blobs);
    const cases: [Buffer, string, RegExp][] = [
      [declaredOnlyPng(100_000, 100_000), "signature_image_too_large", /at most 1000 pixels/],
      [declaredOnlyPng(1001, 10), "signature_image_too_large", /at most 1000 pixels/],
      [declaredOnlyPng(1000, 1000), "signature_image_too_large", /the limit is 1 MB/],
      [png(100, 100, Buffer.alloc(8 * 1024 * 1024)), "signature_invalid", /inflates to more/],
      [declaredOnlyPng(100, 100).subarray(0, 40), "signature_invalid", /truncated/],
    ];
    for (const [bytes, code, message] of cases) {
      const res = await sign(token, dataUrl(bytes));
      assert.equal(res.status, 400, `${code}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.error.param, "signature.image");
      assert.match(res.body.error.message, message);
    }
    assert.deepEqual(await filesUnder(blobs), filesBefore);
    const view = await request(t.url, `/api/v1/signing/${token}`);
    assert.equal(view.body.recipient.status, "VIEWED");
    // A real signature is still accepted.
    const ok = await sign(token, signaturePngDataUrl());
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it("limits the write actions of one link: 429 with Retry-After", async () => {
    const token = await newToken();
    const bomb = dataUrl(declaredOnlyPng(100_000, 100_000));
    const statuses: number[] = [];
    let last = await sign(token, bomb);
    while (last.status === 400 && statuses.length < 100) {
      statuses.push(last.status);
      last = await sign(token, bomb);
    }
    assert.equal(statuses.length, 20, "a burst of 20 actions per link");
    assert.equal(last.status, 429, JSON.stringify(last.body));
    assert.equal(last.body.error.type, "rate_limit_error");
    assert.equal(last.body.error.code, "rate_limit_exceeded");
    assert.match(last.body.error.message, /signing link/);
    assert.ok(Number(last.headers.get("retry-after")) >= 1);
    // Every write action of that link counts; another link is not affected.
    const decline = await request(t.url, `/api/v1/signing/${token}/decline`, {
      method: "POST",
      json: { reason: "Non" },
    });
    assert.equal(decline.status, 429);
    const other = await sign(await newToken(), bomb);
    assert.equal(other.status, 400);
    // Once the bucket has refilled, the link works again.
    t.clock.advance(Number(last.headers.get("retry-after")) * 1000);
    const again = await sign(token, signaturePngDataUrl());
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });
});

describe("bounded work: per client address", () => {
  let t: TestServer;
  let key: string;
  let documentId: string;
  before(async () => {
    t = await startTestServer({
      env: { CERTYNEO_SIGNING_RATE_LIMIT_PER_MINUTE: "1", CERTYNEO_SIGNING_RATE_LIMIT_BURST: "4" },
    });
    ({ secret: key } = await t.newAccount());
    documentId = (await uploadDocument(t.url, key)).id;
  });
  after(() => t.close());

  it("limits writes, then reads, from one address across links", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) {
      const sent = await sendEnvelope(t.url, key, {
        documentIds: [documentId],
        recipients: [signer(1)],
      });
      tokens.push(tokenOf(sent.recipients[0]));
    }
    const decline = (token: string) =>
      request(t.url, `/api/v1/signing/${token}/decline`, { method: "POST", json: { reason: "" } });
    for (const token of tokens.slice(0, 4)) assert.equal((await decline(token)).status, 400);
    const refused = await decline(tokens[4]!);
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.match(refused.body.error.message, /from your address/);
    assert.equal(refused.headers.get("retry-after"), "60");
    // Unknown links count too: guessing costs the guesser.
    const guess = await decline("A".repeat(43));
    assert.equal(guess.status, 429);

    // Reads: five times the write burst (20), the signing page included.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await request(t.url, `/api/v1/signing/${tokens[i % 6]}`);
      statuses.push(res.status);
    }
    assert.deepEqual(new Set(statuses), new Set([200]));
    const api = await request(t.url, `/api/v1/signing/${tokens[0]}`);
    assert.equal(api.status, 429);
    assert.ok(Number(api.headers.get("retry-after")) >= 1);
    const page = await fetch(`${t.url}/sign/${tokens[0]}`);
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get("retry-after")) >= 1);
    const body = (await page.json()) as { error: { code: string } };
    assert.equal(body.error.code, "rate_limit_exceeded");
  });
});
