// The action bar: where the recipient is, the next field, finish, decline and help.
// The action bar: where the recipient is, the next field, finish, decline and help.

import { openAdopt } from "./adopt.js";
import { declineDialog, finishDialog, helpDialog } from "./dialogs.js";
import { controls, current, fields, isFilled, markCurrent, state } from "./fields.js";
import { el, reducedMotion, say, signer, t } from "./page.js";

const bar = {};

function requiredFields() {
  return fields.filter((f) => f.required);
}

function ready() {
  if (!state.verified || state.finished) return false;
  if (!signer) return true;
  return state.signature !== null && requiredFields().every(isFilled);
}

export function refresh() {
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

export function goToOtp() {
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

export function goToNext() {
  state.started = true;
  if (!state.verified) return goToOtp();
  const field = nextField();
  refresh();
  if (!field || (!field.required && ready())) {
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

export function renderBar() {
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
