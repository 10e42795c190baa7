import type { Kysely } from "kysely";
import type { Tables } from "../../db/schema.js";
import type { Environment, Scope } from "../../domain/environment.js";
import { CertyneoError } from "../../domain/errors.js";
import {
  autoSignaturePlacement,
  checkFieldPlacement,
  type DocumentPages,
} from "../../domain/fields.js";
import { defaultOrder } from "../../domain/recipients.js";
import { checkReminderPolicy } from "../account-settings.js";
import type { Channel } from "../notifications/index.js";
import type { InputChecks } from "./input-checks.js";
import type { Envelope, EnvelopeDeps, EnvelopeInput, EnvelopeSpec } from "./types.js";

/** The longest `redirectUrl` accepted. */
const MAX_REDIRECT_URL_LENGTH = 2000;

function unprocessable(code: string, message: string, param?: string): CertyneoError {
  return new CertyneoError("unprocessable", code, message, param);
}

/** A number SMS can reach, in E.164 form; a number that cannot exist is a 422 now, not a lost SMS later. */
function e164(parsePhone: InputChecks["parsePhone"], phone: string, param: string): string {
  const parsed = parsePhone(phone);
  if (!parsed?.isValid()) {
    throw unprocessable(
      "recipient_phone_invalid",
      `"${phone}" is not a valid phone number in E.164 form (e.g. +33612345678).`,
      param,
    );
  }
  return parsed.number;
}

/**
 * A `redirectUrl` the signing page can send a recipient to: absolute, `https:` (also `http:` in
 * the test environment, for integrations running locally), no user name or password, at most
 * 2000 characters. Kept as given.
 */
function checkRedirectUrl(value: string, environment: Environment, param: string): string {
  const schemes = environment === "test" ? "an https: or http: URL" : "an https: URL";
  const refuse = (problem: string) =>
    unprocessable(
      "redirect_url_invalid",
      `${problem} A redirectUrl is ${schemes}, absolute (https://example.com/done), without a user name or password, at most ${MAX_REDIRECT_URL_LENGTH} characters.`,
      param,
    );
  if (value.length > MAX_REDIRECT_URL_LENGTH)
    throw refuse(`This URL is ${value.length} characters long.`);
  // The URL parser drops tabs and line breaks and trims spaces: what is stored is what is meant.
  if ([...value].some((c) => c <= " " || c === "\u007f" || /\s/.test(c)))
    throw refuse("This URL contains spaces or control characters.");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse("This is not an absolute URL.");
  }
  const allowed = environment === "test" ? ["https:", "http:"] : ["https:"];
  if (!allowed.includes(url.protocol)) {
    const live = url.protocol === "http:" ? " in the live environment" : "";
    throw refuse(`The scheme ${url.protocol} is not accepted${live}.`);
  }
  if (url.username || url.password) throw refuse("This URL carries a user name or password.");
  return value;
}

/** The documents of one envelope are merged into one PDF when it is sealed: bounded. */
function checkTotalPages(deps: EnvelopeDeps, pages: readonly number[]): void {
  const total = pages.reduce((sum, n) => sum + n, 0);
  const max = deps.documents.limits.maxEnvelopePages;
  if (total > max) {
    throw unprocessable(
      "envelope_too_many_pages",
      `The envelope's documents have ${total} pages together; an envelope may have at most ${max}.`,
      "documentIds",
    );
  }
}

/** What a send requires of a draft, beyond its status. */
export function checkSendable(deps: EnvelopeDeps, envelope: Envelope): void {
  if (envelope.documents.length === 0) {
    throw unprocessable(
      "envelope_has_no_documents",
      "Add at least one document before sending.",
      "documentIds",
    );
  }
  checkTotalPages(
    deps,
    envelope.documents.map((d) => d.pages),
  );
  if (!envelope.recipients.some((r) => r.role === "SIGNER")) {
    throw unprocessable(
      "envelope_has_no_signer",
      "Add at least one recipient with the role SIGNER before sending.",
      "recipients",
    );
  }
  for (const [index, recipient] of envelope.recipients.entries()) {
    if (recipient.auth === "sms_otp" && !recipient.phone) {
      throw unprocessable(
        "recipient_phone_required",
        `Recipient ${recipient.email} authenticates by SMS and needs a phone number.`,
        `recipients[${index}].phone`,
      );
    }
  }
  if (envelope.expiresAt && envelope.expiresAt <= deps.clock.now().toISOString()) {
    throw unprocessable(
      "expires_at_in_past",
      "The envelope's expiresAt has passed; set a later date before sending.",
      "expiresAt",
    );
  }
}

