// Adopting a signature: drawn, typed or uploaded; then shown in every field of the recipient.
import SignaturePad from "/sign-assets/signature_pad.js";
import { goToOtp, refresh } from "./bar.js";
import { controls, fields, markCurrent, showSignature, state } from "./fields.js";
import { dialogButtons, el, t, view } from "./page.js";
import { pngWithinLimit, trimmed, uploadedSignature } from "./signature-image.js";

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
    dialogButtons(
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

export function openAdopt(field) {
  if (!state.verified) return goToOtp();
  adoptDialog ??= buildAdoptDialog();
  adoptDialog.dialog.returnTo = controls.get(field.id)?.input ?? null;
  markCurrent(field);
  adoptDialog.dialog.showModal();
  adoptDialog.resize();
}
