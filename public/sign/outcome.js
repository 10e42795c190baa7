// The end: what was done, what happens next, the parent told, and back to the integrator's app.

import { controls, state } from "./fields.js";
import { el, notifyParent, reducedMotion, say, t, token, view } from "./page.js";

export function finished(outcome, envelopeStatus) {
  state.finished = true;
  document.getElementById("action-bar")?.remove();
  document.body.classList.remove("has-bar");
  for (const control of controls.values()) control.input.disabled = true;
  say("");
  const names = view.envelope.documents.map((d) => d.name).join(", ");
  const lines =
    outcome === "declined"
      ? [t("doneDeclined")]
      : [
          t(outcome === "signed" ? "thanksSigned" : "doneApproved"),
          t(outcome === "signed" ? "doneWhatSigned" : "doneWhatApproved", { names }),
          t(envelopeStatus === "COMPLETED" ? "doneNextAll" : "doneNextOthers"),
        ];
  // The last to sign: this same link offers the sealed documents and the audit trail, once sealed.
  const getSigned =
    outcome !== "declined" && envelopeStatus === "COMPLETED"
      ? el(
          "p",
          { class: "links" },
          el("a", {
            href: `/sign/${encodeURIComponent(token)}`,
            id: "get-signed",
            text: t("getSigned"),
          }),
        )
      : null;
  const panel = document.getElementById("outcome");
  panel.replaceChildren(
    el(
      "div",
      { class: "done", tabindex: -1 },
      ...lines.map((line, i) => el(i === 0 ? "h2" : "p", { text: line })),
      getSigned,
    ),
  );
  panel.hidden = false;
  document.getElementById("fields-hint")?.remove();
  // Nothing is left to prove: a one-time code asked for before declining is no longer wanted.
  document.getElementById("identity")?.replaceChildren();
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

export function notice(text) {
  const panel = document.getElementById("outcome");
  panel.replaceChildren(el("p", { class: "notice", text }));
  panel.hidden = false;
}
