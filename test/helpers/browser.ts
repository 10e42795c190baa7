import { createRequire } from "node:module";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { testDatabaseKind } from "./database.js";

const require = createRequire(import.meta.url);

/** Where the end-to-end tests leave their screenshots. */
export const ARTIFACTS = path.resolve("test-artifacts");

/** Debian's Chromium (`CERTYNEO_CHROMIUM` for another), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CERTYNEO_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

type AxeViolation = { id: string; impact: string; help: string; targets: string[] };

/**
 * axe-core's violations on the page as it is, whatever their impact. axe is injected as an
 * inline script, which our pages' CSP rightly forbids: open the page in a context with
 * `bypassCSP`.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>("typeof axe !== 'undefined'")))
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  return page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })))`,
  );
}

/** axe-core's serious and critical violations on the page as it is (see `axeViolations`). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter(
    (v) => v.impact === "serious" || v.impact === "critical",
  );
}

/**
 * The browser suites run once, on SQLite: what a page does in Chromium does not depend on the
 * database, and the API they call is tested on both databases by the API suites. This keeps the
 * PostgreSQL pass within CI's time.
 */
export const BROWSER_SUITE = {
  skip: testDatabaseKind === "postgres" && "in Chromium on SQLite only (the API is tested on both)",
};
