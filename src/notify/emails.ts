import { createHash } from "node:crypto";
import { imageSize, logoImage } from "../domain/branding.js";
import { DEFAULT_ACCENT } from "../domain/contrast.js";
import { displayLines, displayText } from "../domain/user-text.js";
import type { Locale } from "../signing/i18n.js";
import { escapeHtml } from "../signing/page.js";
import { type EmailMessageKey, formatDate, translateEmail } from "./i18n.js";
import type { EmailAttachment, InlineImage, OutgoingEmail } from "./mailer.js";

/** What every message about an envelope says, whoever it goes to. */
export interface EnvelopeFacts {
  readonly locale: Locale;
  readonly accountName: string;
  /** The sender's accent colour (its branding), for the button; ours when null. */
  readonly accentColor?: string | null;
  /** The sender's logo (a `data:` URL), shown at the top from the message itself. */
  readonly logo?: string | null;
  readonly subject: string;
  readonly test: boolean;
}

interface Layout {
  readonly to: string;
  readonly subject: string;
  readonly greeting: string;
  readonly paragraphs: readonly string[];
  /** The sender's own words, set apart from ours. */
  readonly quote?: string | null | undefined;
  readonly button?: { readonly label: string; readonly url: string } | undefined;
  readonly footer: string;
  readonly attachments?: readonly EmailAttachment[] | undefined;
}

/** The box a logo is shown in at most, in CSS pixels. */
const LOGO_BOX = { width: 200, height: 48 };

/**
 * The sender's logo as an inline image: named by its bytes (a Content-ID is meant to be unique,
 * and stays the same when a message is retried), with its size fitted into LOGO_BOX as
 * attributes, which every mail client honours (Outlook ignores CSS sizes).
 */
function inlineLogo(
  dataUrl: string | null | undefined,
): { image: InlineImage; width: number; height: number } | null {
  const logo = dataUrl ? logoImage(dataUrl) : null;
  const size = logo && imageSize(logo.content);
  if (!logo || !size) return null;
  const scale = Math.min(1, LOGO_BOX.width / size.width, LOGO_BOX.height / size.height);
  const name = createHash("sha256").update(logo.content).digest("hex").slice(0, 16);
  return {
    image: {
      ...logo,
      cid: `logo-${name}@certyneo`,
      filename: `logo.${size.type === "png" ? "png" : "jpg"}`,
    },
    width: Math.max(1, Math.round(size.width * scale)),
    height: Math.max(1, Math.round(size.height * scale)),
  };
}

