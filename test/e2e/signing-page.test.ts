import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Browser, Frame, Page } from "playwright-core";
import { bigPdf } from "../../bench/big-pdf.js";
import { ARTIFACTS, axeViolations, BROWSER_SUITE, launchChromium } from "../helpers/browser.js";
import { signer, signToCompletion, uploadDocument } from "../helpers/fixtures.js";
import { latestCode } from "../helpers/outbox.js";
import { makePdf } from "../helpers/pdf.js";
import { makeSignaturePng } from "../helpers/png.js";
import { freePort } from "../helpers/ports.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { until } from "../helpers/wait.js";

const run = promisify(execFile);

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Five fields over ten pages, one of each type, in reading order. */
function fiveFields(documentId: string) {
  return [
    { type: "initials", documentId, page: 2, x: 470, y: 760, width: 70, height: 32 },
    { type: "text", documentId, page: 4, x: 72, y: 200, width: 240, height: 22, label: "Company" },
    { type: "checkbox", documentId, page: 6, x: 72, y: 300, width: 18, height: 18 },
    { type: "date", documentId, page: 8, x: 72, y: 400, width: 120, height: 22 },
    { type: "signature", documentId, page: 10, x: 72, y: 620, width: 220, height: 80 },
  ];
}

/** A local web server: the integrator's application, on an origin of its own. */
async function startSite(
  pages: Record<string, string>,
): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url ?? "/", "http://x").pathname];
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A page that frames a signing link and keeps every message it receives. */
function embedPage(): string {
  return `<!doctype html><html lang="en"><head><title>Acme HR</title></head><body>
<h1>Acme HR — your contract</h1>
<iframe id="signing" title="Signing" style="width:100%;height:760px;border:0"></iframe>
<script>
  window.received = [];
  window.addEventListener("message", (e) => window.received.push({ origin: e.origin, data: e.data }));
  document.getElementById("signing").src = new URLSearchParams(location.search).get("src");
</script></body></html>`;
}

/**
 * Where the blue ink of a signature lies in a PNG, within `crop` (pixels), as fractions of the
 * crop's width and height: [left, top, right, bottom, ink pixels]. Decoded by Chromium itself.
 */
async function inkBox(
  analyzer: Page,
  png: Buffer,
  crop?: { x: number; y: number; width: number; height: number },
): Promise<number[]> {
  const source = `(async ({ data, crop }) => {
    const image = new Image();
    image.src = "data:image/png;base64," + data;
    await image.decode();
    const box = crop ?? { x: 0, y: 0, width: image.naturalWidth, height: image.naturalHeight };
    const canvas = document.createElement("canvas");
    canvas.width = box.width;
    canvas.height = box.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, box.x, box.y, box.width, box.height, 0, 0, box.width, box.height);
    const pixels = context.getImageData(0, 0, box.width, box.height).data;
    let [left, top, right, bottom, count] = [Infinity, Infinity, -1, -1, 0];
    const margin = 3;
    for (let y = margin; y < box.height - margin; y++) {
      for (let x = margin; x < box.width - margin; x++) {
        const i = (y * box.width + x) * 4;
        const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
        if (!(b - r > 60 && b > 80 && r < 140 && g < 170)) continue;
        count++;
        left = Math.min(left, x); right = Math.max(right, x);
        top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
    return [left / box.width, top / box.height, (right + 1) / box.width, (bottom + 1) / box.height, count];
  })(${JSON.stringify({ data: png.toString("base64"), crop: crop ?? null })})`;
  return analyzer.evaluate<number[]>(source);
}

