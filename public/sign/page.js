// What every part of the signing page shares: its data, its strings, the signer API, the parent
// frame. Plain browser JavaScript, served as is; every string comes from the server in the page's
// language.
import { postToParent } from "./parent.js";

export const config = JSON.parse(document.getElementById("signing-config").textContent);
const messages = JSON.parse(document.getElementById("signing-messages").textContent);
// The sender's colour (checked for contrast when set); through the CSSOM, which the CSP allows.
const accent = config.view.envelope.branding?.accentColor;
if (accent) document.documentElement.style.setProperty("--accent", accent);
export const { token, view } = config;
export const api = `/api/v1/signing/${encodeURIComponent(token)}`;
export const signer = view.recipient.role === "SIGNER";
export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** What a stamp draws under a signature, in PDF points (src/pdf/stamp.ts). */
export const STAMP = { caption: 7.5, captionBand: 9.5, textMax: 12, typedMax: 28 };

export function t(key, params = {}) {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function el(tag, attributes = {}, ...children) {
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
export function say(text, kind = "info") {
  statusLine.textContent = text;
  statusLine.dataset.kind = kind;
}

// Embedding: events for the page that frames this one, if it is allowed to.
export function notifyParent(type, detail = {}) {
  postToParent(
    { type, envelopeId: view.envelope.id, recipientId: view.recipient.id, ...detail },
    config.parentOrigins,
  );
}

export function fail(error) {
  say(explain(error), "error");
  notifyParent("certyneo:error", { code: error.code ?? "error" });
}

export async function call(path, body) {
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

export function utcNow() {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function initialsOf(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase())
    .join("")
    .slice(0, 5);
}

/** A dialog's buttons: Cancel, which closes it, then its own `action`. */
export function dialogButtons(action) {
  return el(
    "div",
    { class: "buttons" },
    el("button", {
      type: "button",
      class: "secondary",
      text: t("cancel"),
      onclick: (event) => event.target.closest("dialog").close(),
    }),
    action,
  );
}
