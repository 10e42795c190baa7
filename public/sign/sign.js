// The signing page's script: renders the documents with pdf.js, lays the recipient's fields on
// their pages, guides them field by field from the action bar, and talks to the signer API.
// Plain browser JavaScript, served as is; every string comes from the server in the page's language.
import * as pdfjs from "/sign-assets/pdf.mjs";
import SignaturePad from "/sign-assets/signature_pad.js";

const config = JSON.parse(document.getElementById("signing-config").textContent);
const messages = JSON.parse(document.getElementById("signing-messages").textContent);
// The sender's colour (checked for contrast when set); through the CSSOM, which the CSP allows.
const accent = config.view.envelope.branding?.accentColor;
if (accent) document.documentElement.style.setProperty("--accent", accent);
const { token, view } = config;
const api = `/api/v1/signing/${encodeURIComponent(token)}`;
const signer = view.recipient.role === "SIGNER";
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

pdfjs.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.mjs";

/** What a stamp draws under a signature, in PDF points (src/pdf/stamp.ts). */
const STAMP = { caption: 7.5, captionBand: 9.5, textMax: 12, typedMax: 28 };
/** The largest signature picture accepted from the recipient's disk, before it is reduced. */
const UPLOAD_MAX_BYTES = 5 * 1024 * 1024;
/** The API's limit on the PNG we send, with room for the data: URL's base64. */
const PNG_MAX_CHARS = 1_300_000;