/** The recipient's experience in a real browser: Debian's Chromium driven by playwright-core. */
describe("the signing page in Chromium", BROWSER_SUITE, () => {
  let t: TestServer;
  let key: string;
  let tenPages: any;
  let doc: any;
  let browser: Browser;
  let analyzer: Page;
  let work: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
    doc = await uploadDocument(t.url, key, ["a4", "letter"]);
    tenPages = await uploadDocument(t.url, key, Array(10).fill("a4"));
    await mkdir(ARTIFACTS, { recursive: true });
    work = await mkdtemp(path.join(os.tmpdir(), "certyneo-signing-page-"));
    browser = await launchChromium();
    analyzer = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await rm(work, { recursive: true, force: true });
  });

  async function sendEnvelope(
    recipients: unknown[],
    extra: Record<string, unknown> = {},
    server = t,
    apiKey = key,
  ) {
    const created = await request(server.url, "/api/v1/envelopes", {
      method: "POST",
      key: apiKey,
      json: {
        subject: "Contrat de prestation",
        message: "Merci de signer.",
        documentIds: [doc.id],
        recipients,
        ...extra,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await request(server.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key: apiKey,
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const url = new URL(sent.body.recipients[0].signUrl);
    return { envelope: sent.body, url: `${server.url}${url.pathname}` };
  }

  /** Collects what would show a broken page: script errors and refused loads of our assets. */
  function watch(page: Page): string[] {
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
    return problems;
  }

  /** A browser of that size (a phone below 600 px: touch, 2x pixels), in `locale`. */
  function newContext(viewport = DESKTOP, options: { locale?: string; bypassCSP?: boolean } = {}) {
    return browser.newContext({
      locale: options.locale ?? "en-US",
      viewport,
      // Scrolls at once, as for a recipient who asked for less motion: screenshots show where it ends.
      reducedMotion: "reduce",
      ...(viewport.width < 600 && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
      // axe-core is injected as an inline script, which the pages' CSP rightly refuses.
      ...(options.bypassCSP && { bypassCSP: true }),
    });
  }

  async function open(
    url: string,
    locale = "en-US",
    viewport = DESKTOP,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await newContext(viewport, { locale });
    const page = await context.newPage();
    const problems = watch(page);
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response?.headers()["cache-control"], "no-store");
    await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
    return { page, problems };
  }

  const pageOf = (target: Page | Frame): Page => ("keyboard" in target ? target : target.page());
  const progress = (page: Page | Frame) => page.locator("#bar-progress").textContent();

  /**
   * Fills every field and signs using the action bar: Start, then Next field until Finish is
   * where the focus lands; values are typed into whatever field the bar focused.
   */
  async function signFromBar(
    page: Page | Frame,
    options: {
      signature: "draw" | "upload" | "type";
      /** Whether the recipient has initials fields (the adopt dialog then asks for them). */
      initials?: boolean;
      shots?: string;
      otp?: () => Promise<string>;
      /** Called as the adopt dialog opens, once every field is filled, and at the finish dialog. */
      check?: (state: "adopt" | "filled" | "finish") => Promise<void>;
    },
  ): Promise<void> {
    // Started already when the adopt dialog is open (a field was clicked).
    if ((await page.locator("#adopt-dialog[open]").count()) === 0) await page.click("#bar-next");
    if (options.otp) {
      await page.waitForSelector("#otp-send:focus");
      await page.click("#otp-send");
      await page.waitForSelector(".otp-verify:not([hidden])");
      const code = await options.otp();
      await page.fill("#otp-code", code === "000000" ? "111111" : "000000");
      await page.click(".otp-verify button[type=submit]");
      await page.waitForSelector('#status[data-kind="error"]');
      assert.equal(
        await page.locator("#status").textContent(),
        "This code is not right. 4 attempt(s) left.",
      );
      await page.fill("#otp-code", code);
      await page.click(".otp-verify button[type=submit]");
    }
    // The first field needs the signature, none is adopted yet: the dialog opens.
    await page.waitForSelector("#adopt-dialog[open]");
    if (options.initials !== false) assert.equal(await page.inputValue("#initials-input"), "MD");
    if (options.signature === "draw") {
      const pad = await page.locator("#signature-pad").boundingBox();
      assert.ok(pad);
      const { mouse } = pageOf(page);
      await mouse.move(pad.x + 30, pad.y + pad.height * 0.7);
      await mouse.down();
      for (let i = 1; i <= 24; i++) {
        await mouse.move(pad.x + 30 + i * 11, pad.y + pad.height * (0.6 - 0.35 * Math.sin(i / 3)), {
          steps: 2,
        });
      }
      await mouse.up();
    } else if (options.signature === "type") {
      await page.click("#tab-type");
      assert.equal(await page.inputValue("#signature-typed"), "Marie Dubois");
    } else {
      await page.click("#tab-upload");
      const file = path.join(work, "my-signature.png");
      await writeFile(file, makeSignaturePng(600, 200));
      await page.setInputFiles("#signature-upload", file);
      await page.waitForSelector(".upload-preview:not([hidden])");
    }
    if (options.shots)
      await pageOf(page).screenshot({ path: path.join(ARTIFACTS, `${options.shots}-adopt.png`) });
    await options.check?.("adopt");
    await page.click("#adopt-confirm");
    await page.waitForSelector("#adopt-dialog", { state: "hidden" });
    // The one adopted signature shows in every signature field of the recipient.
    assert.equal(
      await page
        .locator(`.field-signature.filled ${options.signature === "type" ? ".stamp-typed" : "img"}`)
        .count(),
      await page.locator(".field-signature").count(),
    );
    if (options.initials !== false)
      assert.equal(await page.locator(".field-initials.filled .stamp-text").textContent(), "MD");

    for (let step = 0; step < 8; step++) {
      await page.click("#bar-next");
      const focused = await page.evaluate<string>(
        `(() => { const e = document.activeElement; return e.id || (e.closest(".field")?.className ?? e.tagName); })()`,
      );
      if (focused === "bar-finish") break;
      const { keyboard } = pageOf(page);
      if (focused.includes("field-text")) await keyboard.type("Acme SAS");
      else if (focused.includes("field-checkbox")) await keyboard.press("Space");
      else assert.fail(`the bar went to ${focused}`);
    }
    assert.equal(await progress(page), "All required fields are filled.");
    assert.equal(await page.locator("#bar-finish").isEnabled(), true);
    if (options.shots)
      await pageOf(page).screenshot({ path: path.join(ARTIFACTS, `${options.shots}-filled.png`) });
    await options.check?.("filled");
    await page.click("#bar-finish");
    await page.waitForSelector("#finish-dialog[open]");
    await options.check?.("finish");
    await page.click("#sign-button");
    await page.waitForSelector("#finish-dialog[open] .dialog-status:not(:empty)");
    await page.check("#consent");
    await page.click("#sign-button");
    await page.waitForSelector(".done");
  }

  /** The signature field's ink in the browser, then in the sealed PDF rendered by pdftoppm. */
  async function compareWithSealed(page: Page, envelopeId: string, label: string, apiKey = key) {
    const field = fiveFields("")[4]!;
    const shown = await inkBox(
      analyzer,
      await page
        .locator(".field-signature")
        .last()
        .screenshot({ path: path.join(ARTIFACTS, `signing-${label}-field.png`) }),
    );
    while ((await t.app.worker.runDue()) > 0);
    const sealed = await fetch(`${t.url}/api/v1/envelopes/${envelopeId}/signed-document`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    assert.equal(sealed.status, 200);
    const pdf = path.join(work, `${label}.pdf`);
    await writeFile(pdf, Buffer.from(await sealed.arrayBuffer()));
    const dpi = 144;
    await run("pdftoppm", [
      "-f",
      "10",
      "-l",
      "10",
      "-r",
      String(dpi),
      "-png",
      pdf,
      path.join(work, label),
    ]);
    const rendered = await readFile(path.join(work, `${label}-10.png`));
    const k = dpi / 72;
    const stamped = await inkBox(analyzer, rendered, {
      x: Math.round(field.x * k),
      y: Math.round(field.y * k),
      width: Math.round(field.width * k),
      height: Math.round(field.height * k),
    });
    assert.ok(shown[4]! > 50 && stamped[4]! > 50, `ink found: ${shown[4]} and ${stamped[4]}`);
    for (let i = 0; i < 4; i++) {
      assert.ok(
        Math.abs(shown[i]! - stamped[i]!) < 0.06,
        `the signature is where the page showed it: ${shown.slice(0, 4).map((v) => v.toFixed(3))} shown, ${stamped.slice(0, 4).map((v) => v.toFixed(3))} sealed`,
      );
    }
  }

  for (const [name, viewport, signature] of [
    ["desktop", DESKTOP, "draw"],
    ["phone", PHONE, "upload"],
  ] as const) {
    it(`signs a 10-page, 5-field document from the action bar alone (${name}, ${signature === "draw" ? "drawn" : "uploaded"} signature), stamped where it was shown`, async () => {
      const { envelope, url } = await sendEnvelope(
        [
          signer(1, {
            auth: name === "desktop" ? "email_otp" : "none",
            name: "Marie Dubois",
            fields: fiveFields(tenPages.id),
          }),
        ],
        { documentIds: [tenPages.id] },
      );
      const { page, problems } = await open(url, "en-US", viewport);
      assert.equal(await page.locator("canvas.page").count(), 10);
      assert.deepEqual(await page.locator(".field-tag").allTextContents(), [
        "Initials *",
        "Company *",
        "I agree *",
        "Date *",
        "Sign here *",
      ]);
      // The date is filled in with today's; the four others are left.
      assert.equal(await progress(page), "1 of 5 required fields");
      assert.equal(await page.locator("#bar-finish").isEnabled(), false);
      // Pages far from the screen are drawn only when they come near it.
      const drawn = await page.locator(".page-frame[data-rendered=true]").count();
      assert.ok(drawn < 10, `${drawn} of 10 pages drawn before scrolling`);
      const painted = await page.evaluate<number>(`(() => {
        const canvas = document.querySelector("canvas.page");
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128 && pixels[i + 3] > 0) dark++;
        return dark;
      })()`);
      assert.ok(painted > 100, `the PDF's text is drawn (${painted} dark pixels)`);
      // The action bar stays on screen wherever the recipient is in the document.
      for (const at of ["document.body.scrollHeight / 2", "document.body.scrollHeight"]) {
        await page.evaluate(`window.scrollTo(0, ${at})`);
        const bar = await page.locator("#action-bar").boundingBox();
        assert.ok(bar, "the bar is shown");
        assert.ok(
          bar.y >= 0 && bar.y + bar.height <= viewport.height + 0.5,
          `the bar is on screen: ${JSON.stringify(bar)}`,
        );
      }
      await page.evaluate("window.scrollTo(0, 0)");
      if (name === "desktop") {
        // At the end of a long document, the first pages have given their pixels back.
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
        await page.waitForSelector('.page-frame:has(canvas[data-page="10"])[data-rendered=true]');
        await page.waitForSelector('.page-frame:has(canvas[data-page="1"])[data-rendered=false]');
        assert.equal(await page.locator('canvas[data-page="1"]').getAttribute("width"), "0");
        await page.evaluate("window.scrollTo(0, 0)");
        await page.waitForSelector('.page-frame:has(canvas[data-page="1"])[data-rendered=true]');
      }
      const shots = `signing-${name}`;
      await page.screenshot({ path: path.join(ARTIFACTS, `${shots}-1-opened.png`) });

      await signFromBar(page, {
        signature,
        shots: `${shots}-2`,
        ...(name === "desktop" && {
          otp: () => latestCode(t.database.env.CERTYNEO_DATA_DIR, "signer1@example.com"),
        }),
      });
      assert.match((await page.locator(".done").textContent()) ?? "", /you have signed/);
      assert.match((await page.locator(".done").textContent()) ?? "", /contrat\.pdf/);
      assert.equal(await page.locator("#action-bar").count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, `${shots}-3-signed.png`) });

      const after = await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key });
      assert.equal(after.body.status, "COMPLETED");
      const values = Object.fromEntries(
        after.body.recipients[0].fields.map((f: any) => [f.type, f.value]),
      );
      assert.equal(values.initials, "MD");
      assert.equal(values.text, "Acme SAS");
      assert.equal(values.checkbox, "true");
      assert.match(values.date, /^\d{4}-\d{2}-\d{2}$/);
      const row = await t.app.database.db
        .selectFrom("recipients")
        .select(["signature_type"])
        .where("envelope_id", "=", envelope.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.signature_type, signature === "draw" ? "drawn" : "uploaded");
      await compareWithSealed(page, envelope.id, name);
      assert.deepEqual(problems, [], "no script error, no blocked resource");

      if (name === "desktop") {
        // Once sealed, the same link offers the signed PDF, the audit trail and where to check
        // them: the last signer's confirmation leads there.
        const [reopened] = await Promise.all([page.waitForNavigation(), page.click("#get-signed")]);
        assert.equal(reopened?.status(), 410);
        assert.equal(page.url(), url);
        assert.match((await page.locator("h1").textContent()) ?? "", /completed/);
        assert.deepEqual(await page.locator(".links a").allTextContents(), [
          "Download the signed document",
          "Download the audit trail",
          "Check a signed document",
        ]);
        await page.screenshot({ path: path.join(ARTIFACTS, "signing-4-completed.png") });
        await page.setViewportSize(PHONE);
        await page.screenshot({ path: path.join(ARTIFACTS, "signing-4-completed-phone.png") });
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click("text=Download the audit trail"),
        ]);
        assert.match(download.suggestedFilename(), /^audit-trail-env_\w+\.pdf$/);
      }
      await page.context().close();
    });
  }

  it("declines with a reason, in French, and goes back to the sender's app", async () => {
    const site = await startSite({
      "/back": "<!doctype html><title>Back</title><p>Back in the app",
    });
    try {
      const { envelope, url } = await sendEnvelope(
        [
          signer(1, {
            locale: "fr",
            redirectUrl: `${site.origin}/back?from=certyneo`,
            fields: fiveFields(tenPages.id),
          }),
          signer(2),
        ],
        { redirectUrl: "https://example.com/not-used", documentIds: [tenPages.id] },
      );
      const { page, problems } = await open(url, "en-US", PHONE);
      assert.equal(await page.locator("html").getAttribute("lang"), "fr");
      assert.match(
        (await page.locator("label[for=consent]").textContent()) ?? "",
        /J’ai lu les documents/,
      );
      assert.equal(await page.locator("#bar-next").textContent(), "Commencer");
      assert.deepEqual(await page.locator(".field-tag").allTextContents(), [
        "Initiales *",
        "Company *",
        "J’accepte *",
        "Date *",
        "Signer ici *",
      ]);
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-fr-phone-opened.png") });
      await page.click("#bar-help");
      await page.waitForSelector("#help-dialog[open]");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-fr-phone-help.png") });
      await page.click("#help-dialog button");
      await page.click("#decline-button");
      await page.fill("#decline-reason", "Le montant est erroné");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-fr-phone-decline.png") });
      await Promise.all([
        page.waitForURL(`${site.origin}/back?**`, { timeout: 10_000 }),
        page.click("#decline-confirm"),
      ]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get("from"), "certyneo");
      assert.equal(back.searchParams.get("event"), "declined");
      assert.equal(back.searchParams.get("envelopeId"), envelope.id);
      assert.equal(back.searchParams.get("recipientId"), envelope.recipients[0].id);
      const after = await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key });
      assert.equal(after.body.status, "DECLINED");
      assert.equal(after.body.recipients[0].declineReason, "Le montant est erroné");
      assert.deepEqual(problems, []);
      await page.context().close();
    } finally {
      site.server.close();
    }
  });

  it("wears the sender's branding, and stamps a typed signature where it showed it", async () => {
    const account = await t.newAccount();
    const logo = `data:image/png;base64,${makeSignaturePng(240, 80).toString("base64")}`;
    const branded = await request(t.url, "/api/v1/branding", {
      method: "PATCH",
      key: account.secret,
      json: { displayName: "Acme HR", accentColor: "#0B6E4F", logo },
    });
    assert.equal(branded.status, 200, JSON.stringify(branded.body));
    const own = await uploadDocument(t.url, account.secret, Array(10).fill("a4"));
    const { envelope, url } = await sendEnvelope(
      [
        signer(1, {
          name: "Marie Dubois",
          fields: [
            {
              type: "signature",
              documentId: own.id,
              page: 1,
              x: 300,
              y: 700,
              width: 200,
              height: 60,
            },
            fiveFields(own.id)[4],
          ],
        }),
      ],
      { documentIds: [own.id] },
      t,
      account.secret,
    );
    for (const [name, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      const { page, problems } = await open(url, "en-US", viewport);
      assert.match((await page.locator(".intro").textContent()) ?? "", /^Acme HR asks you/);
      assert.equal(await page.locator("img.sender-logo").getAttribute("alt"), "Acme HR");
      assert.equal(
        await page.evaluate<string>(
          `getComputedStyle(document.getElementById("bar-finish")).backgroundColor`,
        ),
        "rgb(11, 110, 79)",
      );
      await page.screenshot({ path: path.join(ARTIFACTS, `signing-branded-${name}.png`) });
      if (name === "phone") {
        await signFromBar(page, { signature: "type", initials: false });
        assert.ok(
          await page.evaluate<boolean>(`document.fonts.check("16px CertyneoStampOblique")`),
          "the typed signature is shown in the font the seal uses",
        );
        await page.screenshot({ path: path.join(ARTIFACTS, "signing-branded-phone-signed.png") });
        await compareWithSealed(page, envelope.id, "typed", account.secret);
        // The finished page wears the branding too: logo, name, colour.
        const ended = await page.goto(url);
        assert.equal(ended?.status(), 410);
        assert.match(ended?.headers()["content-security-policy"] ?? "", /style-src 'self' 'nonce-/);
        assert.equal(await page.locator(".sender-name").textContent(), "Acme HR");
        assert.equal(await page.locator("img.sender-logo").count(), 1);
        assert.equal(
          await page.evaluate<string>(`getComputedStyle(document.querySelector(".links a")).color`),
          "rgb(11, 110, 79)",
        );
        await page.screenshot({
          path: path.join(ARTIFACTS, "signing-branded-phone-completed.png"),
        });
      }
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  });

  it("embeds in another origin's page: events to an allowed parent only, then back to the app (examples/embed-signing.ts)", async () => {
    const appPort = await freePort();
    const appOrigin = `http://127.0.0.1:${appPort}`;
    const framed = await startTestServer({
      port: await freePort(),
      env: { CERTYNEO_FRAME_ANCESTORS: appOrigin },
    });
    const stranger = await startSite({ "/embed": embedPage() });
    const { secret } = await framed.newAccount();
    const contract = path.join(work, "contrat.pdf");
    await writeFile(contract, await makePdf(["a4", "a4"]));
    const example = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), path.resolve("examples/embed-signing.ts"), contract],
      {
        env: {
          ...process.env,
          PORT: String(appPort),
          APP_URL: appOrigin,
          CERTYNEO_URL: framed.url,
          CERTYNEO_API_KEY: secret,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    example.stdout.on("data", (chunk: Buffer) => (output += chunk));
    example.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const context = await newContext();
    try {
      await until(async () => output.includes("listening"), "the example app to listen");
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${appOrigin}/`);
      await page.waitForSelector("#events li", { timeout: 30_000 });
      const frame = page.frames().find((f) => f.url().startsWith(`${framed.url}/sign/`));
      assert.ok(frame, "the signing page loads in the allowed frame");
      await frame.waitForSelector("body[data-rendered=true]");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-embedded.png") });
      await signFromBar(frame, { signature: "draw", initials: false });
      await page.waitForSelector("#events li:nth-child(2)");
      const events = await page.locator("#events li").allTextContents();
      assert.equal(events.length, 2, events.join("; "));
      assert.match(events[0]!, /^certyneo:loaded env_\w+$/);
      assert.match(events[1]!, /^certyneo:signed env_\w+$/);
      const id = events[1]!.split(" ")[1]!;
      const after = await request(framed.url, `/api/v1/envelopes/${id}`, { key: secret });
      assert.equal(after.body.status, "COMPLETED");
      // The frame is sent to the envelope's redirectUrl, with the outcome.
      await until(
        async () => page.frames().some((f) => f.url().startsWith(`${appOrigin}/done`)),
        "the frame to go back to the app",
      );
      const done = page.frames().find((f) => f.url().startsWith(`${appOrigin}/done`))!;
      await done.waitForSelector("#outcome");
      assert.equal(await done.locator("#outcome").textContent(), `Envelope ${id}: signed.`);
      assert.deepEqual(problems, []);

      // Framed by a site that is not allowed: the browser refuses the frame, nothing is posted.
      const second = await request(framed.url, "/api/v1/envelopes", {
        method: "POST",
        key: secret,
        json: {
          subject: "Elsewhere",
          documentIds: [after.body.documents[0].id],
          recipients: [signer(1)],
        },
      });
      const sent = await request(framed.url, `/api/v1/envelopes/${second.body.id}/send`, {
        method: "POST",
        key: secret,
      });
      await page.goto(
        `${stranger.origin}/embed?src=${encodeURIComponent(sent.body.recipients[0].signUrl)}`,
      );
      await page.waitForTimeout(1500);
      assert.deepEqual(await page.evaluate("window.received"), []);
    } finally {
      await context.close();
      example.kill();
      stranger.server.close();
      await framed.close();
    }
  });

  it("tells an allowed parent of a refused action, a decline and an ended or wrong link; a parent not allowed hears nothing, even when the browser lets it frame the page", async () => {
    const allowed = await startSite({ "/embed": embedPage() });
    const stranger = await startSite({ "/embed": embedPage() });
    // The same site is allowed by its exact origin and, as app.localhost, by a wildcard entry.
    const wildcardSite = { origin: `http://app.localhost:${new URL(allowed.origin).port}` };
    const framed = await startTestServer({
      port: await freePort(),
      env: {
        CERTYNEO_FRAME_ANCESTORS: `${allowed.origin} http://*.localhost:${new URL(allowed.origin).port}`,
      },
    });
    const contexts: Awaited<ReturnType<Browser["newContext"]>>[] = [];
    try {
      const { secret } = await framed.newAccount();
      const own = await uploadDocument(framed.url, secret);
      const { envelope, url } = await sendEnvelope(
        [signer(1, { auth: "email_otp" })],
        { documentIds: [own.id] },
        framed,
        secret,
      );
      const embed = (site: { origin: string }, src: string) =>
        `${site.origin}/embed?src=${encodeURIComponent(src)}`;
      const received = (page: Page) =>
        page.evaluate<{ origin: string; data: Record<string, unknown> }[]>("window.received");
      const signingFrame = (page: Page) =>
        page.frames().find((f) => f.url().startsWith(`${framed.url}/sign/`));

      const context = await newContext();
      contexts.push(context);
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(embed(allowed, url));
      await until(async () => (await received(page)).length === 1, "certyneo:loaded");
      const frame = signingFrame(page)!;
      const ids = { envelopeId: envelope.id, recipientId: envelope.recipients[0].id };
      // A wrong one-time code: the parent hears the API's error code.
      await frame.click("#bar-next");
      await frame.click("#otp-send");
      await frame.waitForSelector(".otp-verify:not([hidden])");
      const code = await latestCode(framed.database.env.CERTYNEO_DATA_DIR, "signer1@example.com");
      await frame.fill("#otp-code", code === "000000" ? "111111" : "000000");
      await frame.click(".otp-verify button[type=submit]");
      await until(async () => (await received(page)).length === 2, "certyneo:error");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-embedded-wrong-code.png") });
      // A decline: the parent hears it, and the page says it is done (no redirectUrl here).
      await frame.click("#decline-button");
      await frame.fill("#decline-reason", "Wrong amount");
      await frame.click("#decline-confirm");
      await frame.waitForSelector(".done");
      await until(async () => (await received(page)).length === 3, "certyneo:declined");
      assert.equal(await frame.locator("#otp-code").count(), 0, "the code is no longer asked");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-embedded-declined.png") });
      const live = await received(page);
      assert.deepEqual(
        live.map((m) => m.data),
        [
          { type: "certyneo:loaded", ...ids, canAct: true, status: "VIEWED" },
          { type: "certyneo:error", ...ids, code: "otp_invalid" },
          { type: "certyneo:declined", ...ids, envelopeStatus: "DECLINED" },
        ],
      );
      assert.ok(
        live.every((m) => m.origin === framed.url),
        "every message from Certyneo's origin",
      );
      // The ended link, then a wrong one, opened again in the frame.
      await page.goto(embed(allowed, url));
      await until(async () => (await received(page)).length === 1, "the ended page's event");
      await page.screenshot({ path: path.join(ARTIFACTS, "signing-embedded-ended.png") });
      const endedEvents = await received(page);
      await page.goto(embed(allowed, `${framed.url}/sign/${"x".repeat(43)}`));
      await until(async () => (await received(page)).length === 1, "the wrong link's event");
      assert.deepEqual(
        [...(await received(page)), ...endedEvents].map((m) => m.data),
        [
          {
            type: "certyneo:error",
            code: "signing_link_invalid",
            envelopeId: null,
            recipientId: null,
          },
          {
            type: "certyneo:loaded",
            ...ids,
            canAct: false,
            status: "DECLINED",
            envelopeStatus: "DECLINED",
          },
        ],
      );
      assert.deepEqual(problems, []);

      // A parent that is not allowed, in a browser made to frame the page anyway (its
      // frame-ancestors rewritten to *), and once more with no `location.ancestorOrigins` (as in
      // Firefox): the page's own check, not the browser's, keeps every message from it.
      for (const hideAncestors of [false, true]) {
        const open = await browser.newContext({ viewport: DESKTOP });
        contexts.push(open);
        await open.route(`${framed.url}/sign/**`, async (route) => {
          const response = await route.fetch();
          const headers = response.headers();
          headers["content-security-policy"] = headers["content-security-policy"]!.replace(
            /frame-ancestors [^;]+/,
            "frame-ancestors *",
          );
          await route.fulfill({ response, headers });
        });
        // `location.ancestorOrigins` cannot be redefined (it is unforgeable): the page's script
        // is served reading none instead.
        if (hideAncestors)
          await open.route(`${framed.url}/sign-assets/parent.js`, async (route) => {
            const response = await route.fetch();
            const script = await response.text();
            assert.match(script, /window\.location\.ancestorOrigins/);
            await route.fulfill({
              response,
              body: script.replace("window.location.ancestorOrigins", "undefined"),
            });
          });
        const second = await sendEnvelope([signer(1)], { documentIds: [own.id] }, framed, secret);
        const intruder = await open.newPage();
        await intruder.goto(embed(stranger, second.url));
        await until(async () => signingFrame(intruder) !== undefined, "the frame");
        await signingFrame(intruder)!.waitForSelector("body[data-rendered=true]");
        // Framed by an allowed site in the same browser, the same page is heard at once: by its
        // exact origin, and by a wildcard entry (named by the frame's referrer, as in Firefox).
        for (const site of [allowed, wildcardSite]) {
          const control = await open.newPage();
          await control.goto(embed(site, second.url));
          await until(
            async () => (await received(control)).length === 1,
            `the allowed parent ${site.origin}`,
          );
          assert.equal((await received(control))[0]!.data.type, "certyneo:loaded");
        }
        // By now a message leaked by the live page would have arrived; then the ended page.
        const heardLive = await received(intruder);
        await intruder.goto(embed(stranger, url));
        await signingFrame(intruder)!.waitForSelector("h1.notice");
        await intruder.waitForTimeout(300);
        assert.deepEqual(
          [heardLive, await received(intruder)],
          [[], []],
          `hideAncestors: ${hideAncestors}`,
        );
      }
    } finally {
      for (const context of contexts) await context.close();
      allowed.server.close();
      stranger.server.close();
      await framed.close();
    }
  });

  it("shows the first page of a 10 MB, 120-page document after reading a fraction of it (phone)", async () => {
    const big = bigPdf(120, 10 * 1024 * 1024);
    const uploaded = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { name: "scanned.pdf", content: big.toString("base64") },
    });
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const { url } = await sendEnvelope([signer(1)], { documentIds: [uploaded.body.id] });
    const context = await newContext(PHONE);
    const page = await context.newPage();
    const problems = watch(page);
    let read = 0;
    page.on("requestfinished", async (finished) => {
      if (!finished.url().includes("/documents/")) return;
      read += (await finished.sizes()).responseBodySize;
    });
    await page.goto(url);
    await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
    assert.equal(await page.locator("canvas.page").count(), 120);
    const drawn = await page.locator(".page-frame[data-rendered=true]").count();
    assert.ok(drawn >= 1 && drawn < 10, `${drawn} pages drawn`);
    // pdf.js first asks for the whole file and drops that request once it sees ranges are
    // served: what arrived meanwhile varies (2.5 to 3.7 MB measured here), the rest is ranges.
    assert.ok(read < big.length / 2, `${read} of ${big.length} bytes read for the first pages`);
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-large-phone.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });

  for (const [name, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`is clean for axe-core in every state, branded (${name}): first screen, help, decline, one-time code, adopt, filled, finish, done, waiting, ended`, async () => {
      const account = await t.newAccount();
      await request(t.url, "/api/v1/branding", {
        method: "PATCH",
        key: account.secret,
        json: {
          displayName: "Acme HR",
          accentColor: "#0b6e4f",
          logo: `data:image/png;base64,${makeSignaturePng(240, 80).toString("base64")}`,
        },
      });
      const own = await uploadDocument(t.url, account.secret, Array(10).fill("a4"));
      const { envelope, url } = await sendEnvelope(
        [
          signer(1, { name: "Marie Dubois", auth: "email_otp", fields: fiveFields(own.id) }),
          signer(2),
        ],
        { documentIds: [own.id], signingOrder: "sequential" },
        t,
        account.secret,
      );
      const context = await newContext(viewport, { bypassCSP: true });
      const page = await context.newPage();
      const checked: string[] = [];
      const clean = async (state: string) => {
        assert.deepEqual(await axeViolations(page), [], `axe-core, ${name}, ${state}`);
        checked.push(state);
      };
      const shot = (state: string) =>
        page.screenshot({ path: path.join(ARTIFACTS, `signing-axe-${name}-${state}.png`) });

      // The second signer's turn has not come: the page says who it waits for, branded.
      await page.goto(`${t.url}${new URL(envelope.recipients[1].signUrl).pathname}`);
      await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
      assert.match((await page.locator(".notice").textContent()) ?? "", /Marie Dubois/);
      assert.equal(await page.locator("img.sender-logo").getAttribute("alt"), "Acme HR");
      await clean("waiting");
      await shot("waiting");

      await page.goto(url);
      await page.waitForSelector("body[data-rendered=true]", { timeout: 30_000 });
      await clean("opened");
      await page.click("#bar-help");
      await page.waitForSelector("#help-dialog[open]");
      await clean("help");
      await page.click("#help-dialog button");
      await page.click("#decline-button");
      await page.waitForSelector("#decline-dialog[open]");
      await clean("decline");
      await shot("decline");
      await page.click("#decline-dialog .buttons button.secondary");
      // The one-time code, a wrong one first: the error is announced, and clean too.
      await page.click("#bar-next");
      await page.click("#otp-send");
      await page.waitForSelector(".otp-verify:not([hidden])");
      await page.fill("#otp-code", "000001");
      await page.click(".otp-verify button[type=submit]");
      await page.waitForSelector('#status[data-kind="error"]');
      await clean("wrong-code");
      await shot("wrong-code");
      await page.fill("#otp-code", "123456");
      await page.click(".otp-verify button[type=submit]");
      await page.waitForSelector("#adopt-dialog[open]");
      await clean("adopt");
      await page.click("#adopt-dialog .buttons button.secondary");
      await page.waitForSelector("#adopt-dialog", { state: "hidden" });
      // Closed without adopting: a click on the signature field itself opens it again.
      await page.click(".field-signature");
      await page.waitForSelector("#adopt-dialog[open]");
      await signFromBar(page, {
        signature: "type",
        check: async (state) => {
          await clean(state);
          if (state === "finish") await shot("finish");
        },
      });
      await clean("done");
      await shot("done");
      assert.match(
        (await page.locator(".done").textContent()) ?? "",
        /What you signed: contrat\.pdf\..*Once everyone has signed, you will receive the signed documents and their audit trail by email/,
      );

      // Declined by the second signer: the first one's link ends, branded.
      const second = new URL(envelope.recipients[1].signUrl).pathname.split("/").pop();
      const declined = await request(t.url, `/api/v1/signing/${second}/decline`, {
        method: "POST",
        json: { reason: "No" },
      });
      assert.equal(declined.status, 200, JSON.stringify(declined.body));
      assert.equal((await page.goto(url))?.status(), 410);
      assert.equal(await page.locator(".sender-name").textContent(), "Acme HR");
      assert.equal(await page.locator("img.sender-logo").count(), 1);
      await clean("ended");
      await shot("ended");
      assert.deepEqual(checked, [
        "waiting",
        "opened",
        "help",
        "decline",
        "wrong-code",
        "adopt",
        "adopt",
        "filled",
        "finish",
        "done",
        "ended",
      ]);
      await context.close();
    });
  }

  it("lets an approver read and approve from the bar, with nothing to fill in, then goes back to the app", async () => {
    const site = await startSite({ "/approved": "<!doctype html><title>Back</title><p>Back" });
    const { envelope, url } = await sendEnvelope([
      {
        email: "boss@example.com",
        name: "Boss",
        role: "APPROVER",
        redirectUrl: `${site.origin}/approved`,
      },
      signer(2),
    ]);
    const { page, problems } = await open(url, "en-US", PHONE);
    // The way back is held until the confirmation has been looked at (it leaves after 1.5 s).
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(`${site.origin}/approved**`, async (route) => {
      await released;
      await route.continue();
    });
    assert.equal(await progress(page), "Nothing to fill in: read the documents, then finish.");
    assert.equal(await page.locator("#bar-next").isHidden(), true);
    assert.equal(await page.locator("#bar-finish").textContent(), "Approve");
    await page.click("#bar-finish");
    await page.waitForSelector("#finish-dialog[open]");
    assert.equal(await page.locator("#finish-title").textContent(), "Approve the documents");
    await page.check("#consent");
    await page.click("#sign-button");
    await page.waitForSelector(".done");
    assert.match((await page.locator(".done").textContent()) ?? "", /approved the documents/);
    assert.match(
      (await page.locator(".done").textContent()) ?? "",
      /What you approved: contrat\.pdf/,
    );
    assert.equal(
      await page.locator("#redirect-link").getAttribute("href"),
      `${site.origin}/approved?event=signed&envelopeId=${envelope.id}&recipientId=${envelope.recipients[0].id}`,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-approver-phone-done.png") });
    // Outside a frame too, the page takes the recipient back by itself.
    release();
    await page.waitForURL(`${site.origin}/approved?**`, { timeout: 10_000 });
    const after = await request(t.url, `/api/v1/envelopes/${envelope.id}`, { key });
    assert.equal(after.body.recipients[0].status, "APPROVED");
    assert.deepEqual(problems, []);
    await page.context().close();
    site.server.close();
  });

  it("waits on a completed envelope's link until its documents are sealed, then offers them in place (axe-core clean)", async () => {
    const { envelope, url } = await sendEnvelope([signer(1)]);
    await signToCompletion(t.url, new URL(envelope.recipients[0].signUrl).pathname.split("/")[2]!);
    const context = await newContext(PHONE, { bypassCSP: true });
    const page = await context.newPage();
    const problems = watch(page);
    assert.equal((await page.goto(url))?.status(), 410);
    assert.match((await page.locator("h1").textContent()) ?? "", /documents are being sealed/);
    assert.equal(await page.locator("#check-again a").textContent(), "Check again");
    assert.equal(await page.locator(".links a[download]").count(), 0);
    assert.deepEqual(await axeViolations(page), [], "axe-core, being sealed");
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-6-sealing-phone.png") });
    await page.evaluate("window.sameDocument = true");
    while ((await t.app.worker.runDue()) > 0);
    // The page looks again every 5 s and shows the links in place, without reloading.
    await page.waitForSelector("#ended .links a[download]", { timeout: 15_000 });
    assert.deepEqual(await page.locator("#ended .links a").allTextContents(), [
      "Download the signed document",
      "Download the audit trail",
      "Check a signed document",
    ]);
    assert.match((await page.locator("h1").textContent()) ?? "", /everyone has signed\.$/);
    assert.equal(await page.evaluate("window.sameDocument"), true);
    assert.deepEqual(await axeViolations(page), [], "axe-core, sealed");
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-6-sealed-phone.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("tells a recipient whose turn has not come, and says when a link is wrong", async () => {
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
    assert.equal(await page.locator("#action-bar").count(), 0);
    await page.screenshot({ path: path.join(ARTIFACTS, "signing-5-waiting.png"), fullPage: true });
    const wrong = await page.goto(`${t.url}/sign/${"x".repeat(43)}`);
    assert.equal(wrong?.status(), 404);
    assert.match((await page.locator("h1").textContent()) ?? "", /geçerli değil/);
    await page.context().close();
  });
});
