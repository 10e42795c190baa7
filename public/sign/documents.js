// The documents: every page laid out at once, drawn by pdf.js when it comes near the screen.
import * as pdfjs from "/sign-assets/pdf.mjs";
import { fieldControl, fields } from "./fields.js";
import { api, el, notifyParent, say, t, view } from "./page.js";

pdfjs.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.mjs";

// ---------------------------------------------------------------------------------------------
// Documents: every page's frame laid out at once, at its size, with its fields; the page itself
// drawn by pdf.js when it comes near the screen, one at a time, the nearest first.

export const renderQueue = [];
export let rendering = false;
export let pendingDocuments = view.envelope.documents.length;

export async function drainQueue() {
  if (rendering) return;
  rendering = true;
  while (renderQueue.length > 0) {
    const job = renderQueue.shift();
    try {
      await job();
    } catch (error) {
      say(t("error"), "error");
      console.error(error);
    }
  }
  rendering = false;
  maybeRendered();
}

export function maybeRendered() {
  if (pendingDocuments > 0 || rendering || renderQueue.length > 0) return;
  if (document.body.dataset.rendered === "true") return;
  document.getElementById("documents").setAttribute("aria-busy", "false");
  document.body.dataset.rendered = "true";
  notifyParent("certyneo:loaded", { canAct: view.canAct, status: view.recipient.status });
}

export const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      renderQueue.push(entry.target.render);
    }
    drainQueue();
  },
  { rootMargin: "1200px 0px" },
);

// A page far from the screen gives its pixels back (a 300-page document would otherwise hold
// hundreds of megabytes of canvases on a phone) and is drawn again when it comes back near.
export const releaser = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      const frame = entry.target;
      if (entry.isIntersecting || frame.dataset.rendered !== "true") continue;
      const canvas = frame.querySelector("canvas");
      canvas.width = 0;
      canvas.height = 0;
      frame.dataset.rendered = "false";
      observer.observe(frame);
    }
  },
  { rootMargin: "6000px 0px" },
);

export const resizer = new ResizeObserver((entries) => {
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
