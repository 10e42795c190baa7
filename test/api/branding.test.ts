import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { contrastRatio } from "../../src/domain/contrast.js";
import { sealedEnvelope, signer, uploadDocument } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { makeSignaturePng } from "../helpers/png.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { until } from "../helpers/wait.js";

const png = (width = 120, height = 40) =>
  `data:image/png;base64,${makeSignaturePng(width, height).toString("base64")}`;

/** What recipients see of the sender: display name, colour and logo (issues 14 and 18). */
describe("branding", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
  });
  after(() => t.close());

  const patch = (json: unknown, secret = key) =>
    request(t.url, "/api/v1/branding", { method: "PATCH", key: secret, json });

  it("computes WCAG contrast as the guidelines do", () => {
    assert.equal(contrastRatio("#000000", "#ffffff").toFixed(0), "21");
    assert.equal(contrastRatio("#ffffff", "#ffffff"), 1);
    assert.equal(contrastRatio("#1746c2", "#ffffff").toFixed(2), "7.80");
    assert.equal(contrastRatio("#767676", "#ffffff").toFixed(2), "4.54");
  });

  it("keeps a name, a readable colour and a small logo; refuses the rest with the reason", async () => {
    const empty = await request(t.url, "/api/v1/branding", { key });
    assert.deepEqual(
      { ...empty.body, updatedAt: null },
      { object: "branding", displayName: null, accentColor: null, logo: null, updatedAt: null },
    );
    const set = await patch({ displayName: "  Acme HR ", accentColor: "#0B6E4F", logo: png() });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.displayName, "Acme HR");
    assert.equal(set.body.accentColor, "#0b6e4f");
    assert.match(set.body.logo, /^data:image\/png;base64,/);

    for (const [body, status, code] of [
      [{ accentColor: "#ffd400" }, 422, "accent_color_low_contrast"],
      [{ accentColor: "red" }, 400, "parameter_invalid"],
      [{ logo: "data:image/svg+xml;base64,PHN2Zz4=" }, 422, "logo_invalid"],
      [
        { logo: `data:image/jpeg;base64,${makeSignaturePng().toString("base64")}` },
        422,
        "logo_invalid",
      ],
      [{ logo: png(2400, 40) }, 422, "logo_invalid"],
      [{ logo: "data:image/png;base64,iVBORw0KGgo=" }, 422, "logo_invalid"],
      [{ displayName: "x".repeat(101) }, 400, "parameter_invalid"],
    ] as const) {
      const refused = await patch(body);
      assert.equal(refused.status, status, JSON.stringify(body).slice(0, 80));
      assert.equal(refused.body.error.code, code);
    }
    const contrast = await patch({ accentColor: "#ffd400" });
    assert.match(contrast.body.error.message, /contrast of 1\.\d+:1/);
    // Nothing refused was kept.
    assert.equal((await request(t.url, "/api/v1/branding", { key })).body.accentColor, "#0b6e4f");
  });

  it("shows the sender's branding on the signing page and in the emails", async () => {
    await patch({ displayName: "Acme HR", accentColor: "#0b6e4f", logo: png() });
    const document = await uploadDocument(t.url, key);
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Branded", documentIds: [document.id], recipients: [signer(7)] },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const page = await fetch(`${t.url}${new URL(sent.body.recipients[0].signUrl).pathname}`);
    const html = await page.text();
    assert.match(
      html,
      /<img class="sender-logo" src="data:image\/png;base64,[^"]+" alt="Acme HR">/,
    );
    assert.match(html, /Acme HR/);
    assert.match(html, /"accentColor":"#0b6e4f"/);
    await t.app.worker.runDue();
    const invitation = (await outboxEmails(t.app.config.dataDir)).find((m) =>
      m.to.includes("signer7@example.com"),
    );
    assert.ok(invitation);
    const mail = parseMail(invitation.raw);
    assert.match(mail.subject, /Acme HR/);
    assert.match(mail.html ?? "", /background:#0b6e4f/);
    // The logo travels inside the message (no remote image), shown by its Content-ID.
    // 120x40 fitted into 200x48: 120x40, as attributes (Outlook ignores CSS sizes).
    const cid = /<img src="cid:([^"]+)" width="120" height="40" alt="Acme HR"/.exec(mail.html)?.[1];
    assert.ok(cid, "the HTML shows the logo");
    const logo = mail.inline.find((part) => part.cid === cid);
    assert.ok(logo, "the logo is a part of the message");
    assert.equal(logo.contentType, "image/png");
    assert.equal(logo.within, "multipart/related");
    assert.deepEqual(logo.content, makeSignaturePng(120, 40));
    assert.deepEqual(mail.attachments, [], "the logo is not offered as a file");
    // The completion email carries the sealed PDF as a file and the logo inside (its own thread).
    const sealed = await sealedEnvelope(t, key, "Branded completion");
    const completion = (await outboxEmails(t.app.config.dataDir))
      .map((m) => parseMail(m.raw))
      .find((m) => m.attachments.length > 0 && m.to.includes("signer1@example.com"));
    assert.ok(completion, `the completion email of ${sealed}`);
    assert.match(completion.attachments[0]!.filename, /signed\.pdf$/);
    assert.match(completion.subject, /Branded completion/);
    assert.deepEqual(
      completion.inline.map((part) => [part.cid, part.within, part.content]),
      [[cid, "multipart/related", makeSignaturePng(120, 40)]],
    );
    assert.match(completion.html, new RegExp(`<img src="cid:${cid}"`));
    // The dashboard's emails (an invitation here) are signed with the display name too.
    const invited = await request(t.url, "/api/v1/users", {
      method: "POST",
      key,
      json: { email: "new.colleague@example.com", role: "member" },
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const invitationTo = async () =>
      (await outboxEmails(t.app.config.dataDir)).find((m) =>
        m.to.includes("new.colleague@example.com"),
      );
    await until(async () => (await invitationTo()) !== undefined, "the invitation");
    assert.match(parseMail((await invitationTo())!.raw).text ?? "", /join Acme HR on Certyneo/);
    await patch({ displayName: null, accentColor: null, logo: null });
    const reset = await request(t.url, "/api/v1/branding", { key });
    assert.deepEqual(
      [reset.body.displayName, reset.body.accentColor, reset.body.logo],
      [null, null, null],
    );
  });

  it("is changed by owners and admins only", async () => {
    const member = await t.app.users.create({ accountId, email: "m@example.com", role: "member" });
    const { token, session } = await t.app.sessions.create(member, { ip: null, userAgent: null });
    const refused = await request(t.url, "/api/v1/branding", {
      method: "PATCH",
      headers: {
        cookie: `certyneo_session=${token}`,
        "x-csrf-token": t.app.sessions.csrfTokenFor(session.id),
      },
      json: { displayName: "Mine" },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "role_insufficient");
  });
});
