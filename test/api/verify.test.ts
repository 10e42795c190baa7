import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PDF } from "@libpdf/core";
import { sealedEnvelope } from "../helpers/fixtures.js";
import { makePdf, sealedElsewhere } from "../helpers/pdf.js";
import { postFile, request, startTestServer, type TestServer } from "../helpers/server.js";

async function verify(t: TestServer, bytes: Uint8Array) {
  const response = await postFile(`${t.url}/api/v1/verify`, bytes);
  const body: any = await response.json();
  return { status: response.status, body, headers: response.headers };
}

async function download(t: TestServer, key: string, url: string): Promise<Buffer> {
  const response = await fetch(t.url + url, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(response.status, 200, url);
  return Buffer.from(await response.arrayBuffer());
}

describe("verifying a PDF: POST /api/v1/verify and the /verify page", () => {
  let t: TestServer;
  let key: string;
  let envelopeId: string;
  let sealed: Buffer;
  let trail: Buffer;
  before(async () => {
    // Every test verifies several files from the same address.
    t = await startTestServer({ env: { CERTYNEO_VERIFY_RATE_LIMIT_BURST: "1000" } });
    ({ secret: key } = await t.newAccount());
    envelopeId = await sealedEnvelope(t, key, "Verify me");
    sealed = await download(t, key, `/api/v1/envelopes/${envelopeId}/signed-document`);
    trail = await download(t, key, `/api/v1/envelopes/${envelopeId}/audit-trail`);
  });
  after(() => t.close());

  it("says a sealed PDF is this platform's, unchanged, for which envelope and signers: no API key", async () => {
    const { status, body } = await verify(t, sealed);
    assert.equal(status, 200);
    assert.equal(body.object, "verification");
    assert.equal(body.result, "sealed_unchanged");
    assert.equal(body.sealedByPlatform, true);
    assert.equal(body.unchangedSinceSealing, true);
    assert.equal(body.level, "B-LTA");
    assert.equal(body.uncoveredBytes, 0);
    assert.deepEqual(body.envelope, {
      envelopeId,
      environment: "test",
      contents: "documents",
      signers: [{ name: "Signer 1", role: "SIGNER", signedAt: body.envelope.signers[0].signedAt }],
    });
    assert.ok(Date.parse(body.sealedAt) > 0);
    assert.ok(Date.parse(body.archiveTimestamp.validUntil) > Date.parse(body.sealedAt));
    const [seal, archive] = body.signatures;
    assert.equal(seal.kind, "signature");
    assert.equal(seal.subFilter, "ETSI.CAdES.detached");
    assert.equal(seal.certification, "form_filling");
    assert.deepEqual(seal.problems, []);
    assert.equal(seal.signer.byPlatform, true);
    assert.equal(seal.timestamp.byPlatform, true);
    assert.equal(seal.longTermValidation, true);
    assert.ok(seal.certificates.every((c: { revocation: string }) => c.revocation !== "missing"));
    assert.equal(archive.kind, "document_timestamp");
    assert.equal(archive.coversWholeFile, true);
    assert.equal(archive.intact, true);
    assert.equal(body.file.size, sealed.length);
  });

  it("recomputes an audit trail's attached event chain", async () => {
    const { body } = await verify(t, trail);
    assert.equal(body.result, "sealed_unchanged");
    assert.equal(body.envelope.contents, "audit_trail");
    assert.equal(body.envelope.envelopeId, envelopeId);
    const events = await request(t.url, `/api/v1/envelopes/${envelopeId}/events?limit=100`, {
      key,
    });
    assert.equal(body.eventChain.intact, true);
    assert.ok(body.eventChain.events >= 5);
    assert.equal(
      body.eventChain.head,
      events.body.data.slice(0, body.eventChain.events).at(-1).hash,
    );
  });

  it("reports a byte changed inside the sealed range as altered", async () => {
    const tampered = Buffer.from(sealed);
    const at = tampered.indexOf("/MediaBox");
    tampered[at + 12] = tampered[at + 12] === 0x30 ? 0x31 : 0x30;
    const { status, body } = await verify(t, tampered);
    assert.equal(status, 200);
    assert.equal(body.result, "altered");
    assert.ok(body.signatures[0].problems.includes("digest_mismatch"));
    assert.equal(body.signatures[0].intact, false);
  });

  it("reports an update appended after sealing as changed, and how much it adds", async () => {
    const pdf = await PDF.load(sealed);
    pdf.setTitle("Changed after sealing");
    const changed = await pdf.save({ incremental: true });
    const { body } = await verify(t, changed);
    assert.equal(body.result, "sealed_changed");
    assert.equal(body.sealedByPlatform, true);
    assert.equal(body.unchangedSinceSealing, false);
    assert.equal(body.uncoveredBytes, changed.length - sealed.length);
  });

  it("tells an unsigned PDF and another platform's seal apart from ours", async () => {
    const unsigned = await verify(t, await makePdf(["a4"]));
    assert.equal(unsigned.body.result, "unsigned");
    assert.deepEqual(unsigned.body.signatures, []);
    assert.equal(unsigned.body.sealedByPlatform, false);

    const { body } = await verify(t, await sealedElsewhere("Other Platform"));
    assert.equal(body.result, "signed_elsewhere");
    assert.equal(body.sealedByPlatform, false);
    assert.equal(body.envelope, null);
    assert.equal(body.signatures[0].signer.organization, "Other Platform");
    assert.ok(body.signatures[0].problems.includes("untrusted"));
  });

  it("answers bad input with the contract's errors, keeping nothing", async () => {
    const notPdf = await verify(t, Buffer.from("hello, not a pdf"));
    assert.equal(notPdf.status, 415);
    assert.equal(notPdf.body.error.code, "document_not_pdf");

    const truncated = await verify(t, sealed.subarray(0, sealed.length - 100));
    assert.equal(truncated.status, 422);
    assert.equal(truncated.body.error.code, "document_corrupt");

    const json = await request(t.url, "/api/v1/verify", { method: "POST", json: {} });
    assert.equal(json.status, 415);
    assert.equal(json.body.error.code, "multipart_required");

    const empty = await fetch(`${t.url}/api/v1/verify`, { method: "POST", body: new FormData() });
    assert.equal(empty.status, 400);

    const wrongField = await postFile(`${t.url}/api/v1/verify`, sealed, "a.pdf", "document");
    assert.equal(wrongField.status, 400);
    assert.equal(
      ((await wrongField.json()) as { error: { code: string } }).error.code,
      "parameter_unknown",
    );
  });

  it("serves the page in the visitor's language, and the report of a file sent by its form", async () => {
    const page = await fetch(`${t.url}/verify`, {
      headers: { "accept-language": "fr-FR,fr;q=0.9" },
    });
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /form-action 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    const html = await page.text();
    assert.match(html, /<html lang="fr">/);
    assert.match(html, /Vérifier un PDF signé/);
    assert.match(html, /enctype="multipart\/form-data"/);

    const sent = await postFile(`${t.url}/verify?lang=tr`, sealed, "sözleşme.pdf");
    assert.equal(sent.status, 200);
    const report = await sent.text();
    assert.match(report, /<html lang="tr">/);
    assert.match(report, /data-result="sealed_unchanged"/);
    assert.match(report, /Özgün: bu hizmet tarafından mühürlendi/);
    assert.ok(report.includes(envelopeId));
    assert.match(report, /Signer 1/);
    assert.match(report, /sözleşme\.pdf/);

    const refused = await postFile(`${t.url}/verify?lang=en`, Buffer.from("nope"));
    assert.equal(refused.status, 415);
    assert.match(await refused.text(), /This file is not a PDF\./);
  });
});

describe("verification limits", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: {
        CERTYNEO_VERIFY_RATE_LIMIT_PER_MINUTE: "1",
        CERTYNEO_VERIFY_RATE_LIMIT_BURST: "2",
        CERTYNEO_MAX_DOCUMENT_BYTES: "100000",
      },
    });
  });
  after(() => t.close());

  it("refuses a file over the size limit, then a client over its rate, with Retry-After", async () => {
    const big = Buffer.concat([await makePdf(["a4"]), Buffer.alloc(150_000, 0x20)]);
    const tooLarge = await verify(t, big);
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error.code, "document_too_large");
    const second = await verify(t, await makePdf(["a4"]));
    assert.equal(second.status, 200);
    const third = await verify(t, await makePdf(["a4"]));
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, "rate_limit_exceeded");
    assert.ok(Number(third.headers.get("retry-after")) >= 1);
  });
});
