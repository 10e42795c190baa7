import type { VerificationReport, VerifiedSignature } from "../pdf/verify-pdf.js";
import { LOCALES, type Locale } from "../signing/i18n.js";
import { escapeHtml, layout } from "../signing/page.js";
import { problemKey, resultKey, revocationKey, say, type VerifyMessageKey } from "./i18n.js";

export const VERIFY_PATH = "/verify";

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", fr: "Français", tr: "Türkçe" };

/** How each result reads at a glance: good, bad, or neither. */
const TONE: Record<VerificationReport["result"], "good" | "bad" | "neutral"> = {
  sealed_unchanged: "good",
  sealed_changed: "bad",
  altered: "bad",
  signed_elsewhere: "neutral",
  unsigned: "neutral",
};

export interface VerifyPageData {
  locale: Locale;
  /** The report of the file just sent, if any. */
  report?: VerificationReport;
  fileName?: string | undefined;
  /** What went wrong with the file just sent, in the page's language. */
  error?: string;
}

/**
 * `/verify`: a form to send a PDF, and once sent, what it proves in plain words, then the
 * details an expert wants. Rendered on the server: no script runs on this page.
 */
export function verifyPage(data: VerifyPageData): string {
  const { locale, report } = data;
  const t = (key: VerifyMessageKey, params?: Record<string, string | number>) =>
    escapeHtml(say(locale, key, params));
  const action = `${VERIFY_PATH}?lang=${locale}`;
  const languages = LOCALES.map((l) =>
    l === locale
      ? `<strong aria-current="true">${LANGUAGE_NAMES[l]}</strong>`
      : `<a href="${VERIFY_PATH}?lang=${l}" hreflang="${l}" lang="${l}">${LANGUAGE_NAMES[l]}</a>`,
  ).join(" · ");
  const form = `
<form class="panel verify-form" method="post" action="${action}" enctype="multipart/form-data">
  <label for="file">${t("fileLabel")}</label>
  <input id="file" name="file" type="file" accept="application/pdf,.pdf" required>
  <div class="buttons"><button class="primary" type="submit">${t(report ? "verifyAnother" : "verify")}</button></div>
</form>`;
  const error = data.error
    ? `<p class="status" data-kind="error" role="alert">${escapeHtml(data.error)}</p>`
    : "";
  const body = `
<nav class="languages" aria-label="${t("languages")}">${languages}</nav>
<h1>${t("title")}</h1>
<p class="intro">${t("intro")}</p>
${error}
${report ? reportSection(locale, report, data.fileName) : ""}
${form}`;
  return layout(locale, say(locale, "title"), body, false, ["sign.css", "verify.css"]);
}

function reportSection(
  locale: Locale,
  report: VerificationReport,
  fileName: string | undefined,
): string {
  const t = (key: VerifyMessageKey, params?: Record<string, string | number>) =>
    escapeHtml(say(locale, key, params));
  const when = (iso: string) => escapeHtml(formatDate(locale, iso));
  const facts: [string, string][] = [];
  const record = report.envelope;
  if (record) {
    facts.push([t("envelope"), `<code>${escapeHtml(record.envelopeId)}</code>`]);
    facts.push([t("contents"), t(`contents_${record.contents}`)]);
    if (record.signers.length > 0)
      facts.push([
        t("signers"),
        `<ul>${record.signers
          .map((s) => {
            const key = s.role === "APPROVER" ? "role_APPROVER" : "role_SIGNER";
            return `<li dir="auto">${escapeHtml(say(locale, key, { name: s.name, date: formatDate(locale, s.signedAt) }))}</li>`;
          })
          .join("")}</ul>`,
      ]);
  }
  if (report.sealedAt) facts.push([t("sealedAt"), when(report.sealedAt)]);
  if (report.unchangedSinceSealing !== null)
    facts.push([t("unchanged"), t(report.unchangedSinceSealing ? "unchangedNo" : "unchangedYes")]);
  if (report.level)
    facts.push([
      t("level"),
      t(`level_${report.level}`, {
        date: report.archiveTimestamp?.validUntil
          ? formatDate(locale, report.archiveTimestamp.validUntil)
          : "—",
      }),
    ]);
  if (report.eventChain)
    facts.push([
      t("eventChain"),
      report.eventChain.intact
        ? t("eventChainIntact", {
            count: report.eventChain.events,
            head: report.eventChain.head ?? "—",
          })
        : t("eventChainBroken"),
    ]);
  facts.push([
    t("file"),
    `${fileName ? `<span dir="auto">${escapeHtml(fileName)}</span><br>` : ""}${t("fileFacts", {
      size: report.file.size.toLocaleString(locale),
      sha256: report.file.sha256,
    })}`,
  ]);
  if (report.uncoveredBytes > 0 && report.signatures.length > 0)
    facts.push(["", t("uncovered", { bytes: report.uncoveredBytes.toLocaleString(locale) })]);

  const test =
    record?.environment === "test"
      ? `<p class="status" data-kind="warning" role="note">${t("testEnvelope")}</p>`
      : "";
  const details =
    report.signatures.length > 0
      ? `<details class="panel"${TONE[report.result] === "bad" ? " open" : ""}>
  <summary>${t("details")} (${report.signatures.length})</summary>
  ${report.signatures.map((s) => signatureDetails(locale, s)).join("\n")}
  ${report.truncated ? `<p>${t("truncated")}</p>` : ""}
</details>`
      : "";
  return `
<section class="verdict" data-result="${report.result}" data-tone="${TONE[report.result]}" aria-live="polite">
  <h2>${t(resultKey(report.result))}</h2>
  ${test}
  <dl class="facts">${facts.map(([label, value]) => `<dt>${label}</dt><dd>${value}</dd>`).join("")}</dl>
</section>
${details}`;
}

