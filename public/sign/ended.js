// A page that only says something (the envelope has ended, the link is wrong). Framed by an
// integrator's app, it tells the app; while the documents are being sealed, it looks again every
// few seconds and shows the links in place once they are there, without reloading.
import { postToParent } from "./parent.js";

const config = JSON.parse(document.getElementById("ended-config").textContent);
if (config.parent) postToParent(config.parent.message, config.parent.parentOrigins);

/** How often, and for how long, a page waiting for its documents looks again. */
const POLL_MS = 5000;
const POLL_FOR_MS = 10 * 60 * 1000;

if (config.poll) {
  const started = Date.now();
  const check = async () => {
    try {
      const response = await fetch(window.location.href, { cache: "no-store" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("ended");
      if (fresh && !fresh.querySelector("#check-again")) {
        // The section is a live region: the new heading and links are announced.
        const section = document.getElementById("ended");
        const hadFocus = section.contains(document.activeElement);
        section.replaceChildren(...fresh.childNodes);
        if (hadFocus) section.querySelector("h1")?.focus();
        return;
      }
    } catch {
      // Offline for a moment: the next look, or the link, will do.
    }
    if (Date.now() - started < POLL_FOR_MS) setTimeout(check, POLL_MS);
  };
  setTimeout(check, POLL_MS);
}
