// `npm run bench:signing-scroll`: how smoothly the signing page scrolls through a large document
// on a phone. Debian's Chromium (playwright-core) at 390x844, 2x pixels, touch, and its CPU slowed
// 4 times (as DevTools' "mid-tier mobile"), scrolls a 10 MB, 120-page document (bench/big-pdf.ts:
// one image a page, as a scanned contract) at a steady speed, one step a frame: flung from top
// to bottom at 3,000 px/s, then read at 500 px/s over its first 12,000 px. Measured in the page: the time between frames (p50, p95, p99, longest), the frames that
// took over 50 ms, the main thread's long tasks, and how many pages were drawn at the end.
// Baseline in the same run, the floor: the same scroll over the same 120 page boxes at the same
// sizes, with nothing drawn in them (what scrolling costs the browser alone). Issue 18 asks that
// large documents "render progressively and stay smooth on a phone"; no target figure.
// BENCH_SCROLL_RUNS (2), BENCH_SCROLL_PAGES, _BYTES and _CPU_SLOWDOWN change the run;
// BENCH_SCROLL_PROFILE=FILE.cpuprofile writes the signing page's main-thread CPU profile there.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/helpers/browser.js";
import { ourServer } from "./autocannon.js";
import { bigPdf } from "./big-pdf.js";

const PAGES = Number(process.env.BENCH_SCROLL_PAGES ?? 120);
const BYTES = Number(process.env.BENCH_SCROLL_BYTES ?? 10 * 1024 * 1024);
const CPU_SLOWDOWN = Number(process.env.BENCH_SCROLL_CPU_SLOWDOWN ?? 4);
/** A fling through the whole document, then reading speed over its first 12,000 px. */
const SPEEDS = [
  { name: "fling", pxPerSecond: 3000, maxPx: Number.POSITIVE_INFINITY },
  { name: "reading", pxPerSecond: 500, maxPx: 12_000 },
];

interface Scroll {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  longest: number;
  over50: number;
  longTasks: number;
  longTaskMs: number;
  seconds: number;
  drawn: number;
  /** Pages drawn 3 s after the scroll stopped. */
  drawnAfter?: number;
}

/** Scrolls the page down by `maxPx` (or to its end) at a steady speed, a step each frame. */
function scrollThrough(page: Page, speed: (typeof SPEEDS)[number]): Promise<Scroll> {
  return page.evaluate<Scroll>(`new Promise((resolve) => {
    const intervals = [];
    const tasks = [];
    const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
    observer.observe({ type: "longtask" });
    const end = Math.min(${speed.maxPx}, document.documentElement.scrollHeight - innerHeight);
    const start = performance.now();
    let last = start;
    const step = (now) => {
      intervals.push(now - last);
      last = now;
      window.scrollTo(0, Math.min(end, ((now - start) / 1000) * ${speed.pxPerSecond}));
      if (window.scrollY < end) return requestAnimationFrame(step);
      observer.disconnect();
      intervals.sort((a, b) => a - b);
      const at = (q) => intervals[Math.min(intervals.length - 1, Math.floor(q * intervals.length))];
      resolve({
        frames: intervals.length,
        p50: at(0.5), p95: at(0.95), p99: at(0.99), longest: intervals.at(-1),
        over50: intervals.filter((ms) => ms > 50).length,
        longTasks: tasks.length,
        longTaskMs: tasks.reduce((sum, t) => sum + t.duration, 0),
        seconds: (now - start) / 1000,
        drawn: document.querySelectorAll(".page-frame[data-rendered=true]").length,
      });
    };
    requestAnimationFrame((now) => { last = now; requestAnimationFrame(step); });
  })`);
}