function t(key, params = {}) {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** The API's errors in the page's language; its own messages are in English. */
function explain(error) {
  const remaining = /(\d+) attempt/.exec(error.message)?.[1] ?? "";
  const keys = {
    otp_invalid: ["otpInvalid", { remaining }],
    otp_expired: ["otpExpired"],
    otp_locked: ["otpLocked"],
    otp_not_sent: ["otpLocked"],
    otp_required: ["otpFirst"],
    rate_limit_exceeded: ["tooMany"],
    otp_delivery_failed: ["otpDeliveryFailed"],
    consent_required: ["missingConsent"],
    signature_required: ["missingSignature"],
    signature_invalid: ["missingSignature"],
    signature_image_too_large: ["uploadTooLarge"],
    field_required: ["missingField"],
    field_invalid: ["missingField"],
    envelope_completed: ["completed"],
    envelope_declined: ["declined"],
    envelope_voided: ["voided"],
    envelope_expired: ["expired"],
    signing_link_invalid: ["invalidLink"],
  };
  const [key, params] = keys[error.code] ?? ["error"];
  return t(key, params);
}

const statusLine = document.getElementById("status");
function say(text, kind = "info") {
  statusLine.textContent = text;
  statusLine.dataset.kind = kind;
}

// Embedding: events for the parent page, to the origins allowed to frame us, and nobody else.
const framed = window.parent !== window;
function notifyParent(type, detail = {}) {
  if (!framed) return;
  const message = {
    type,
    envelopeId: view.envelope.id,
    recipientId: view.recipient.id,
    ...detail,
  };
  // Where the browser names the parent's origin, only that one, and only if it is allowed.
  const ancestors = window.location.ancestorOrigins;
  const targets =
    ancestors && ancestors.length > 0
      ? config.parentOrigins.filter((origin) => origin === ancestors[0])
      : config.parentOrigins;
  for (const origin of targets) window.parent.postMessage(message, origin);
}

function fail(error) {
  say(explain(error), "error");
  notifyParent("certyneo:error", { code: error.code ?? "error" });
}

async function call(path, body) {
  const response = await fetch(`${api}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(payload.error?.message ?? "");
    error.code = payload.error?.code;
    throw error;
  }
  return payload;
}

function utcNow() {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function initialsOf(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase())
    .join("")
    .slice(0, 5);
}

// ---------------------------------------------------------------------------------------------
// What the recipient has given so far.

const state = {
  verified: !view.otpRequired,
  started: false,
  finished: false,
  /** {type: "drawn" | "uploaded", image} or {type: "typed", text}, once adopted. */
  signature: null,
  initials: initialsOf(view.recipient.name),
};

const fields = signer && view.canAct ? [...view.fields] : [];
const documentOrder = new Map(view.envelope.documents.map((d, i) => [d.id, i]));
fields.sort(
  (a, b) =>
    documentOrder.get(a.documentId) - documentOrder.get(b.documentId) ||
    a.page - b.page ||
    a.y - b.y ||
    a.x - b.x,
);
/** Each field's element on its page, and how to read and show its value. */
const controls = new Map();

function isFilled(field) {
  const control = controls.get(field.id);
  if (field.type === "signature") return state.signature !== null;
  if (field.type === "initials") return state.signature !== null && state.initials.trim() !== "";
  if (field.type === "checkbox") return control?.input.checked === true;
  return (control?.input.value ?? "").trim() !== "";
}

function fieldLabel(field) {
  if (field.label) return field.label;
  return {
    signature: t("signHere"),
    initials: t("initialsHere"),
    date: t("fieldDate"),
    text: t("fieldText"),
    checkbox: t("fieldCheckbox"),
  }[field.type];
}

function fieldValues() {
  const values = {};
  for (const field of fields) {
    if (field.type === "signature") continue;
    if (field.type === "initials") {
      values[field.id] = state.initials.trim();
      continue;
    }
    const { input } = controls.get(field.id);
    const value = field.type === "checkbox" ? String(input.checked) : input.value.trim();
    if (value) values[field.id] = value;
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Fields on their pages: each a control in the box where it will be stamped.

/** `--s` on a page frame is its CSS pixels per PDF point; every size of a field follows it. */
function fieldControl(field, pageNumber) {
  const label = fieldLabel(field);
  const name = `${t("fieldOnPage", { label, page: pageNumber })} (${t(field.required ? "requiredMark" : "optionalMark")})`;
  const wrap = el("div", {
    class: `field field-${field.type}${field.required ? " required" : ""}`,
    "data-field-id": field.id,
  });
  Object.assign(wrap.style, {
    left: `calc(var(--s) * ${field.x}px)`,
    top: `calc(var(--s) * ${field.y}px)`,
    width: `calc(var(--s) * ${field.width}px)`,
    height: `calc(var(--s) * ${field.height}px)`,
  });
  wrap.style.setProperty(
    "--text",
    String(Math.min(STAMP.textMax, field.height * 0.75, Math.max(4, field.width / 4))),
  );
  wrap.append(
    el(
      "span",
      { class: "field-tag", "aria-hidden": "true" },
      label,
      field.required ? el("span", { class: "required-mark", text: " *" }) : null,
    ),
  );
  let input;
  if (field.type === "signature" || field.type === "initials") {
    input = el("button", {
      type: "button",
      class: "field-control",
      "aria-label": name,
      onclick: () => openAdopt(field),
    });
  } else if (field.type === "checkbox") {
    input = el("input", {
      type: "checkbox",
      class: "field-control",
      "aria-label": name,
      "aria-required": field.required ? "true" : undefined,
    });
  } else {
    input = el("input", {
      type: "text",
      class: "field-control",
      "aria-label": name,
      "aria-required": field.required ? "true" : undefined,
      placeholder: label,
      maxlength: 500,
      autocomplete: "off",
      spellcheck: "false",
      value: field.type === "date" ? new Date().toISOString().slice(0, 10) : undefined,
    });
  }
  // A small field is hard to hit with a finger: its surroundings (.field::before) act for it.
  wrap.addEventListener("click", (event) => {
    if (event.target !== wrap || input.disabled) return;
    if (input.tagName === "BUTTON" || input.type === "checkbox") input.click();
    input.focus();
  });
  input.addEventListener("focus", () => markCurrent(field));
  if (input.tagName === "INPUT") input.addEventListener("input", () => refresh());
  // Until the recipient has confirmed who they are, a field only leads to that step.
  if (input.tagName === "INPUT") input.disabled = !state.verified;
  wrap.append(input);
  controls.set(field.id, { field, wrap, input });
  return wrap;
}

/** The adopted signature drawn into a field as the stamp will draw it: mark above, caption below. */
function showSignature(control) {
  const { field, input } = control;
  input.replaceChildren();
  if (!state.signature) return;
  if (field.type === "initials") {
    input.append(el("span", { class: "stamp-text", text: state.initials }));
    return;
  }
  const mark = el("span", { class: "stamp-mark" });
  if (state.signature.type === "typed") {
    const text = el("span", { class: "stamp-typed", text: state.signature.text });
    const size = typedSize(state.signature.text, field);
    text.style.setProperty("--typed", String(size));
    // The seal puts the baseline (markHeight - size) / 2 above the caption band; with a line
    // height of 1, DejaVu's baseline sits 0.154 em above the bottom of the line.
    const markHeight = Math.max(1, field.height - STAMP.captionBand);
    text.style.setProperty("--typed-bottom", String((markHeight - size) / 2 - 0.154 * size));
    mark.append(text);
  } else {
    mark.append(el("img", { src: state.signature.image, alt: "" }));
  }
  input.append(
    mark,
    el("span", { class: "stamp-caption", text: `${view.recipient.name} — ${utcNow()}` }),
  );
}

const measure = document.createElement("canvas").getContext("2d");
/** The typed signature's size in points, as src/pdf/stamp.ts fits it to the field. */
function typedSize(text, field) {
  measure.font = "oblique 1px CertyneoStampOblique, sans-serif";
  const width = Math.max(0.5, measure.measureText(text).width);
  const markHeight = Math.max(1, field.height - STAMP.captionBand);
  return Math.max(4, Math.min(STAMP.typedMax, markHeight * 0.75, (field.width - 4) / width));
}

let current = null;
function markCurrent(field) {
  current = field;
  for (const control of controls.values())
    control.wrap.classList.toggle("current", control.field === field);
}

// ---------------------------------------------------------------------------------------------
// Documents: every page's frame laid out at once, at its size, with its fields; the page itself
// drawn by pdf.js when it comes near the screen, one at a time, the nearest first.

const renderQueue = [];
let rendering = false;
let pendingDocuments = view.envelope.documents.length;

async function drainQueue() {
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

function maybeRendered() {
  if (pendingDocuments > 0 || rendering || renderQueue.length > 0) return;
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
      renderQueue.push(entry.target.render);
    }
    drainQueue();
  },
  { rootMargin: "1200px 0px" },
);

// A page far from the screen gives its pixels back (a 300-page document would otherwise hold
// hundreds of megabytes of canvases on a phone) and is drawn again when it comes back near.
const releaser = new IntersectionObserver(
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

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const frame = entry.target;
    frame.style.setProperty("--s", String(frame.clientWidth / Number(frame.dataset.width)));
  }
});

function renderDocuments() {
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

// ---------------------------------------------------------------------------------------------
// Identity: a one-time code by email or SMS when the sender asked for one.

function otpPanel() {
  const destination = view.recipient.auth === "sms_otp" ? "" : view.recipient.email;
  const intro =
    view.recipient.auth === "sms_otp"
      ? t("otpIntroSms", { destination: "" })
      : t("otpIntroEmail", { destination });
  const input = el("input", {
    id: "otp-code",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    pattern: "[0-9]{6}",
    maxlength: 6,
    required: true,
  });
  const verifyBox = el(
    "form",
    { class: "otp-verify", hidden: true },
    el("label", { for: "otp-code", text: t("otpLabel") }),
    input,
    el("button", { type: "submit", class: "primary", text: t("otpVerify") }),
  );
  const sendButton = el("button", { type: "button", id: "otp-send", text: t("otpSend") });
  sendButton.addEventListener("click", async () => {
    sendButton.disabled = true;
    try {
      const sent = await call("/otp");
      say(t("otpSent", { destination: sent.destination }));
      verifyBox.hidden = false;
      sendButton.textContent = t("otpResend");
      input.focus();
    } catch (error) {
      fail(error);
    } finally {
      sendButton.disabled = false;
    }
  });
  verifyBox.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await call("/otp/verify", { code: input.value.trim() });
      say(t("otpVerified"), "success");
      panel.remove();
      state.verified = true;
      for (const control of controls.values()) control.input.disabled = false;
      refresh();
      goToNext();
    } catch (error) {
      fail(error);
      input.select();
    }
  });
  const panel = el(
    "section",
    { class: "panel otp", id: "otp-panel", "aria-labelledby": "otp-title", tabindex: -1 },
    el("h2", { id: "otp-title", text: t("otpTitle") }),
    el("p", { text: intro }),
    view.envelope.environment === "test"
      ? el("p", { class: "hint", text: t("otpTestHint") })
      : null,
    sendButton,
    verifyBox,
  );
  return panel;
}

// ---------------------------------------------------------------------------------------------
// Adopting a signature: drawn, typed or uploaded; then shown in every field of the recipient.

/** The canvas cut to what is drawn on it, with a small margin: the mark fills its field. */
function trimmed(source) {
  const { width, height } = source;
  const pixels = source.getContext("2d").getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[(y * width + x) * 4 + 3] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  if (right < 0) return null;
  const margin = 4;
  left = Math.max(0, left - margin);
  top = Math.max(0, top - margin);
  right = Math.min(width - 1, right + margin);
  bottom = Math.min(height - 1, bottom + margin);
  const out = document.createElement("canvas");
  out.width = right - left + 1;
  out.height = bottom - top + 1;
  out
    .getContext("2d")
    .drawImage(source, left, top, out.width, out.height, 0, 0, out.width, out.height);
  return out;
}

/** A PNG data: URL the API accepts, reduced until it fits its limit. */
function pngWithinLimit(canvas) {
  let current = canvas;
  for (;;) {
    const url = current.toDataURL("image/png");
    if (url.length <= PNG_MAX_CHARS || current.width < 50) return url;
    const smaller = document.createElement("canvas");
    smaller.width = Math.floor(current.width * 0.7);
    smaller.height = Math.floor(current.height * 0.7);
    smaller.getContext("2d").drawImage(current, 0, 0, smaller.width, smaller.height);
    current = smaller;
  }
}

/** A photo or scan of a signature: reduced, its paper made transparent, cut to the ink. */
async function uploadedSignature(file) {
  if (!/^image\/(png|jpeg)$/.test(file.type)) throw new Error("uploadUnreadable");
  if (file.size > UPLOAD_MAX_BYTES) throw new Error("uploadTooLarge");
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("uploadUnreadable");
  }
  const scale = Math.min(1, 1200 / bitmap.width, 600 / bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const data = image.data;
  for (let i = 0; i < data.length; i += 4) {
    const light = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    if (light > 215) data[i + 3] = 0;
  }
  context.putImageData(image, 0, 0);
  const cut = trimmed(canvas);
  if (!cut) throw new Error("uploadUnreadable");
  return pngWithinLimit(cut);
}

let adoptDialog = null;
function buildAdoptDialog() {
  const hasInitials = fields.some((f) => f.type === "initials");
  const canvas = el("canvas", {
    id: "signature-pad",
    class: "signature-pad",
    "aria-label": t("drawHint"),
  });
  const typed = el("input", {
    id: "signature-typed",
    autocomplete: "name",
    value: view.recipient.name,
  });
  const typedPreview = el("p", {
    class: "typed-preview",
    "aria-hidden": "true",
    text: view.recipient.name,
  });
  typed.addEventListener("input", () => {
    typedPreview.textContent = typed.value;
  });
  const upload = el("input", {
    id: "signature-upload",
    type: "file",
    accept: "image/png,image/jpeg",
  });
  const uploadPreview = el("img", { class: "upload-preview", alt: "", hidden: true });
  let uploaded = null;
  upload.addEventListener("change", async () => {
    uploaded = null;
    uploadPreview.hidden = true;
    const file = upload.files?.[0];
    if (!file) return;
    try {
      uploaded = await uploadedSignature(file);
      uploadPreview.src = uploaded;
      uploadPreview.hidden = false;
      dialogStatus.textContent = "";
    } catch (error) {
      dialogStatus.textContent = t(error.message);
    }
  });
  const initials = el("input", {
    id: "initials-input",
    maxlength: 10,
    value: state.initials,
  });
  const dialogStatus = el("p", { class: "dialog-status", role: "alert" });
  const panes = {
    draw: el(
      "div",
      { class: "pane", id: "pane-draw", role: "tabpanel", "aria-labelledby": "tab-draw" },
      el("p", { class: "hint", text: t("drawHint") }),
      canvas,
      el("button", {
        type: "button",
        class: "secondary",
        text: t("clear"),
        onclick: () => pad.clear(),
      }),
    ),
    type: el(
      "div",
      {
        class: "pane",
        id: "pane-type",
        role: "tabpanel",
        "aria-labelledby": "tab-type",
        hidden: true,
      },
      el("label", { for: "signature-typed", text: t("typedLabel") }),
      typed,
      typedPreview,
    ),
    upload: el(
      "div",
      {
        class: "pane",
        id: "pane-upload",
        role: "tabpanel",
        "aria-labelledby": "tab-upload",
        hidden: true,
      },
      el("label", { for: "signature-upload", text: t("uploadLabel") }),
      upload,
      uploadPreview,
    ),
  };
  let mode = "draw";
  const tab = (name, label) =>
    el("button", {
      type: "button",
      role: "tab",
      id: `tab-${name}`,
      "aria-controls": `pane-${name}`,
      "aria-selected": name === "draw" ? "true" : "false",
      text: label,
      onclick: () => {
        mode = name;
        for (const [other, pane] of Object.entries(panes)) {
          pane.hidden = other !== name;
          document
            .getElementById(`tab-${other}`)
            .setAttribute("aria-selected", String(other === name));
        }
        dialogStatus.textContent = "";
        if (name === "draw") resize();
      },
    });
  const form = el(
    "form",
    { method: "dialog" },
    el("h2", { id: "adopt-title", text: t("adoptTitle") }),
    el("p", { class: "hint", text: t("adoptIntro") }),
    el(
      "div",
      { role: "tablist" },
      tab("draw", t("draw")),
      tab("type", t("typeIt")),
      tab("upload", t("upload")),
    ),
    panes.draw,
    panes.type,
    panes.upload,
    hasInitials
      ? el("div", {}, el("label", { for: "initials-input", text: t("initialsLabel") }), initials)
      : null,
    dialogStatus,
    el(
      "div",
      { class: "buttons" },
      el("button", {
        type: "button",
        class: "secondary",
        text: t("cancel"),
        onclick: () => dialog.close(),
      }),
      el("button", { type: "submit", class: "primary", id: "adopt-confirm", text: t("adopt") }),
    ),
  );
  const dialog = el("dialog", { id: "adopt-dialog", "aria-labelledby": "adopt-title" }, form);
  document.body.append(dialog);
  const pad = new SignaturePad(canvas, { penColor: "#0b2a6f", minWidth: 0.8, maxWidth: 2.6 });
  function resize() {
    if (!canvas.offsetWidth) return;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let signature = null;
    if (mode === "type") {
      const text = typed.value.trim();
      if (text) signature = { type: "typed", text };
    } else if (mode === "upload") {
      if (uploaded) signature = { type: "uploaded", image: uploaded };
    } else if (!pad.isEmpty()) {
      const cut = trimmed(canvas);
      if (cut) signature = { type: "drawn", image: pngWithinLimit(cut) };
    }
    if (!signature) {
      dialogStatus.textContent = t("missingSignature");
      return;
    }
    if (hasInitials && !initials.value.trim()) {
      dialogStatus.textContent = t("missingField");
      initials.focus();
      return;
    }
    state.signature = signature;
    if (hasInitials) state.initials = initials.value.trim();
    for (const control of controls.values()) {
      if (control.field.type === "signature" || control.field.type === "initials")
        showSignature(control);
    }
    dialog.close();
    refresh();
  });
  dialog.addEventListener("close", () => dialog.returnTo?.focus({ preventScroll: true }));
  return { dialog, resize };
}

function openAdopt(field) {
  if (!state.verified) return goToOtp();
  adoptDialog ??= buildAdoptDialog();
  adoptDialog.dialog.returnTo = controls.get(field.id)?.input ?? null;
  markCurrent(field);
  adoptDialog.dialog.showModal();
  adoptDialog.resize();
}

// ---------------------------------------------------------------------------------------------
// The action bar: where the recipient is, the next field, finish, decline and help.

const bar = {};

function requiredFields() {
  return fields.filter((f) => f.required);
}

function ready() {
  if (!state.verified || state.finished) return false;
  if (!signer) return true;
  return state.signature !== null && requiredFields().every(isFilled);
}

function refresh() {
  if (!bar.root) return;
  const required = requiredFields();
  const done = required.filter(isFilled).length;
  bar.meter.max = Math.max(1, required.length);
  bar.meter.value = required.length === 0 ? 1 : done;
  bar.progress.textContent =
    required.length === 0
      ? t("progressNone")
      : done === required.length
        ? t("progressDone")
        : t("progress", { done, total: required.length });
  bar.next.textContent = t(state.started ? "barNext" : "barStart");
  bar.next.hidden = signer ? required.length === 0 && state.started : state.verified;
  bar.finish.disabled = !ready();
  for (const control of controls.values())
    control.wrap.classList.toggle("filled", isFilled(control.field));
}

function goToOtp() {
  const panel = document.getElementById("otp-panel");
  if (!panel) return;
  say(t("otpFirst"));
  panel.scrollIntoView({ block: "start", behavior: reducedMotion ? "auto" : "smooth" });
  (document.getElementById("otp-code")?.offsetParent
    ? document.getElementById("otp-code")
    : document.getElementById("otp-send")
  ).focus({ preventScroll: true });
}

/** The next required field not filled after the current one, in reading order, round to the start. */
function nextField() {
  const open = fields.filter((f) => f.required && !isFilled(f));
  const candidates = open.length > 0 ? open : fields.filter((f) => !isFilled(f));
  if (candidates.length === 0) return null;
  const at = current ? fields.indexOf(current) : -1;
  return (
    candidates.find((f) => fields.indexOf(f) > at) ??
    candidates.find((f) => fields.indexOf(f) !== at) ??
    candidates[0]
  );
}

function goToNext() {
  state.started = true;
  if (!state.verified) return goToOtp();
  const field = nextField();
  refresh();
  if (!field || (isFilled(field) && ready())) {
    bar.finish.focus();
    return;
  }
  const { wrap, input } = controls.get(field.id);
  wrap.scrollIntoView({ block: "center", behavior: reducedMotion ? "auto" : "smooth" });
  input.focus({ preventScroll: true });
  markCurrent(field);
  if ((field.type === "signature" || field.type === "initials") && !state.signature)
    openAdopt(field);
}

function helpDialog() {
  const dialog = el(
    "dialog",
    { id: "help-dialog", "aria-labelledby": "help-title" },
    el(
      "form",
      { method: "dialog" },
      el("h2", { id: "help-title", text: t("helpTitle") }),
      el(
        "ol",
        {},
        el("li", { text: t("helpStep1") }),
        el("li", { text: t("helpStep2") }),
        el("li", { text: t("helpStep3") }),
      ),
      el("p", { text: t("helpContact", { account: view.envelope.accountName }) }),
      el(
        "div",
        { class: "buttons" },
        el("button", { type: "submit", class: "primary", text: t("close") }),
      ),
    ),
  );
  document.body.append(dialog);
  return dialog;
}

function declineDialog() {
  const reason = el("textarea", { id: "decline-reason", rows: 4, maxlength: 1000, required: true });
  const dialog = el(
    "dialog",
    { id: "decline-dialog", "aria-labelledby": "decline-title" },
    el(
      "form",
      { method: "dialog", novalidate: true },
      el("h2", { id: "decline-title", text: t("declineTitle") }),
      el("label", { for: "decline-reason", text: t("declineReason") }),
      reason,
      el(
        "div",
        { class: "buttons" },
        el("button", {
          type: "button",
          class: "secondary",
          text: t("cancel"),
          onclick: () => dialog.close(),
        }),
        el("button", {
          type: "submit",
          class: "danger",
          id: "decline-confirm",
          text: t("declineConfirm"),
        }),
      ),
    ),
  );
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      reason.focus();
      return;
    }
    try {
      await call("/decline", { reason: reason.value });
      dialog.close();
      finished("declined");
    } catch (error) {
      dialog.close();
      fail(error);
    }
  });
  document.body.append(dialog);
  return dialog;
}

function finishDialog() {
  const consent = el("input", { type: "checkbox", id: "consent", required: true });
  const submit = el("button", {
    type: "submit",
    id: "sign-button",
    class: "primary",
    text: t(signer ? "sign" : "approve"),
  });
  const dialogStatus = el("p", { class: "dialog-status", role: "alert" });
  const dialog = el(
    "dialog",
    { id: "finish-dialog", "aria-labelledby": "finish-title" },
    el(
      "form",
      { method: "dialog", novalidate: true },
      el("h2", { id: "finish-title", text: t(signer ? "finishTitleSign" : "finishTitleApprove") }),
      el("p", {
        text: t("finishSummary", {
          names: view.envelope.documents.map((d) => d.name).join(", "),
        }),
      }),
      el(
        "div",
        { class: "consent" },
        consent,
        el("label", { for: "consent", text: config.consentText }),
      ),
      dialogStatus,
      el(
        "div",
        { class: "buttons" },
        el("button", {
          type: "button",
          class: "secondary",
          text: t("cancel"),
          onclick: () => dialog.close(),
        }),
        submit,
      ),
    ),
  );
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!consent.checked) {
      dialogStatus.textContent = t("missingConsent");
      consent.focus();
      return;
    }
    const body = { consent: true };
    if (signer) {
      body.signature = state.signature;
      body.fields = fieldValues();
    }
    submit.disabled = true;
    try {
      const result = await call("/sign", body);
      dialog.close();
      finished(signer ? "signed" : "approved", result.envelopeStatus);
    } catch (error) {
      dialog.close();
      fail(error);
    } finally {
      submit.disabled = false;
    }
  });
  document.body.append(dialog);
  return dialog;
}

function renderBar() {
  const finish = finishDialog();
  const decline = declineDialog();
  const help = helpDialog();
  bar.meter = el("progress", { id: "bar-meter", "aria-labelledby": "bar-progress" });
  bar.progress = el("span", { id: "bar-progress", class: "bar-progress", "aria-live": "polite" });
  bar.next = el("button", { type: "button", id: "bar-next", class: "accent", onclick: goToNext });
  bar.finish = el("button", {
    type: "button",
    id: "bar-finish",
    class: "primary",
    text: t(signer ? "barFinish" : "approve"),
    onclick: () => (ready() ? finish.showModal() : goToNext()),
  });
  bar.root = el(
    "nav",
    { class: "action-bar", id: "action-bar", "aria-label": t("documents") },
    el("div", { class: "bar-status" }, bar.progress, bar.meter),
    el(
      "div",
      { class: "bar-buttons" },
      el("button", {
        type: "button",
        id: "bar-help",
        class: "quiet",
        text: t("barHelp"),
        onclick: () => help.showModal(),
      }),
      el("button", {
        type: "button",
        id: "decline-button",
        class: "quiet danger",
        text: t("decline"),
        onclick: () => decline.showModal(),
      }),
      bar.next,
      bar.finish,
    ),
  );
  document.body.append(bar.root);
  document.body.classList.add("has-bar");
  refresh();
}

// ---------------------------------------------------------------------------------------------
// The end: what was done, what happens next, the parent told, and back to the integrator's app.

function finished(outcome, envelopeStatus) {
  state.finished = true;
  bar.root?.remove();
  document.body.classList.remove("has-bar");
  for (const control of controls.values()) control.input.disabled = true;
  say("");
  const names = view.envelope.documents.map((d) => d.name).join(", ");
  const lines =
    outcome === "declined"
      ? [t("doneDeclined")]
      : [
          t(outcome === "signed" ? "thanksSigned" : "doneApproved"),
          t("doneWhatSigned", { names }),
          t(envelopeStatus === "COMPLETED" ? "doneNextAll" : "doneNextOthers"),
        ];
  const panel = document.getElementById("outcome");
  panel.replaceChildren(
    el(
      "div",
      { class: "done", tabindex: -1 },
      ...lines.map((line, i) => el(i === 0 ? "h2" : "p", { text: line })),
    ),
  );
  panel.hidden = false;
  document.getElementById("fields-hint")?.remove();
  window.scrollTo({ top: 0, behavior: reducedMotion ? "auto" : "smooth" });
  panel.querySelector(".done").focus({ preventScroll: true });
  document.body.dataset.finished = "true";
  const event = outcome === "declined" ? "declined" : "signed";
  notifyParent(`certyneo:${event}`, { envelopeStatus: envelopeStatus ?? null });
  if (view.redirectUrl) redirect(event, panel.querySelector(".done"));
}

function redirect(event, panel) {
  const target = new URL(view.redirectUrl);
  target.searchParams.set("event", event);
  target.searchParams.set("envelopeId", view.envelope.id);
  target.searchParams.set("recipientId", view.recipient.id);
  panel.append(
    el(
      "p",
      { class: "redirect" },
      `${t("redirecting", { host: target.host })} `,
      el("a", { href: target.href, id: "redirect-link", text: t("continue") }),
    ),
  );
  setTimeout(() => window.location.assign(target.href), 1500);
}

function notice(text) {
  const panel = document.getElementById("outcome");
  panel.replaceChildren(el("p", { class: "notice", text }));
  panel.hidden = false;
}

function start() {
  if (view.recipient.role === "CC") return;
  if (!view.canAct) {
    notice(
      view.reason === "not_your_turn"
        ? t("waiting", { names: view.waitingFor.join(", ") })
        : view.recipient.status === "APPROVED"
          ? t("doneApproved")
          : view.recipient.status === "DECLINED"
            ? t("doneDeclined")
            : t("doneSigned"),
    );
    return;
  }
  if (view.otpRequired) document.getElementById("identity").append(otpPanel());
  renderBar();
}

renderDocuments();
start();
