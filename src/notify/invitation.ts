import { type Locale, translate } from "../signing/i18n.js";
import { escapeHtml } from "../signing/page.js";
import type { OutgoingEmail } from "./mailer.js";

export interface InvitationContent {
  locale: Locale;
  to: string;
  recipientName: string;
  approver: boolean;
  accountName: string;
  subject: string;
  message: string | null;
  signUrl: string;
}

/** The invitation: plain text and HTML, no remote image, one button to the signing page. */
export function invitationEmail(content: InvitationContent): OutgoingEmail {
  const t = (key: Parameters<typeof translate>[1]) =>
    translate(content.locale, key, {
      account: content.accountName,
      subject: content.subject,
      name: content.recipientName,
    });
  const body = t(content.approver ? "inviteApproveBody" : "inviteBody");
  const button = t(content.approver ? "inviteApproveButton" : "inviteButton");
  const text = [
    t("inviteGreeting"),
    "",
    body,
    ...(content.message ? ["", content.message] : []),
    "",
    `${button}: ${content.signUrl}`,
    "",
    t("inviteFooter"),
  ].join("\n");
  const html = `<!doctype html>
<html lang="${content.locale}"><body style="font-family:Arial,Helvetica,sans-serif;color:#1b1f29;line-height:1.5">
<p>${escapeHtml(t("inviteGreeting"))}</p>
<p>${escapeHtml(body)}</p>
${content.message ? `<blockquote style="border-left:4px solid #d5d9e2;margin:0;padding:0 1em;white-space:pre-wrap">${escapeHtml(content.message)}</blockquote>` : ""}
<p style="margin:2em 0"><a href="${escapeHtml(content.signUrl)}" style="background:#1746c2;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${escapeHtml(button)}</a></p>
<p style="color:#5a6275;font-size:0.9em">${escapeHtml(t("inviteFooter"))}</p>
</body></html>`;
  return {
    to: content.to,
    subject: t(content.approver ? "inviteApproveSubject" : "inviteSubject"),
    text,
    html,
  };
}