/** The floor: the signing page's 120 page boxes, at the same sizes, with nothing drawn. */
function floorPage(sizes: { width: number; height: number }[]): string {
  const frames = sizes
    .map(
      (s) =>
        `<div class="page-frame" style="aspect-ratio:${s.width} / ${s.height}"><canvas></canvas></div><p>Page</p>`,
    )
    .join("");
  return `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font-family:sans-serif;background:#f4f5f9}main{max-width:60rem;margin:0 auto;padding:1rem}
.page-frame{position:relative;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.15)}canvas{width:100%;height:100%;display:block}</style>
</head><body><main>${frames}</main></body></html>`;
}

const row = (name: string, s: Scroll) =>
  `${name.padEnd(34)} ${String(s.frames).padStart(5)} frames in ${s.seconds.toFixed(1)} s; frame p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, longest ${s.longest.toFixed(0)} ms; ${s.over50} over 50 ms; ${s.longTasks} long tasks (${s.longTaskMs.toFixed(0)} ms); ${s.drawn} pages drawn at the end, ${s.drawnAfter} 3 s later`;

const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-scroll-"));
const server = await ourServer({ CERTYNEO_DATA_DIR: dir }, { worker: false });
const browser = await launchChromium();
try {
  const headers = {
    authorization: `Bearer ${server.options.key}`,
    "content-type": "application/json",
  };
  const post = async <T>(route: string, body: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${route}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const document = await post<{ id: string; pageSizes: { width: number; height: number }[] }>(
    "/api/v1/documents",
    {
      name: "scanned.pdf",
      content: bigPdf(PAGES, BYTES).toString("base64"),
    },
  );
  const envelope = await post<{ id: string }>("/api/v1/envelopes", {
    subject: "Scroll",
    documentIds: [document.id],
    recipients: [{ email: "signer@example.com", name: "Signer", role: "SIGNER" }],
  });
  const sent = await post<{ recipients: { signUrl: string }[] }>(
    `/api/v1/envelopes/${envelope.id}/send`,
    {},
  );
  const signUrl = `${server.url}${new URL(sent.recipients[0]!.signUrl).pathname}`;

  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  const measure = async (
    open: (page: Page) => Promise<void>,
    speed: (typeof SPEEDS)[number],
  ): Promise<Scroll> => {
    const page = await context.newPage();
    await open(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    const profiling = process.env.BENCH_SCROLL_PROFILE && page.url().includes("/sign/");
    if (profiling) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.start");
    }
    const scrolled = await scrollThrough(page, speed);
    // Stopped: the pages on screen are drawn then.
    await page.waitForTimeout(3000);
    const result = {
      ...scrolled,
      drawnAfter: await page.locator(".page-frame[data-rendered=true]").count(),
    };
    if (profiling) {
      const { profile } = await cdp.send("Profiler.stop");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(process.env.BENCH_SCROLL_PROFILE!, JSON.stringify(profile));
    }
    await page.close();
    return result;
  };
  console.log(
    `Scrolling a ${(BYTES / 1024 / 1024).toFixed(0)} MB, ${PAGES}-page document at 390x844, 2x pixels, CPU slowed ${CPU_SLOWDOWN}x`,
  );
  for (let run = 1; run <= Number(process.env.BENCH_SCROLL_RUNS ?? 2); run++) {
    for (const speed of SPEEDS) {
      const label = `run ${run}, ${speed.name} (${speed.pxPerSecond} px/s)`;
      const floor = await measure(async (page) => {
        await page.setContent(floorPage(document.pageSizes));
      }, speed);
      const ours = await measure(async (page) => {
        await page.goto(signUrl);
        await page.waitForSelector("body[data-rendered=true]", { timeout: 60_000 });
      }, speed);
      console.log(row(`${label}: bare page boxes (floor)`, floor));
      console.log(row(`${label}: the signing page`, ours));
      console.log(
        `${label}: p95 frame ${(ours.p95 / floor.p95).toFixed(2)}x the floor, p99 ${(ours.p99 / floor.p99).toFixed(2)}x`,
      );
    }
  }
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
