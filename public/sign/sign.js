// The signing page's script: renders the documents with pdf.js and talks to the signer API.
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

pdfjs.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.mjs";

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
    rate_limit_exceeded: ["tooMany"],
    otp_delivery_failed: ["otpDeliveryFailed"],
    consent_required: ["missingConsent"],
    signature_required: ["missingSignature"],
    signature_invalid: ["missingSignature"],
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

// Documents: every page drawn on a canvas, the recipient's fields outlined on top.
async function renderDocuments() {
  const container = document.getElementById("documents");
  container.replaceChildren();
  for (const doc of view.envelope.documents) {
    const section = el(
      "article",
      { class: "document", "aria-label": doc.name },
      el("h3", { text: doc.name }),
    );
    container.append(section);
    const data = await fetch(`${api}/documents/${encodeURIComponent(doc.id)}`).then((r) =>
      r.arrayBuffer(),
    );
    const pdf = await pdfjs.getDocument({ data, isEvalSupported: false }).promise;
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const base = page.getViewport({ scale: 1 });
      const width = Math.min(section.clientWidth || 800, 900);
      const scale = width / base.width;
      const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
      const canvas = el("canvas", {
        class: "page",
        width: Math.floor(viewport.width),
        height: Math.floor(viewport.height),
        role: "img",
        "aria-label": `${doc.name} — ${t("pageOf", { page: number, pages: pdf.numPages })}`,
        "data-page": number,
      });
      canvas.style.width = `${Math.floor(base.width * scale)}px`;
      const frame = el("div", { class: "page-frame" }, canvas);
      frame.style.width = canvas.style.width;
      for (const field of view.fields.filter((f) => f.documentId === doc.id && f.page === number)) {
        const box = el("div", {
          class: `field field-${field.type}`,
          title: field.label ?? t(fieldLabelKey(field.type)),
        });
        Object.assign(box.style, {
          left: `${field.x * scale}px`,
          top: `${field.y * scale}px`,
          width: `${field.width * scale}px`,
          height: `${field.height * scale}px`,
        });
        frame.append(box);
      }
      section.append(
        frame,
        el("p", { class: "page-number", text: t("pageOf", { page: number, pages: pdf.numPages }) }),
      );
      await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
    }
  }
  container.setAttribute("aria-busy", "false");
  document.body.dataset.rendered = "true";
}

function fieldLabelKey(type) {
  return (
    { initials: "fieldInitials", date: "fieldDate", text: "fieldText", checkbox: "fieldCheckbox" }[
      type
    ] ?? "signatureTitle"
  );
}

