// The signing page's script: renders the documents with pdf.js, lays the recipient's fields on
// their pages, guides them field by field from the action bar, and talks to the signer API.

import { renderBar } from "./bar.js";
import { renderDocuments } from "./documents.js";
import { otpPanel } from "./otp.js";
import { notice } from "./outcome.js";
import { t, view } from "./page.js";

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
