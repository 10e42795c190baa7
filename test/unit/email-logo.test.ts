import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callToActEmail } from "../../src/notify/emails.js";
import { makeSignaturePng } from "../helpers/png.js";

const invitation = (logo: string | null) =>
  callToActEmail(
    {
      locale: "en",
      accountName: "Acme <HR>",
      logo,
      subject: "Contract",
      test: false,
      to: "a@example.com",
      recipientName: "A",
      approver: false,
      message: null,
      signUrl: "https://sign.example.com/sign/x",
      expiresAt: null,
    },
    false,
  );

/** The sender's logo in an email: inside the message, sized by attributes, named by its bytes. */
describe("the logo in an email", () => {
  it("is fitted into 200x48 by attributes, with a Content-ID of its own bytes", () => {
    const wide = `data:image/png;base64,${makeSignaturePng(1000, 100).toString("base64")}`;
    const tall = `data:image/png;base64,${makeSignaturePng(100, 400).toString("base64")}`;
    const [a, b] = [invitation(wide), invitation(tall)];
    assert.match(
      a.html ?? "",
      /<img src="cid:logo-[0-9a-f]{16}@certyneo" width="200" height="20" alt="Acme &#60;HR&#62;"/,
    );
    assert.match(b.html ?? "", /width="12" height="48"/);
    assert.notEqual(a.inlineImages?.[0]?.cid, b.inlineImages?.[0]?.cid);
    assert.equal(invitation(wide).inlineImages?.[0]?.cid, a.inlineImages?.[0]?.cid);
    assert.equal(a.inlineImages?.[0]?.filename, "logo.png");
  });

  it("is left out when there is none, or when what is stored cannot be read", () => {
    for (const logo of [null, "data:image/png;base64,AAAA", "not a data url"]) {
      const email = invitation(logo);
      assert.equal(email.inlineImages, undefined, String(logo));
      assert.doesNotMatch(email.html ?? "", /<img/);
    }
  });
});
