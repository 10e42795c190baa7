import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ARTIFACTS, launchChromium, seriousAxeViolations } from "../helpers/browser.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { latestCode } from "../helpers/outbox.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

/** The recipient's experience in a real browser: Debian's Chromium driven by playwright-core. */
describe("the signing page in Chromium", () => {
  let t: TestServer;
  let key: string;
  let doc: any;
  let browser: Browser;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
    doc = await uploadDocument(t.url, key, ["a4", "letter"]);
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t.close();
  });

  async function sendEnvelope(recipients: unknown[]) {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Contrat de prestation",
        message: "Merci de signer.",
        documentIds: [doc.id],
        recipients,
      },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const url = new URL(sent.body.recipients[0].signUrl);
    return { envelope: sent.body, url: `${t.url}${url.pathname}` };
  }

  async function open(url: string, locale = "en-US"): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      // Failed loads are reported with their URL below; API refusals are part of the flows tested.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        problems.push(message.text());
      }
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("response", (response) => {
      const expected =
        response.url().includes("/sign/") || response.url().includes("/api/v1/signing/");
      if (response.status() >= 400 && !expected)
        problems.push(`${response.status()} ${response.url()}`);
    });
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response?.headers()["cache-control"], "no-store");
    await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
    return { page, problems };
  }

  it("renders the PDF, asks for the code, takes a drawn signature and signs", async () => {
    const { envelope, url } = await sendEnvelope([
      signer(1, { auth: "email_otp", name: "Marie Dubois" }),
    ]);
    const { page, problems } = await open(url);
    assert.equal(await page.locator("canvas.page").count(), 2);
    assert.equal(await page.locator(".field-signature").count(), 1);
    assert.match((await page.locator("h1").textContent()) ?? "", /Contrat de prestation/);
    assert.match((await page.locator(".test-banner").textContent()) ?? "", /TEST/);
    // Runs in the page (a string, so that Node's type-check needs no DOM types).
    const painted = await page.evaluate<number>(`(() => {
      const canvas = document.querySelector("canvas.page");
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128 && pixels[i + 3] > 0) dark++;
      return dark;
    })()`);
    assert.ok(painted > 100, `the PDF's text is drawn (${painted} dark pixels)`);
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-1-opened.png"), fullPage: true });

    await page.click("#otp-send");
    await page.waitForSelector(".otp-verify:not([hidden])");
    const code = await latestCode(t.database.env.CERTYNEO_DATA_DIR, "signer1@example.com");
    await page.fill("#otp-code", code === "000000" ? "111111" : "000000");
    await page.click(".otp-verify button[type=submit]");
    await page.waitForSelector('#status[data-kind="error"]');
    assert.equal(
      await page.locator("#status").textContent(),
      "This code is not right. 4 attempt(s) left.",
    );
    await page.fill("#otp-code", code);
    await page.click(".otp-verify button[type=submit]");
    await page.waitForSelector("#signature-pad");

    const pad = await page.locator("#signature-pad").boundingBox();
    assert.ok(pad);
    await page.mouse.move(pad.x + 30, pad.y + pad.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(
        pad.x + 30 + i * 12,
        pad.y + pad.height * (0.7 - 0.4 * Math.sin(i / 3)),
        { steps: 2 },
      );
    }
    await page.mouse.up();
    await page.check("#consent");
    await page.screenshot({
      path: path.join(ARTIFACTS, "signing-2-signature.png"),
      fullPage: true,
    });
    await page.click("#sign-button");
    await page.waitForSelector(".done");
    assert.match((await page.locator(".done").textContent()) ?? "", /you have signed/);
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-3-signed.png"), fullPage: true });

    const after = await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key });
    assert.equal(after.body.status, "COMPLETED");
    const row = await t.app.database.db
      .selectFrom("recipients")
      .select(["signature_type", "signature_image_sha256"])
      .where("envelope_id", "=", envelope.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.signature_type, "drawn");
    assert.deepEqual(problems, [], "no script error, no blocked resource");

    // Once sealed, the same link offers the signed PDF, the audit trail and where to check them.
    while ((await t.app.worker.runDue()) > 0);
    const reopened = await page.goto(url);
    assert.equal(reopened?.status(), 410);
    assert.match((await page.locator("h1").textContent()) ?? "", /completed/);
    assert.deepEqual(await page.locator(".links a").allTextContents(), [
      "Download the signed document",
      "Download the audit trail",
      "Check a signed document",
    ]);
    await page.screenshot({
      path: path.join(ARTIFACTS, "signing-4-completed.png"),
      fullPage: true,
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-4-completed-phone.png") });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("text=Download the audit trail"),
    ]);
    assert.match(download.suggestedFilename(), /^audit-trail-env_\w+\.pdf$/);
    await page.context().close();
  });

  it("declines with a reason, in French", async () => {
    const { envelope, url } = await sendEnvelope([signer(1, { locale: "fr" }), signer(2)]);
    const { page, problems } = await open(url, "en-US");
    assert.equal(await page.locator("html").getAttribute("lang"), "fr");
    assert.match(
      (await page.locator("label[for=consent]").textContent()) ?? "",
      /J’ai lu les documents/,
    );
    await page.click("#decline-button");
    await page.fill("#decline-reason", "Le montant est erroné");
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-4-decline.png"), fullPage: true });
    await page.click("#decline-confirm");
    await page.waitForSelector(".done");
    assert.match((await page.locator(".done").textContent()) ?? "", /Vous avez refusé/);
    const after = await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key });
    assert.equal(after.body.status, "DECLINED");
    assert.equal(after.body.recipients[0].declineReason, "Le montant est erroné");
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it("has no serious accessibility problem (axe-core)", async () => {
    const { url } = await sendEnvelope([signer(1, { auth: "email_otp" })]);
    const context = await browser.newContext({ bypassCSP: true, locale: "en-US" });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await context.close();
  });

  it("tells a recipient whose turn has not come, and says when a link is wrong", async () => {
    const { envelope } = await sendEnvelope([signer(1), signer(2)]);
    const sequential = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Sequence",
        documentIds: [doc.id],
        signingOrder: "sequential",
        recipients: [signer(1, { name: "Alice" }), signer(2)],
      },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${sequential.body.id}/send`, {
      method: "POST",
      key,
    });
    const second = `${t.url}${new URL(sent.body.recipients[1].signUrl).pathname}`;
    const { page } = await open(second, "tr-TR");
    assert.match(
      (await page.locator(".notice").textContent()) ?? "",
      /Henüz sıranız gelmedi.*Alice/,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-5-waiting.png"), fullPage: true });
    const wrong = await page.goto(`${t.url}/sign/${"x".repeat(43)}`);
    assert.equal(wrong?.status(), 404);
    assert.match((await page.locator("h1").textContent()) ?? "", /geçerli değil/);
    assert.ok(envelope.id);
    await page.context().close();
  });
});
