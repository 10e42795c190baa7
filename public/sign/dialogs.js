// The action bar's dialogs: help, decline, and finish (consent, then sign or approve).

import { fieldValues, state } from "./fields.js";
import { finished } from "./outcome.js";
import { call, config, dialogButtons, el, fail, signer, t, view } from "./page.js";
export function helpDialog() {
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

export function declineDialog() {
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
      dialogButtons(
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
      const result = await call("/decline", { reason: reason.value });
      dialog.close();
      // Declining ends the envelope: its status is the answer's.
      finished("declined", result.status);
    } catch (error) {
      dialog.close();
      fail(error);
    }
  });
  document.body.append(dialog);
  return dialog;
}

export function finishDialog() {
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
      dialogButtons(submit),
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
