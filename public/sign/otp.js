// Identity: a one-time code by email or SMS when the sender asked for one.

import { goToNext, refresh } from "./bar.js";
import { controls, state } from "./fields.js";
import { call, el, fail, say, t, view } from "./page.js";

export function otpPanel() {
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
