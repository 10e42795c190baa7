// The documents: every page laid out at once, drawn by pdf.js when it comes near the screen.
import * as pdfjs from "/sign-assets/pdf.mjs";
import { fieldControl, fields } from "./fields.js";
import { api, el, notifyParent, say, t, view } from "./page.js";

pdfjs.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.mjs";

// Every page's frame is laid out at once, at its size, with its fields; the page itself is drawn
// by pdf.js when it comes near the screen, one at a time, the nearest first.

/** How near the screen a page must be to be drawn, and how far to give its pixels back. */
const NEAR_PX = 1200;
const FAR_PX = 6000;

/**
 * Faster than this (CSS px per ms), the recipient is flinging past pages, not reading them: a
 * page is drawn once the scroll has stayed slower for SETTLE_MS. Drawing a page holds the main
 * thread for tens of milliseconds on a phone; during a fling that was every frame.
 */
const FLING_PX_PER_MS = 1.5;
const SETTLE_MS = 120;

let lastScroll = { y: window.scrollY, at: performance.now() };
let flungAt = Number.NEGATIVE_INFINITY;
window.addEventListener(
  "scroll",
  () => {
    const now = performance.now();
    const speed = Math.abs(window.scrollY - lastScroll.y) / Math.max(1, now - lastScroll.at);
    if (speed > FLING_PX_PER_MS) flungAt = now;
    lastScroll = { y: window.scrollY, at: now };
  },
  { passive: true },
);

/** Resolves once the page is not being flung (at once when it is not). */
async function settled() {
  for (;;) {
    const wait = flungAt + SETTLE_MS - performance.now();
    if (wait <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

const waiting = new Set();
let rendering = false;
let pendingDocuments = view.envelope.documents.length;

/** How far `frame` is from the screen, in CSS pixels (0 when on it). */
function distance(frame) {
  const { top, bottom } = frame.getBoundingClientRect();
  return Math.max(0, top - window.innerHeight, -bottom);
}

async function drainQueue() {
  if (rendering) return;
  rendering = true;
  while (waiting.size > 0) {
    await settled();
    const frame = [...waiting].reduce((a, b) => (distance(b) < distance(a) ? b : a));
    waiting.delete(frame);
    // Scrolled away since it was queued: drawn when it comes near again.
    if (distance(frame) > NEAR_PX) {
      observer.observe(frame);
      continue;
    }
    try {
      await frame.render();
    } catch (error) {
      say(t("error"), "error");
      console.error(error);
    }
  }
  rendering = false;
  maybeRendered();
}

function maybeRendered() {
  if (pendingDocuments > 0 || rendering || waiting.size > 0) return;
  if (document.body.dataset.rendered === "true") return;
  document.getElementById("documents").setAttribute("aria-busy", "false");
  document.body.dataset.rendered = "true";
  notifyParent("certyneo:loaded", { canAct: view.canAct, status: view.recipient.status });
}

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      waiting.add(entry.target);
    }
    drainQueue();
  },
  { rootMargin: `${NEAR_PX}px 0px` },
);

/** A drawn page gives its pixels back (a 300-page contract would otherwise hold hundreds of megabytes of canvases on a phone). */
function release(frame) {
  const canvas = frame.querySelector("canvas");
  canvas.width = 0;
  canvas.height = 0;
  frame.dataset.rendered = "false";
}

// A page far from the screen is released, and drawn again when it comes back near.
const releaser = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      const frame = entry.target;
      if (entry.isIntersecting || frame.dataset.rendered !== "true") continue;
      release(frame);
      observer.observe(frame);
    }
  },
  { rootMargin: `${FAR_PX}px 0px` },
);

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const frame = entry.target;
    frame.style.setProperty("--s", String(frame.clientWidth / Number(frame.dataset.width)));
  }
});

export function renderDocuments() {
  const container = document.getElementById("documents");
  container.replaceChildren();
  for (const doc of view.envelope.documents) {
    const section = el(
      "article",
      { class: "document", "aria-label": doc.name },
      el("h3", { text: doc.name }),
    );
    container.append(section);
    // Read by ranges of 512 KB, as pages need them: the first page of a 25 MB contract shows
    // after its cross-reference table and its own objects have arrived, not the whole file.
    const loaded = pdfjs.getDocument({
      url: `${api}/documents/${encodeURIComponent(doc.id)}`,
      rangeChunkSize: 512 * 1024,
      disableAutoFetch: true,
      disableStream: true,
      isEvalSupported: false,
    }).promise;
    loaded
      .catch((error) => {
        say(t("error"), "error");
        console.error(error);
        notifyParent("certyneo:error", { code: "document_unavailable", documentId: doc.id });
      })
      .finally(() => {
        pendingDocuments -= 1;
        maybeRendered();
      });
    doc.pageSizes.forEach((size, index) => {
      const number = index + 1;
      const pages = doc.pageSizes.length;
      const canvas = el("canvas", {
        class: "page",
        role: "img",
        "aria-label": `${doc.name} — ${t("pageOf", { page: number, pages })}`,
        "data-page": number,
      });
      const frame = el("div", { class: "page-frame", "data-width": size.width }, canvas);
      frame.style.aspectRatio = `${size.width} / ${size.height}`;
      frame.style.setProperty("--s", "1");
      for (const field of fields.filter((f) => f.documentId === doc.id && f.page === number))
        frame.append(fieldControl(field, number));
      frame.render = async () => {
        const pdf = await loaded;
        const page = await pdf.getPage(number);
        const base = page.getViewport({ scale: 1 });
        const ratio = Math.min(window.devicePixelRatio || 1, 2);
        const viewport = page.getViewport({ scale: (frame.clientWidth / base.width) * ratio });
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
        frame.dataset.rendered = "true";
        page.cleanup();
        // Scrolled far away while it was drawn: its releaser has already looked, so release now.
        if (distance(frame) > FAR_PX) {
          release(frame);
          observer.observe(frame);
        }
      };
      section.append(
        frame,
        el("p", { class: "page-number", text: t("pageOf", { page: number, pages }) }),
      );
      resizer.observe(frame);
      observer.observe(frame);
      releaser.observe(frame);
    });
  }
}