function signatureDetails(locale: Locale, signature: VerifiedSignature): string {
  const t = (key: VerifyMessageKey, params?: Record<string, string | number>) =>
    escapeHtml(say(locale, key, params));
  const rows: [string, string][] = [];
  if (signature.signer)
    rows.push([
      t("signedBy"),
      `<span dir="auto">${escapeHtml(
        [signature.signer.name, signature.signer.organization].filter(Boolean).join(", "),
      )}</span> (${t(signature.signer.byPlatform ? "byPlatform" : "notByPlatform")})`,
    ]);
  rows.push([
    t("covers"),
    signature.coversWholeFile
      ? t("coversWhole")
      : t("coversPart", { bytes: signature.coveredBytes.toLocaleString(locale) }),
  ]);
  if (signature.timestamp)
    rows.push([
      t("timestamp"),
      t("timestampFacts", {
        date: formatDate(locale, signature.timestamp.time),
        authority: signature.timestamp.authority ?? "—",
      }),
    ]);
  else if (signature.claimedTime)
    rows.push([t("claimedTime"), escapeHtml(formatDate(locale, signature.claimedTime))]);
  if (signature.reason)
    rows.push([t("reason"), `<span dir="auto">${escapeHtml(signature.reason)}</span>`]);
  if (signature.certification)
    rows.push([t("certification"), t(`certification_${signature.certification}`)]);
  if (signature.problems.length > 0)
    rows.push([
      t("problems"),
      `<ul>${signature.problems.map((p) => `<li>${t(problemKey(p))}</li>`).join("")}</ul>`,
    ]);
  const certificates = signature.certificates
    .map(
      (c) => `<li>
  <strong dir="auto">${escapeHtml(c.subject)}</strong><br>
  ${t("issuedBy")}: <span dir="auto">${escapeHtml(c.issuer)}</span><br>
  ${t("validity", { from: formatDate(locale, c.notBefore), to: formatDate(locale, c.notAfter) })}<br>
  ${t("revocation")}: ${t(revocationKey(c.revocation))}<br>
  ${t("fingerprint")}: <code class="fingerprint">${escapeHtml(c.sha256)}</code>
</li>`,
    )
    .join("\n");
  return `<article class="signature" data-intact="${signature.intact}">
  <h3>${t(`kind_${signature.kind}`)} · <span dir="auto">${escapeHtml(signature.field)}</span> — ${t(signature.intact ? "intact" : "notIntact")}</h3>
  <dl class="facts">${rows.map(([label, value]) => `<dt>${label}</dt><dd>${value}</dd>`).join("")}</dl>
  ${certificates ? `<h4>${t("certificates")}</h4><ol class="certificates">${certificates}</ol>` : ""}
</article>`;
}

function formatDate(locale: Locale, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "long",
    timeStyle: "long",
    timeZone: "UTC",
  }).format(date);
}