/** One message in plain text and HTML, with no remote resource: one button at most. */
export function compose(facts: EnvelopeFacts, layout: Layout): OutgoingEmail {
  const logo = inlineLogo(facts.logo);
  const t = (key: EmailMessageKey) => translateEmail(facts.locale, key);
  const paragraphs = facts.test ? [...layout.paragraphs, t("testNotice")] : layout.paragraphs;
  // The sender's message keeps its lines, each marked as quoted in the plain text.
  const quote = layout.quote ? displayLines(layout.quote) : "";
  const text = [
    layout.greeting,
    ...paragraphs,
    ...(quote ? [quote.replace(/^(.?)/gm, (_, c: string) => (c ? `> ${c}` : ">"))] : []),
    ...(layout.button ? [`${layout.button.label}: ${layout.button.url}`] : []),
    layout.footer,
  ].join("\n\n");
  const html = `<!doctype html>
<html lang="${facts.locale}"><body style="font-family:Arial,Helvetica,sans-serif;color:#1b1f29;line-height:1.5">
${logo ? `<p><img src="cid:${logo.image.cid}" width="${logo.width}" height="${logo.height}" alt="${escapeHtml(displayText(facts.accountName))}" style="display:block;border:0"></p>\n` : ""}<p>${escapeHtml(layout.greeting)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${quote ? `<blockquote dir="auto" style="border-left:4px solid #d5d9e2;margin:0;padding:0 1em;white-space:pre-wrap">${escapeHtml(quote)}</blockquote>` : ""}
${layout.button ? `<p style="margin:2em 0"><a href="${escapeHtml(layout.button.url)}" style="background:${facts.accentColor ?? DEFAULT_ACCENT};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${escapeHtml(layout.button.label)}</a></p>` : ""}
<p style="color:#5a6275;font-size:0.9em">${escapeHtml(layout.footer)}</p>
</body></html>`;
  return {
    to: layout.to,
    subject: displayText((facts.test ? t("testSubjectPrefix") : "") + layout.subject),
    text,
    html,
    ...(layout.attachments && { attachments: layout.attachments }),
    ...(logo && { inlineImages: [logo.image] }),
  };
}

/** Our sentences, with users' words (names, subject, reasons) put in as one visible line each. */
function translator(facts: EnvelopeFacts, extra: Record<string, string> = {}) {
  const values = Object.fromEntries(
    Object.entries({ account: facts.accountName, subject: facts.subject, ...extra }).map(
      ([name, value]) => [name, displayText(value)],
    ),
  );
  return (key: EmailMessageKey) => translateEmail(facts.locale, key, values);
}

export interface CallToAct extends EnvelopeFacts {
  readonly to: string;
  readonly recipientName: string;
  readonly approver: boolean;
  readonly message: string | null;
  readonly signUrl: string;
  readonly expiresAt: string | null;
}

/** The invitation, or a reminder of it: the sender's message and one button to the signing page. */
export function callToActEmail(facts: CallToAct, reminder: boolean): OutgoingEmail {
  const t = translator(facts, { name: facts.recipientName });
  const approve = facts.approver;
  const kind = reminder ? "reminder" : "invite";
  return compose(facts, {
    to: facts.to,
    subject: t(`${kind}${approve ? "Approve" : ""}Subject` as const),
    greeting: t("greeting"),
    paragraphs: [
      t(`${kind}${approve ? "Approve" : ""}Body` as const),
      ...(facts.expiresAt
        ? [
            translateEmail(facts.locale, "expiresOn", {
              date: formatDate(facts.locale, facts.expiresAt),
            }),
          ]
        : []),
    ],
    quote: facts.message,
    button: { label: t(approve ? "approveButton" : "signButton"), url: facts.signUrl },
    footer: t("footerPersonal"),
  });
}

/** Who a message about the outcome is for: a recipient (by name) or the sender's team. */
export interface Audience {
  readonly to: string;
  /** `null` for the account's own addresses. */
  readonly recipientName: string | null;
}

function greetingAndFooter(facts: EnvelopeFacts, audience: Audience) {
  const t = translator(facts, { name: audience.recipientName ?? "" });
  return audience.recipientName === null
    ? { greeting: t("greetingTeam"), footer: t("footerSender") }
    : { greeting: t("greeting"), footer: t("footerParticipant") };
}

export type SignedCopy =
  | { readonly attachment: EmailAttachment }
  /** Too large to attach: a link anyone holding it can follow (a recipient's own link)… */
  | { readonly downloadUrl: string }
  /** …or the API's, which needs a key (the sender's team). */
  | { readonly apiUrl: string };

export function completedEmail(
  facts: EnvelopeFacts,
  audience: Audience,
  copy: SignedCopy,
): OutgoingEmail {
  const t = translator(facts, "apiUrl" in copy ? { url: copy.apiUrl } : {});
  return compose(facts, {
    to: audience.to,
    subject: t("completedSubject"),
    ...greetingAndFooter(facts, audience),
    paragraphs: [
      t("completedBody"),
      t(
        "attachment" in copy
          ? "completedAttached"
          : "downloadUrl" in copy
            ? "completedLink"
            : "completedApiLink",
      ),
    ],
    button:
      "downloadUrl" in copy ? { label: t("downloadButton"), url: copy.downloadUrl } : undefined,
    attachments: "attachment" in copy ? [copy.attachment] : undefined,
  });
}

export function declinedEmail(
  facts: EnvelopeFacts,
  audience: Audience,
  decliner: { name: string; reason: string | null },
): OutgoingEmail {
  const t = translator(facts, { name: decliner.name, reason: decliner.reason ?? "" });
  return compose(facts, {
    to: audience.to,
    subject: t("declinedSubject"),
    ...greetingAndFooter(facts, audience),
    paragraphs: [t("declinedBody"), ...(decliner.reason ? [t("reason")] : [])],
  });
}

export function voidedEmail(
  facts: EnvelopeFacts,
  audience: Audience,
  reason: string | null,
): OutgoingEmail {
  const t = translator(facts, { reason: reason ?? "" });
  return compose(facts, {
    to: audience.to,
    subject: t("voidedSubject"),
    ...greetingAndFooter(facts, audience),
    paragraphs: [t("voidedBody"), ...(reason ? [t("reason")] : [])],
  });
}

export function expiredEmail(
  facts: EnvelopeFacts,
  audience: Audience,
  waitingFor: readonly string[],
): OutgoingEmail {
  const t = translator(facts, { names: waitingFor.join(", ") });
  return compose(facts, {
    to: audience.to,
    subject: t("expiredSubject"),
    ...greetingAndFooter(facts, audience),
    // Only the sender's team needs to know who held things up.
    paragraphs: [
      t("expiredBody"),
      ...(audience.recipientName === null && waitingFor.length > 0 ? [t("waitingFor")] : []),
    ],
  });
}

/** The text message version of a call to act: short, with the link. */
export function callToActSms(facts: CallToAct, reminder: boolean): string {
  const prefix = facts.test ? translateEmail(facts.locale, "testSubjectPrefix") : "";
  const key = `${reminder ? "reminder" : "invite"}${facts.approver ? "Approve" : ""}Sms` as const;
  return prefix + translator(facts, { url: facts.signUrl })(key);
}

/** A one-time code: in the subject too, so that it can be read from the notification. */
export function otpEmail(
  facts: EnvelopeFacts,
  to: string,
  recipientName: string,
  code: string,
): OutgoingEmail {
  const t = translator(facts, { name: recipientName, code });
  return compose(facts, {
    to,
    subject: t("otpSubject"),
    greeting: t("greeting"),
    paragraphs: [t("otpBody"), t("otpValidity")],
    footer: t("otpFooter"),
  });
}

export function otpSms(locale: Locale, code: string): string {
  return translateEmail(locale, "otpSms", { code });
}