/** `input` checked and completed (orders, channels, automatic signature fields), or a 4xx. */
export async function validateEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  input: EnvelopeInput,
  db?: Kysely<Tables>,
): Promise<EnvelopeSpec> {
  const { checkPrintable, parsePhone } = await deps.inputChecks();
  const documentIds = [...input.documentIds];
  documentIds.forEach((docId, index) => {
    if (documentIds.indexOf(docId) !== index) {
      throw new CertyneoError(
        "invalid_request",
        "parameter_invalid",
        `Document ${docId} is listed twice.`,
        `documentIds[${index}]`,
      );
    }
  });
  const documents = await deps.documents.getMany(scope, documentIds, db);
  documentIds.forEach((docId, index) => {
    if (!documents.has(docId)) {
      throw new CertyneoError(
        "invalid_request",
        "document_not_found",
        `No document with id "${docId}".`,
        `documentIds[${index}]`,
      );
    }
  });
  checkTotalPages(
    deps,
    documentIds.map((docId) => documents.get(docId)!.pages),
  );
  const pages: DocumentPages = new Map(
    documentIds.map((docId) => [docId, documents.get(docId)!.pageSizes]),
  );
  const signingOrder = input.signingOrder ?? "parallel";
  checkPrintable(input.subject, "subject", "The subject");
  let autoSlot = 0;
  const recipients = input.recipients.map((recipient, index) => {
    const param = `recipients[${index}]`;
    checkPrintable(recipient.name, `${param}.name`, "The recipient's name");
    const auth = recipient.auth ?? "none";
    if (auth === "sms_otp" && !recipient.phone) {
      throw unprocessable(
        "recipient_phone_required",
        "A recipient who authenticates by SMS needs a phone number.",
        `${param}.phone`,
      );
    }
    const phone =
      recipient.phone === undefined
        ? undefined
        : e164(parsePhone, recipient.phone, `${param}.phone`);
    const channels = [...new Set<Channel>(recipient.channels ?? ["email"])];
    if (channels.includes("sms") && !phone) {
      throw unprocessable(
        "recipient_phone_required",
        "A recipient invited by SMS needs a phone number.",
        `${param}.phone`,
      );
    }
    const fields = (recipient.fields ?? []).map((field, fieldIndex) => {
      checkFieldPlacement(field, pages, `${param}.fields[${fieldIndex}]`);
      return { ...field, autoPlaced: false };
    });
    if (recipient.role !== "SIGNER" && fields.length > 0) {
      throw unprocessable(
        "fields_not_allowed",
        `Only signers fill in fields; this recipient is ${recipient.role}.`,
        `${param}.fields`,
      );
    }
    const first = documentIds[0];
    if (recipient.role === "SIGNER" && first && !fields.some((f) => f.type === "signature")) {
      fields.push({
        ...autoSignaturePlacement(first, pages.get(first)!, autoSlot++),
        autoPlaced: true,
      });
    }
    return {
      email: recipient.email,
      name: recipient.name,
      role: recipient.role,
      order: recipient.order ?? defaultOrder(index, signingOrder),
      phone,
      auth,
      locale: recipient.locale,
      channels,
      fields,
      redirectUrl:
        recipient.redirectUrl === undefined
          ? undefined
          : checkRedirectUrl(recipient.redirectUrl, scope.environment, `${param}.redirectUrl`),
    };
  });
  for (const key of Object.keys(input.metadata ?? {})) {
    if (key.length === 0 || key.length > 40) {
      throw new CertyneoError(
        "invalid_request",
        "parameter_invalid",
        "Metadata keys are 1 to 40 characters long.",
        `metadata.${key}`,
      );
    }
  }
  const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
  if (expiresAt && expiresAt <= deps.clock.now().toISOString()) {
    throw unprocessable("expires_at_in_past", "expiresAt must be in the future.", "expiresAt");
  }
  return {
    subject: input.subject,
    message: input.message ?? null,
    documents: documentIds.map((docId) => documents.get(docId)!),
    recipients,
    signingOrder,
    expiresAt,
    reminders: input.reminders ? checkReminderPolicy(input.reminders, "reminders") : null,
    metadata: { ...input.metadata },
    redirectUrl:
      input.redirectUrl == null
        ? null
        : checkRedirectUrl(input.redirectUrl, scope.environment, "redirectUrl"),
  };
}
