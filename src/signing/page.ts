import { displayLines, displayText } from "../domain/user-text.js";
import type { SenderBranding, SigningView } from "../services/signing/index.js";
import { ASSET_PREFIX } from "./assets.js";
import { type Locale, messagesFor, translate } from "./i18n.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that can sit inside a <script> element without ending it. */
function inertJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/** An HTML page of ours: the signing pages' stylesheet, and any other of `ASSET_PREFIX`. */
export function layout(
  locale: Locale,
  title: string,
  body: string,
  testBanner: boolean,
  stylesheets: readonly string[] = ["sign.css"],
): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
${stylesheets.map((name) => `<link rel="stylesheet" href="${ASSET_PREFIX}${name}">`).join("\n")}
</head>
<body>
${testBanner ? `<header class="test-banner">${escapeHtml(translate(locale, "testBanner"))}</header>` : ""}
<main id="main">
${body}
</main>
</body>
</html>`;
}

/** Who sent an envelope, shown on its pages; `styleNonce` lets the page set the accent colour. */
export interface PageSender extends SenderBranding {
  styleNonce: string;
}

/** The sender's logo, named by the sender, or nothing without one. */
function senderLogo(logo: string | null | undefined, name: string): string {
  return logo
    ? `<img class="sender-logo" src="${escapeHtml(logo)}" alt="${escapeHtml(displayText(name))}">`
    : "";
}

function senderHeader(sender: PageSender): string {
  return `<header class="envelope">${senderLogo(sender.logo, sender.name)}<p class="sender-name">${escapeHtml(displayText(sender.name))}</p></header>`;
}

/** What a framed message page tells its parent (public/sign/ended.js), as the signing page would. */
export type ParentMessage =
  /** The envelope has ended: there is nothing to do on this link. */
  | {
      type: "certyneo:loaded";
      envelopeId: string;
      recipientId: string;
      canAct: false;
      status: string;
      envelopeStatus: string;
    }
  /** The link is wrong: no envelope is known by it. */
  | { type: "certyneo:error"; code: string; envelopeId: null; recipientId: null };

export interface MessagePageOptions {
  links?: readonly { label: string; href: string; download?: boolean }[];
  sender?: PageSender;
  /** Posted to a framing parent whose origin is one of `parentOrigins` (none: no script). */
  parentMessage?: ParentMessage;
  parentOrigins?: readonly string[];
  /**
   * The page's state changes by itself (documents being sealed): a script asks for the page again
   * every few seconds and shows the new state in place; without script, a link does the same.
   */
  checkAgain?: string;
}

/** A page that only says something (an invalid link, an envelope that has ended), and links. */
export function messagePage(
  locale: Locale,
  message: string,
  options: MessagePageOptions = {},
): string {
  const { links = [], sender, parentMessage, parentOrigins = [], checkAgain } = options;
  const action =
    links.length > 0
      ? `\n<ul class="notice links">${links
          .map(
            (link) =>
              `<li><a href="${escapeHtml(link.href)}"${link.download ? " download" : ""}>${escapeHtml(link.label)}</a></li>`,
          )
          .join("")}</ul>`
      : checkAgain
        ? `\n<p class="notice links" id="check-again"><a href="">${escapeHtml(checkAgain)}</a></p>`
        : "";
  // The colour was checked as #rrggbb when it was set: nothing else can reach this element.
  const accent =
    sender?.accentColor && /^#[0-9a-fA-F]{6}$/.test(sender.accentColor)
      ? `<style nonce="${sender.styleNonce}">:root { --accent: ${sender.accentColor}; }</style>\n`
      : "";
  const config = {
    parent:
      parentMessage && parentOrigins.length > 0 ? { message: parentMessage, parentOrigins } : null,
    poll: Boolean(checkAgain),
  };
  const script =
    config.parent || config.poll
      ? `\n<script type="application/json" id="ended-config">${inertJson(config)}</script>\n<script type="module" src="${ASSET_PREFIX}ended.js"></script>`
      : "";
  return layout(
    locale,
    sender ? displayText(sender.name) : "Certyneo",
    `${accent}${sender ? senderHeader(sender) : ""}<section id="ended" aria-live="polite"><h1 class="notice" tabindex="-1">${escapeHtml(message)}</h1>${action}</section>${script}`,
    false,
  );
}

export interface SigningPageData {
  token: string;
  locale: Locale;
  consentText: string;
  view: SigningView;
  /** Where the page, when framed, may post its events: the origins allowed to frame it. */
  parentOrigins: readonly string[];
}

/**
 * The signing page: the server renders the text a recipient reads first, the client script
 * renders the documents and handles identity, signature and decline through the signer API.
 */
export function signingPage(data: SigningPageData): string {
  const { view, locale } = data;
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) =>
    escapeHtml(translate(locale, key, params));
  const introKey =
    view.recipient.role === "APPROVER"
      ? "introApprover"
      : view.recipient.role === "CC"
        ? "introCc"
        : "intro";
  const body = `
<header class="envelope">
  ${senderLogo(view.envelope.branding.logo, view.envelope.accountName)}
  <h1 dir="auto">${escapeHtml(displayText(view.envelope.subject))}</h1>
  <p class="intro">${t(introKey, { account: displayText(view.envelope.accountName) })}</p>
  ${view.envelope.message ? `<blockquote class="message" dir="auto">${escapeHtml(displayLines(view.envelope.message))}</blockquote>` : ""}
</header>
<p id="status" class="status" role="status" aria-live="polite"></p>
<section id="outcome" class="outcome" aria-live="polite" hidden></section>
<div id="identity"></div>
<section aria-labelledby="documents-title">
  <h2 id="documents-title">${t("documents")}</h2>
  ${view.fields.length > 0 && view.canAct ? `<p class="hint" id="fields-hint">${t("yourFields")}</p>` : ""}
  <div id="documents" class="documents" aria-busy="true"><p>${t("loading")}</p></div>
</section>
<script type="application/json" id="signing-config">${inertJson(data satisfies SigningPageData)}</script>
<script type="application/json" id="signing-messages">${inertJson(messagesFor(locale))}</script>
<script type="module" src="${ASSET_PREFIX}sign.js"></script>`;
  return layout(
    locale,
    translate(locale, "title", { subject: displayText(view.envelope.subject) }),
    body,
    view.envelope.environment === "test",
  );
}
