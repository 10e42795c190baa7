import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("the signing page over HTTP", () => {
  let t: TestServer;
  let key: string;
  let doc: any;
  before(async () => {
    t = await startTestServer({
      env: { CERTYNEO_FRAME_ANCESTORS: "https://crm.example.com https://hr.example.org" },
    });
    ({ secret: key } = await t.newAccount());
    doc = await uploadDocument(t.url, key);
  });
  after(() => t.close());

  async function signPath(recipients: unknown[], extra: Record<string, unknown> = {}) {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "<script>alert(1)</script> & co",
        documentIds: [doc.id],
        recipients,
        ...extra,
      },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    return {
      id: created.body.id,
      paths: sent.body.recipients.map((r: any) => r.signUrl && new URL(r.signUrl).pathname),
    };
  }

  it("serves the page with strict headers, escaped content and the embedding allow-list", async () => {
    const { paths } = await signPath([signer(1, { locale: "tr" })], {
      message: '"><img src=x onerror=alert(1)>',
    });
    const res = await request(t.url, paths[0]);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8/);
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      assert.ok(csp.includes(directive), directive);
    }
    assert.match(csp, /frame-ancestors https:\/\/crm\.example\.com https:\/\/hr\.example\.org/);
    assert.equal(res.headers.get("x-frame-options"), null, "the allow-list replaces DENY");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    const html = String(res.body);
    assert.match(html, /<html lang="tr">/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; co/);
    assert.doesNotMatch(
      html,
      /<script(?![^>]*(type="application\/json"|type="module" src="\/sign-assets\/sign\.js"))/,
    );
    assert.doesNotMatch(html, /(src|href)="https?:\/\/(?!127\.0\.0\.1)/, "no third-party resource");
    // The page posts its events to the origins allowed to frame it, and to no other.
    const config = JSON.parse(
      /<script type="application\/json" id="signing-config">(.*?)<\/script>/s.exec(html)![1]!,
    );
    assert.deepEqual(config.parentOrigins, ["https://crm.example.com", "https://hr.example.org"]);
  });

  it("answers a wrong link with 404 and an ended envelope with 410, as pages", async () => {
    const wrong = await request(t.url, `/sign/${"A".repeat(43)}`, {
      headers: { "accept-language": "fr-FR,fr;q=0.9" },
    });
    assert.equal(wrong.status, 404);
    assert.match(String(wrong.body), /Ce lien de signature n’est pas valide/);
    const { id, paths } = await signPath([signer(1)]);
    await request(t.url, `/api/v1/envelopes/${id}`, { method: "DELETE", key });
    const voided = await request(t.url, paths[0]);
    assert.equal(voided.status, 410);
    assert.match(String(voided.body), /The sender cancelled this envelope/);
    assert.doesNotMatch(String(voided.body), /signed-document/);
  });

  it("tells a framing app that a link has ended, with the status that ended it (an expiry date too)", async () => {
    const { paths } = await signPath([signer(1)], {
      expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
    });
    t.clock.advance(3600_000);
    const page = await request(t.url, paths[0]!);
    assert.equal(page.status, 410);
    const config = JSON.parse(
      /<script type="application\/json" id="ended-config">([^<]*)<\/script>/.exec(
        String(page.body),
      )![1]!,
    );
    assert.deepEqual(
      [
        config.parent.message.type,
        config.parent.message.canAct,
        config.parent.message.envelopeStatus,
      ],
      ["certyneo:loaded", false, "EXPIRED"],
    );
    assert.deepEqual(config.parent.parentOrigins, [
      "https://crm.example.com",
      "https://hr.example.org",
    ]);
  });

  it("offers the signed copy from the link of a completed envelope", async () => {
    const { paths } = await signPath([signer(2)]);
    const token = paths[0]!.split("/sign/")[1]!;
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Two" } },
    });
    // Completed, not sealed yet: the page says so, offers nothing yet, and looks again by itself
    // (its script; a link to look again without one).
    const early = await request(t.url, paths[0]!);
    assert.equal(early.status, 410);
    assert.match(String(early.body), /Its documents are being sealed/);
    assert.match(
      String(early.body),
      /<p class="notice links" id="check-again"><a href="">Check again<\/a>/,
    );
    assert.match(String(early.body), /"poll":true/);
    assert.doesNotMatch(String(early.body), /signed-document|audit-trail|http-equiv/);
    while ((await t.app.worker.runDue()) > 0);
    const page = await request(t.url, paths[0]!);
    assert.doesNotMatch(String(page.body), /check-again|"poll":true/);
    assert.equal(page.status, 410);
    assert.match(String(page.body), /everyone has signed/);
    const href = /href="([^"]+signed-document)"/.exec(String(page.body))?.[1];
    assert.equal(href, `/api/v1/signing/${token}/signed-document`);
    const pdf = await fetch(t.url + href);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get("content-type"), "application/pdf");
    // And the audit trail, final, sealed: what the sender gets. And where to check either.
    const trailHref = /href="([^"]+audit-trail)"/.exec(String(page.body))?.[1];
    assert.equal(trailHref, `/api/v1/signing/${token}/audit-trail`);
    const trail = await fetch(t.url + trailHref);
    assert.equal(trail.status, 200);
    assert.equal(trail.headers.get("content-type"), "application/pdf");
    const bytes = new Uint8Array(await trail.arrayBuffer());
    const form = new FormData();
    form.append("file", new Blob([bytes], { type: "application/pdf" }), "trail.pdf");
    const verified = (await (
      await fetch(`${t.url}/api/v1/verify`, { method: "POST", body: form })
    ).json()) as { result: string; envelope: { contents: string } };
    assert.equal(verified.result, "sealed_unchanged");
    assert.equal(verified.envelope.contents, "audit_trail");
    assert.match(String(page.body), /href="\/verify\?lang=en"/);
  });

  it("gives the audit trail to a recipient only once the envelope is completed", async () => {
    const { paths } = await signPath([signer(2)]);
    const token = paths[0]!.split("/sign/")[1]!;
    const early = await request(t.url, `/api/v1/signing/${token}/audit-trail`);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, "envelope_not_completed");
    const unknown = await request(t.url, "/api/v1/signing/nope/audit-trail");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "signing_link_invalid");
  });

  it("serves its own scripts, styles and fonts, and nothing else", async () => {
    const expected: [string, RegExp][] = [
      ["sign.js", /^text\/javascript/],
      ["sign.css", /^text\/css/],
      ["pdf.mjs", /^text\/javascript/],
      ["pdf.worker.mjs", /^text\/javascript/],
      ["signature_pad.js", /^text\/javascript/],
      ["stamp-regular.ttf", /^font\/ttf/],
      ["stamp-oblique.ttf", /^font\/ttf/],
    ];
    for (const [name, type] of expected) {
      const res = await fetch(`${t.url}/sign-assets/${name}`);
      assert.equal(res.status, 200, name);
      assert.match(res.headers.get("content-type") ?? "", type, name);
      assert.ok((await res.arrayBuffer()).byteLength > 100, name);
    }
    for (const name of ["..%2F..%2Fpackage.json", "secret.key", "sign.ts"]) {
      assert.equal((await fetch(`${t.url}/sign-assets/${name}`)).status, 404, name);
    }
  });
});
