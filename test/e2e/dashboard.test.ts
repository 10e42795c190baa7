import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, BROWSER_SUITE, launchChromium } from "../helpers/browser.js";
import { signToCompletion } from "../helpers/fixtures.js";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { makePdf } from "../helpers/pdf.js";
import { makeSignaturePng } from "../helpers/png.js";
import { startReceiver } from "../helpers/receiver.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { pdfsig } from "../helpers/validators.js";
import { until } from "../helpers/wait.js";

const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = "a long and secret passphrase";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The dashboard in a real browser (Debian's Chromium, playwright-core), as a customer uses it. */
describe("the dashboard in Chromium", BROWSER_SUITE, () => {
  let t: TestServer;
  let accountId: string;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const emailsTo = async (to: string) =>
    (await outboxEmails(t.app.config.dataDir)).filter((m) => m.to.includes(to));
  /** The emailed link, on this test server (the email names PUBLIC_URL). */
  async function emailedLink(to: string): Promise<string> {
    await until(async () => (await emailsTo(to)).length > 0, `an email to ${to}`);
    const text = parseMail((await emailsTo(to)).at(-1)!.raw).text;
    const link = /https?:\/\/\S+\/app\/sign-in#token=\w+/.exec(text)?.[0];
    assert.ok(link, text);
    const url = new URL(link);
    return `${t.url}${url.pathname}${url.hash}`;
  }

  async function newContext(viewport = DESKTOP, locale = "en-US"): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
    context.on("page", (p) => watch(p));
    return context;
  }
  function watch(p: Page) {
    p.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        problems.push(message.text());
    });
    p.on("pageerror", (error) => problems.push(error.message));
  }

  /**
   * axe-core's audit of a page as it is now: no serious or critical violation. Evaluated through
   * the browser's debugging protocol, which the page's CSP (rightly strict) does not apply to.
   */
  async function audit(p: Page, name: string) {
    const violations = await p.evaluate<{ id: string; impact: string; help: string }[]>(
      `${AXE}; axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })))`,
    );
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  }

  /** Screenshots of the page at `url`, on a desktop and on a phone, and an axe-core audit. */
  async function look(name: string, url: string) {
    for (const [size, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      const shot = await browser.newContext({ viewport, storageState: await owner.storageState() });
      const p = await shot.newPage();
      await p.goto(url);
      await p.waitForSelector("#page-title");
      // A selector, not a function: the page's CSP forbids the eval that polling a function needs.
      await p.waitForSelector("[aria-live=polite].muted", { state: "detached" });
      await p.screenshot({
        path: path.join(ARTIFACTS, `dashboard-${name}-${size}.png`),
        fullPage: true,
      });
      if (size === "desktop") await audit(p, name);
      await shot.close();
    }
  }

  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
    ({ accountId } = await t.newAccount());
    await t.app.users.create({
      accountId,
      email: "owner@example.com",
      role: "owner",
      name: "Olga Owner",
    });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t.close();
  });

  it("signs in by an emailed link, under a strict CSP", async () => {
    owner = await newContext();
    page = await owner.newPage();
    const response = await page.goto(`${t.url}/`);
    assert.equal(response?.status(), 200);
    assert.equal(new URL(page.url()).pathname, "/app/");
    const headers = response!.headers();
    assert.match(headers["content-security-policy"] ?? "", /default-src 'none'; script-src 'self'/);
    assert.equal(headers["x-frame-options"], "DENY");
    await page.waitForSelector("h1");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-sign-in-desktop.png") });
    await audit(page, "sign-in");
    await page.click("text=Email me a sign-in link instead");
    await page.fill("#link-email", "owner@example.com");
    await page.click("button[type=submit]");
    await page.waitForSelector(".notice-success");
    await page.goto(await emailedLink("owner@example.com"));
    await page.waitForSelector("h1#page-title");
    assert.equal(await page.textContent("h1#page-title"), "Envelopes");
    // The token left the address bar at once.
    assert.equal(new URL(page.url()).hash, "");
    assert.match((await page.textContent(".who")) ?? "", /owner@example.com \(owner\)/);
    await look("envelopes-empty", `${t.url}/app/envelopes`);
  });

  it("signs in by password, set on the profile page", async () => {
    await page.click("nav >> text=Your profile");
    await page.fill("#profile-password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForSelector(".notice-success");
    await look("profile", `${t.url}/app/settings/profile`);

    const phone = await newContext(PHONE, "fr-FR");
    const p = await phone.newPage();
    await p.goto(`${t.url}/app/`);
    await p.waitForSelector("#email");
    assert.equal(await p.textContent("h1"), "Connexion à Certyneo");
    await p.screenshot({ path: path.join(ARTIFACTS, "dashboard-sign-in-phone-fr.png") });
    await p.fill("#email", "owner@example.com");
    await p.fill("#password", "not the password at all");
    await p.click("button[type=submit]");
    await p.waitForSelector(".notice-error");
    await p.fill("#password", PASSWORD);
    await p.click("button[type=submit]");
    await p.waitForSelector("h1#page-title");
    assert.equal(await p.textContent("h1#page-title"), "Enveloppes");
    await phone.close();
  });

  it("creates a test key whose secret works with the real API, and revokes it", async () => {
    await page.click("nav >> text=API keys");
    await page.fill("#key-name", "HR software");
    await page.click("text=Create a key");
    const secret = (await page.textContent(".secret-value")) ?? "";
    assert.match(secret, /^sk_test_\w+$/);
    assert.match((await page.textContent("pre.code")) ?? "", new RegExp(secret));
    const used = await request(t.url, "/api/v1/keys", { key: secret });
    assert.equal(used.status, 200);
    await look("keys", `${t.url}/app/developers/keys`);
    await page.reload();
    await page.waitForSelector("td >> text=HR software");
    await page.click("tr:has-text('HR software') button:has-text('Revoke')");
    await page.click("dialog button.button-danger");
    await page.waitForSelector("tr:has-text('HR software') >> text=Revoked");
    assert.equal((await request(t.url, "/api/v1/keys", { key: secret })).status, 401);
  });

  it("registers a webhook, sends a test event, sees the delivery and retries it", async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      await page.click("nav >> text=Webhooks");
      await page.fill("#webhook-url", `${receiver.url}/hooks`);
      await page.check("label:has-text('envelope.completed') input");
      await page.click("form button[type=submit]");
      assert.match((await page.textContent(".secret-value")) ?? "", /^whsec_/);
      await page.click(`a:has-text("${receiver.url}/hooks") >> nth=0`);
      await page.waitForSelector("text=Send a test event");
      await page.click("text=Send a test event");
      await page.waitForSelector(".notice-error");
      assert.match((await page.textContent(".notice-error")) ?? "", /failed/);
      await page.waitForSelector("td >> text=ping");
      receiver.answer(() => ({ status: 200 }));
      await page.click("td button:has-text('Retry')");
      await page.waitForSelector(".notice-success");
      assert.match((await page.textContent(".notice-success")) ?? "", /answered 200/);
      assert.ok(receiver.received.length >= 2);
      await look("webhook", page.url());
      await look("webhooks", `${t.url}/app/developers/webhooks`);
    } finally {
      await receiver.close();
    }
  });

  it("creates an envelope from two PDFs, two signers in order, a signature dragged to page 2", async () => {
    await page.click("nav >> text=New envelope");
    await page.fill("#subject", "Employment contract");
    await page.setInputFiles("#files", [
      { name: "contract.pdf", mimeType: "application/pdf", buffer: await makePdf(["a4", "a4"]) },
      { name: "annex.pdf", mimeType: "application/pdf", buffer: await makePdf(["letter"]) },
    ]);
    await page.waitForSelector("li:has-text('annex.pdf')");
    await page.check("text=One after another, in this order");
    await page.fill("[id$='-name'] >> nth=0", "Marie Dubois");
    await page.fill("[id$='-email'] >> nth=0", "marie@example.com");
    await page.click("text=Add a recipient");
    await page.fill("[id$='-name'] >> nth=1", "Paul Martin");
    await page.fill("[id$='-email'] >> nth=1", "paul@example.com");
    const target = page.locator(".document-pages >> nth=0").locator(".page-frame[data-page='2']");
    await target.scrollIntoViewIfNeeded();
    await page.waitForSelector(
      ".document-pages >> nth=0 >> .page-frame[data-page='2'] canvas[data-rendered]",
    );
    await page
      .locator(".palette-item[data-field-type=signature]")
      .dragTo(target, { targetPosition: { x: 200, y: 300 } });
    assert.equal(await target.locator(".placed-field").count(), 1);
    const shown = (await target.boundingBox())!;
    // A second signer's field, placed by choosing it and clicking on the page (as on a phone).
    await page.selectOption(".palette select", { label: "Paul Martin" });
    await page.click(".palette-item[data-field-type=signature]");
    await target.locator("canvas").click({ position: { x: 200, y: 100 } });
    assert.equal(await target.locator(".placed-field").count(), 2);
    // And moved with the keyboard: two steps of 4 points to the right.
    await target.locator(".placed-handle").nth(1).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-new-envelope-desktop.png") });
    await audit(page, "new envelope, with fields placed");
    await page.setViewportSize(PHONE);
    await target.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-new-envelope-phone.png") });
    await page.setViewportSize(DESKTOP);
    await page.click("text=Send for signature");
    await page.waitForSelector("h1#page-title:has-text('Employment contract')");
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const envelope = (
      await request(t.url, `/api/v1/envelopes/${id}`, {
        key: (await t.newKey(accountId, "test")).secret,
      })
    ).body;
    assert.equal(envelope.status, "SENT");
    assert.equal(envelope.documents.length, 2);
    assert.equal(envelope.signingOrder, "sequential");
    const [marie, paul] = envelope.recipients;
    assert.deepEqual([marie.order, paul.order], [1, 2]);
    const [field] = marie.fields;
    assert.equal(field.type, "signature");
    assert.equal(field.page, 2);
    assert.equal(field.documentId, envelope.documents[0].id);
    assert.equal(field.autoPlaced, false);
    // Dropped 300 px down the page as shown: the field is centred there, in PDF points.
    const scale = shown.width / 595.28;
    assert.ok(Math.abs(field.y - (300 / scale - field.height / 2)) < 2, `y = ${field.y}`);
    assert.ok(Math.abs(field.x - (200 / scale - field.width / 2)) < 2, `x = ${field.x}`);
    assert.equal(paul.fields[0].page, 2);
    assert.ok(Math.abs(paul.fields[0].x - (200 / scale - 85 + 8)) < 2, `x = ${paul.fields[0].x}`);

    // Both sign through their emailed links; the sealed PDF comes from the dashboard.
    await t.app.worker.runDue();
    const tokenOf = async (email: string) => {
      const text = parseMail((await emailsTo(email)).at(-1)!.raw).text;
      return /\/sign\/(\w+)/.exec(text)![1]!;
    };
    await request(t.url, `/api/v1/signing/${await tokenOf("marie@example.com")}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Marie Dubois" } },
    });
    await t.app.worker.runDue();
    await signToCompletion(t.url, await tokenOf("paul@example.com"));
    await until(async () => (await t.app.worker.runDue()) === 0, "sealing");
    await page.click("nav >> text=Envelopes");
    await page.click("text=Completed");
    await page.waitForSelector("td >> text=Employment contract");
    await look("envelopes", `${t.url}/app/envelopes`);
    await page.click("text=Employment contract");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("text=Download the signed PDF"),
    ]);
    const file = await download.path();
    const verdict = await pdfsig(await readFile(file));
    assert.match(verdict, /Signature Validation: Signature is Valid/);
    await look("envelope-completed", page.url());
  });

  it("voids a sent envelope with a reason", async () => {
    const key = (await t.newKey(accountId, "test")).secret;
    const document = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: (await makePdf(["a4"])).toString("base64"), name: "offer.pdf" },
    });
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Offer letter",
        documentIds: [document.body.id],
        recipients: [{ name: "Ann Lee", email: "ann@example.com", role: "SIGNER" }],
      },
    });
    await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, { method: "POST", key });
    await page.goto(`${t.url}/app/envelopes/${created.body.id}`);
    await page.waitForSelector("text=Copy signing link");
    await look("envelope-sent", page.url());
    await page.click("header >> text=Void");
    await page.fill("#void-reason", "Position filled");
    await page.click("dialog button.button-danger");
    await page.waitForSelector("text=Voided: Position filled");
    const after = await request(t.url, `/api/v1/envelopes/${created.body.id}`, { key });
    assert.equal(after.body.status, "VOIDED");
    const voided = (await request(t.url, `/api/v1/envelopes/${created.body.id}/events`, { key }))
      .body;
    assert.deepEqual(voided.data.at(-1).actor.type, "user");
  });

  it("sets the branding, which recipients then see on the signing page", async () => {
    await page.goto(`${t.url}/app/settings/account`);
    await page.fill("#display-name", "Acme HR");
    await page.fill("#accent-color", "#0b6e4f");
    assert.equal(
      await page.textContent("#accent-contrast"),
      "Contrast with white text: 6.25:1. Readable.",
    );
    await page.setInputFiles("#logo", {
      name: "logo.png",
      mimeType: "image/png",
      buffer: makeSignaturePng(160, 48),
    });
    await page.waitForSelector("img.logo-preview");
    await page.click("form[aria-labelledby=branding-title] button[type=submit]");
    await page.waitForSelector("form[aria-labelledby=branding-title] .notice-success");
    // A colour too light to read is said to be so while it is chosen, then refused on save.
    await page.fill("#accent-color", "#ffe680");
    assert.match(
      (await page.textContent("#accent-contrast.failed")) ?? "",
      /^Contrast with white text: 1\.\d\d?:1\. Below 4\.5:1: buttons and links would be hard to read/,
    );
    await page.locator("form[aria-labelledby=branding-title]").screenshot({
      path: path.join(ARTIFACTS, "dashboard-branding-low-contrast.png"),
    });
    await page.click("form[aria-labelledby=branding-title] button[type=submit]");
    await page.waitForSelector("form[aria-labelledby=branding-title] .notice-error");
    assert.match(
      (await page.textContent("form[aria-labelledby=branding-title] .notice-error")) ?? "",
      /contrast/,
    );
    await look("account-settings", `${t.url}/app/settings/account`);

    const key = (await t.newKey(accountId, "test")).secret;
    const document = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: (await makePdf(["a4"])).toString("base64"), name: "nda.pdf" },
    });
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "NDA",
        documentIds: [document.body.id],
        recipients: [{ name: "Bo Chen", email: "bo@example.com", role: "SIGNER" }],
      },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const recipient = await newContext();
    const signing = await recipient.newPage();
    await signing.goto(`${t.url}${new URL(sent.body.recipients[0].signUrl).pathname}`);
    await signing.waitForSelector("body[data-rendered=true]");
    assert.ok(await signing.isVisible("img.sender-logo[alt='Acme HR']"));
    assert.match((await signing.textContent(".intro")) ?? "", /Acme HR/);
    const accent = await signing.evaluate<string>(
      `getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`,
    );
    assert.equal(accent, "#0b6e4f");
    await signing.screenshot({ path: path.join(ARTIFACTS, "dashboard-branded-signing-page.png") });
    await signing.setViewportSize(PHONE);
    await signing.screenshot({
      path: path.join(ARTIFACTS, "dashboard-branded-signing-page-phone.png"),
    });
    await recipient.close();
  });

  it("invites a member, who sees no admin action and cannot take one", async () => {
    await page.goto(`${t.url}/app/settings/people`);
    await page.fill("#invite-email", "member@example.com");
    await page.click("text=Invite");
    await page.waitForSelector("text=Invitation sent to member@example.com.");
    await look("people", `${t.url}/app/settings/people`);
    const member = await newContext();
    const p = await member.newPage();
    await p.goto(await emailedLink("member@example.com"));
    await p.waitForSelector("h1#page-title");
    await p.goto(`${t.url}/app/developers/keys`);
    await p.waitForSelector("text=Only an owner or an admin");
    assert.equal(await p.locator("text=Create a key").count(), 0);
    const session = await p.evaluate<{ csrfToken: string }>(
      `fetch("/api/v1/session").then((r) => r.json())`,
    );
    const refused = await p.evaluate<number>(
      `fetch("/api/v1/keys", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": ${JSON.stringify(session.csrfToken)} }, body: "{}" }).then((r) => r.status)`,
    );
    assert.equal(refused, 403);
    await member.close();
  });

  it("switches to live, and shows only live objects", async () => {
    await page.goto(`${t.url}/app/developers/keys`);
    await page.click(".env-switch label:has-text('Live')");
    await page.waitForSelector(".test-banner", { state: "detached" });
    await page.waitForSelector("text=No key yet.");
    await page.click(".env-switch label:has-text('Test')");
    await page.waitForSelector(".test-banner");
    assert.deepEqual(problems, []);
  });

  it("lets the owner delete all test data, after confirming", async () => {
    const key = (await t.newKey(accountId, "test")).secret;
    const envelopes = async () =>
      (await request(t.url, "/api/v1/envelopes?limit=100", { key })).body.data.length;
    assert.ok((await envelopes()) > 0, "the envelopes made above");
    await page.goto(`${t.url}/app/settings/account`);
    await page.click("section[aria-labelledby=sandbox-title] button.button-danger");
    await page.waitForSelector("dialog[open]");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-sandbox-confirm-desktop.png") });
    await page.click("dialog[open] button[type=submit]");
    await page.waitForSelector("section[aria-labelledby=sandbox-title] .notice-success");
    assert.match(
      (await page.textContent("section[aria-labelledby=sandbox-title] .notice-success")) ?? "",
      /Deleted: \d+ envelopes, \d+ documents, \d+ webhooks\./,
    );
    assert.equal(await envelopes(), 0);
    await look("account-settings-after-reset", `${t.url}/app/settings/account`);
    assert.deepEqual(problems, []);
  });
});
