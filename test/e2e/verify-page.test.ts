import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  ARTIFACTS,
  BROWSER_SUITE,
  launchChromium,
  seriousAxeViolations,
} from "../helpers/browser.js";
import { sealedEnvelope } from "../helpers/fixtures.js";
import { sealedElsewhere } from "../helpers/pdf.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const VIEWPORTS = {
  desktop: { width: 1100, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/** Anyone checking a PDF at /verify, in Debian's Chromium: a sealed, a tampered and a foreign file. */
describe("the verification page in Chromium", BROWSER_SUITE, () => {
  let t: TestServer;
  let browser: Browser;
  let files: string;
  const file = (name: string) => path.join(files, name);
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_VERIFY_RATE_LIMIT_BURST: "1000" } });
    const { secret: key } = await t.newAccount();
    const envelopeId = await sealedEnvelope(t, key, "Contrat de prestation");
    const response = await fetch(`${t.url}/api/v1/envelopes/${envelopeId}/signed-document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const sealed = Buffer.from(await response.arrayBuffer());
    files = await mkdtemp(path.join(os.tmpdir(), "certyneo-verify-"));
    await writeFile(file("contract-sealed.pdf"), sealed);
    const tampered = Buffer.from(sealed);
    const at = tampered.indexOf("/MediaBox");
    tampered[at + 12] = tampered[at + 12] === 0x30 ? 0x31 : 0x30;
    await writeFile(file("contract-tampered.pdf"), tampered);
    const foreign = await sealedElsewhere("Other Platform");
    await writeFile(file("foreign.pdf"), foreign);
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await rm(files, { recursive: true, force: true });
  });

  async function verifyIn(
    viewport: keyof typeof VIEWPORTS,
    name: string,
    locale = "en-US",
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale, viewport: VIEWPORTS[viewport] });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${t.url}/verify`);
    await page.setInputFiles("#file", file(name));
    await Promise.all([page.waitForURL(/\/verify/), page.click("button[type=submit]")]);
    await page.waitForSelector(".verdict");
    return { page, problems };
  }

  for (const viewport of ["desktop", "phone"] as const) {
    it(`shows a sealed PDF as authentic, with its envelope and signer (${viewport})`, async () => {
      const { page, problems } = await verifyIn(viewport, "contract-sealed.pdf");
      assert.equal(await page.getAttribute(".verdict", "data-result"), "sealed_unchanged");
      const verdict = await page.textContent(".verdict");
      assert.match(verdict ?? "", /Authentic: sealed by this service, and unchanged since\./);
      assert.match(verdict ?? "", /Signer 1, signed on/);
      assert.match(verdict ?? "", /PAdES B-LTA/);
      assert.match(verdict ?? "", /Test envelope/);
      await page.click("details summary");
      assert.ok(await page.isVisible(".signature .certificates"));
      await page.screenshot({
        path: path.join(ARTIFACTS, `verify-1-sealed-${viewport}.png`),
        fullPage: true,
      });
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }

  it("shows a tampered PDF as altered, and a foreign seal as not this service's", async () => {
    const tampered = await verifyIn("desktop", "contract-tampered.pdf", "fr-FR");
    assert.equal(await tampered.page.getAttribute(".verdict", "data-result"), "altered");
    assert.match(
      (await tampered.page.textContent(".verdict")) ?? "",
      /Altéré : une signature ne correspond plus/,
    );
    // What went wrong is shown at once, without opening the details.
    assert.ok(await tampered.page.isVisible(".signature[data-intact=false]"));
    assert.match(
      (await tampered.page.textContent(".signature")) ?? "",
      /Les octets qu'elle couvre ont été modifiés après la signature/,
    );
    await tampered.page.screenshot({
      path: path.join(ARTIFACTS, "verify-2-tampered-desktop.png"),
      fullPage: true,
    });
    await tampered.page.context().close();

    const foreign = await verifyIn("phone", "foreign.pdf", "tr-TR");
    assert.equal(await foreign.page.getAttribute(".verdict", "data-result"), "signed_elsewhere");
    await foreign.page.click("details summary");
    assert.match(
      (await foreign.page.textContent(".signature")) ?? "",
      /Sertifikası bu hizmetin köküne bağlanmıyor/,
    );
    await foreign.page.screenshot({
      path: path.join(ARTIFACTS, "verify-3-foreign-phone.png"),
      fullPage: true,
    });
    await foreign.page.context().close();
  });

  it("has no serious accessibility problem (axe-core), empty and with a report", async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: "en-US" });
    const page = await context.newPage();
    const check = async () => assert.deepEqual(await seriousAxeViolations(page), []);
    await page.goto(`${t.url}/verify`);
    await page.screenshot({ path: path.join(ARTIFACTS, "verify-0-empty-desktop.png") });
    await check();
    await page.setInputFiles("#file", file("contract-sealed.pdf"));
    await Promise.all([page.waitForURL(/\/verify/), page.click("button[type=submit]")]);
    await page.waitForSelector(".verdict");
    await page.click("details summary");
    await check();
    await context.close();
  });
});