// Identity: a one-time code by email or SMS when the sender asked for one.
function otpPanel(onVerified) {
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
    el("button", { type: "submit", text: t("otpVerify") }),
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
      say(explain(error), "error");
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
      onVerified();
    } catch (error) {
      say(explain(error), "error");
      input.select();
    }
  });
  const panel = el(
    "section",
    { class: "panel otp", "aria-labelledby": "otp-title" },
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

// Signature: drawn with signature_pad, or typed and shown in a handwriting font.
function signaturePanel() {
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
  const preview = el("p", {
    class: "typed-preview",
    "aria-hidden": "true",
    text: view.recipient.name,
  });
  typed.addEventListener("input", () => {
    preview.textContent = typed.value;
  });
  const drawPane = el(
    "div",
    { class: "pane", id: "pane-draw" },
    el("p", { class: "hint", text: t("drawHint") }),
    canvas,
    el("button", {
      type: "button",
      class: "secondary",
      text: t("clear"),
      onclick: () => pad.clear(),
    }),
  );
  const typePane = el(
    "div",
    { class: "pane", id: "pane-type", hidden: true },
    el("label", { for: "signature-typed", text: t("typedLabel") }),
    typed,
    preview,
  );
  let mode = "draw";
  const tab = (name, label) =>
    el("button", {
      type: "button",
      role: "tab",
      id: `tab-${name}`,
      "aria-selected": name === "draw" ? "true" : "false",
      text: label,
      onclick: () => {
        mode = name;
        drawPane.hidden = name !== "draw";
        typePane.hidden = name !== "type";
        for (const other of ["draw", "type"]) {
          document
            .getElementById(`tab-${other}`)
            .setAttribute("aria-selected", String(other === name));
        }
        if (name === "draw") resize();
      },
    });
  const panel = el(
    "fieldset",
    { class: "panel signature" },
    el("legend", { text: t("signatureTitle") }),
    el("div", { role: "tablist" }, tab("draw", t("draw")), tab("type", t("typeIt"))),
    drawPane,
    typePane,
  );
  const pad = new SignaturePad(canvas, { penColor: "#0b2a6f", minWidth: 0.8, maxWidth: 2.6 });
  function resize() {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  return {
    panel,
    resize,
    value() {
      if (mode === "type") {
        const text = typed.value.trim();
        return text ? { type: "typed", text } : null;
      }
      return pad.isEmpty() ? null : { type: "drawn", image: pad.toDataURL("image/png") };
    },
  };
}

function fieldInputs() {
  const inputs = new Map();
  const fields = view.fields.filter((f) => f.type !== "signature");
  if (fields.length === 0) return { panel: null, values: () => ({}) };
  const panel = el("fieldset", { class: "panel fields" }, el("legend", { text: t("fieldsTitle") }));
  for (const field of fields) {
    const id = `field-${field.id}`;
    const label = field.label ?? t(fieldLabelKey(field.type));
    let input;
    if (field.type === "checkbox")
      input = el("input", { id, type: "checkbox", required: field.required });
    else if (field.type === "date")
      input = el("input", { id, type: "date", value: new Date().toISOString().slice(0, 10) });
    else
      input = el("input", {
        id,
        type: "text",
        maxlength: 500,
        required: field.required && field.type === "text",
      });
    inputs.set(field.id, input);
    panel.append(
      el(
        "div",
        { class: `field-row ${field.type}` },
        field.type === "checkbox" ? input : null,
        el("label", { for: id, text: label }),
        field.type === "checkbox" ? null : input,
      ),
    );
  }
  return {
    panel,
    values() {
      const values = {};
      for (const [id, input] of inputs) {
        const value = input.type === "checkbox" ? String(input.checked) : input.value.trim();
        if (value) values[id] = value;
      }
      return values;
    },
  };
}

function declineDialog() {
  const reason = el("textarea", { id: "decline-reason", rows: 4, maxlength: 1000, required: true });
  const dialog = el(
    "dialog",
    { id: "decline-dialog", "aria-labelledby": "decline-title" },
    el(
      "form",
      { method: "dialog" },
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
      finish(t("doneDeclined"));
    } catch (error) {
      say(explain(error), "error");
    }
  });
  document.body.append(dialog);
  return dialog;
}

function finish(text) {
  const actions = document.getElementById("actions");
  actions.replaceChildren(el("p", { class: "done", role: "status", text }));
  say("");
  actions.querySelector(".done").focus?.();
  document.body.dataset.finished = "true";
}

function renderActions() {
  const actions = document.getElementById("actions");
  if (view.recipient.role === "CC") return;
  if (!view.canAct) {
    const text =
      view.reason === "not_your_turn"
        ? t("waiting", { names: view.waitingFor.join(", ") })
        : view.recipient.status === "APPROVED"
          ? t("doneApproved")
          : view.recipient.status === "DECLINED"
            ? t("doneDeclined")
            : t("doneSigned");
    actions.append(el("p", { class: "notice", text }));
    return;
  }
  const signer = view.recipient.role === "SIGNER";
  const signature = signer ? signaturePanel() : null;
  const fields = signer ? fieldInputs() : { panel: null, values: () => ({}) };
  const consent = el("input", { type: "checkbox", id: "consent", required: true });
  const submit = el("button", {
    type: "submit",
    id: "sign-button",
    class: "primary",
    text: t(signer ? "sign" : "approve"),
  });
  const dialog = declineDialog();
  const form = el(
    "form",
    { class: "sign-form", novalidate: true },
    fields.panel,
    signature?.panel,
    el(
      "div",
      { class: "consent" },
      consent,
      el("label", { for: "consent", text: config.consentText }),
    ),
    el(
      "div",
      { class: "buttons" },
      el("button", {
        type: "button",
        class: "danger",
        id: "decline-button",
        text: t("decline"),
        onclick: () => dialog.showModal(),
      }),
      submit,
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!consent.checked) return say(t("missingConsent"), "error");
    const body = { consent: true };
    if (signer) {
      const value = signature.value();
      if (!value) return say(t("missingSignature"), "error");
      body.signature = value;
      body.fields = fields.values();
    }
    submit.disabled = true;
    try {
      await call("/sign", body);
      finish(t(signer ? "doneSigned" : "doneApproved"));
    } catch (error) {
      say(explain(error), "error");
      submit.disabled = false;
    }
  });
  const showForm = () => {
    actions.append(form);
    signature?.resize();
  };
  if (view.otpRequired) actions.append(otpPanel(showForm));
  else showForm();
}

renderActions();
renderDocuments().catch((error) => {
  say(t("error"), "error");
  console.error(error);
});
