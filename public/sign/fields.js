// The recipient's fields, each a control on its page where it will be stamped, and what they hold.
// ---------------------------------------------------------------------------------------------
// What the recipient has given so far.

import { openAdopt } from "./adopt.js";
import { refresh } from "./bar.js";
import { el, initialsOf, STAMP, signer, t, utcNow, view } from "./page.js";

export const state = {
  verified: !view.otpRequired,
  started: false,
  finished: false,
  /** {type: "drawn" | "uploaded", image} or {type: "typed", text}, once adopted. */
  signature: null,
  initials: initialsOf(view.recipient.name),
};

export const fields = signer && view.canAct ? [...view.fields] : [];
const documentOrder = new Map(view.envelope.documents.map((d, i) => [d.id, i]));
fields.sort(
  (a, b) =>
    documentOrder.get(a.documentId) - documentOrder.get(b.documentId) ||
    a.page - b.page ||
    a.y - b.y ||
    a.x - b.x,
);
/** Each field's element on its page, and how to read and show its value. */
export const controls = new Map();

export function isFilled(field) {
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

export function fieldValues() {
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
export function fieldControl(field, pageNumber) {
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
  controls.set(field.id, { field, wrap, input, name });
  return wrap;
}

/** The adopted signature drawn into a field as the stamp will draw it: mark above, caption below. */
export function showSignature(control) {
  const { field, input, name } = control;
  input.replaceChildren();
  input.setAttribute("aria-label", name);
  if (!state.signature) return;
  if (field.type === "initials") {
    input.append(el("span", { class: "stamp-text", text: state.initials }));
    // Named by what it shows too, so that the name a voice user reads matches it (WCAG 2.5.3).
    input.setAttribute("aria-label", `${name}: ${state.initials}`);
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
  const caption = `${view.recipient.name} — ${utcNow()}`;
  // The space keeps the typed name and the caption two words for assistive technologies.
  input.append(mark, " ", el("span", { class: "stamp-caption", text: caption }));
  const typed = state.signature.type === "typed" ? `${state.signature.text} ` : "";
  input.setAttribute("aria-label", `${name}: ${typed}${caption}`);
}

const measure = document.createElement("canvas").getContext("2d");
/** The typed signature's size in points, as src/pdf/stamp.ts fits it to the field. */
function typedSize(text, field) {
  measure.font = "oblique 1px CertyneoStampOblique, sans-serif";
  const width = Math.max(0.5, measure.measureText(text).width);
  const markHeight = Math.max(1, field.height - STAMP.captionBand);
  return Math.max(4, Math.min(STAMP.typedMax, markHeight * 0.75, (field.width - 4) / width));
}

export let current = null;
export function markCurrent(field) {
  current = field;
  for (const control of controls.values())
    control.wrap.classList.toggle("current", control.field === field);
}
