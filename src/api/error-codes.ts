// The error `code`s each operation can answer, by status, for the OpenAPI document: generated
// clients get them as enums, /docs lists them. The tests check every error they receive against
// these lists (test/helpers/contract.ts), so a code missing here fails the suite.

type Codes = Record<number, readonly string[]>;

/** Codes of the request itself, by status: every operation documenting the status can answer them. */
const ANY_REQUEST: Codes = {
  400: [
    "parameter_missing",
    "parameter_unknown",
    "parameter_invalid",
    "invalid_json",
    "invalid_url",
    "invalid_content_length",
    "bad_request",
  ],
  413: ["body_too_large"],
  415: ["unsupported_media_type"],
  429: ["rate_limit_exceeded"],
  431: ["headers_too_large"],
};

/**
 * Codes of authentication (an API key, or a dashboard session), of the CSRF token a session's
 * changes carry, and of `Idempotency-Key` (authenticated POSTs).
 */
const API_KEY: Codes = {
  401: [
    "api_key_missing",
    "authorization_header_malformed",
    "api_key_malformed",
    "api_key_invalid",
    "session_invalid",
  ],
};
const WRITE: Codes = { 403: ["csrf_token_invalid"] };
const IDEMPOTENT: Codes = {
  400: ["idempotency_key_invalid"],
  409: ["idempotency_key_in_use"],
  422: ["idempotency_key_reused"],
};

/** The signer API: a link that does not exist, or an envelope whose links stopped working. */
const ENDED = ["envelope_completed", "envelope_declined", "envelope_voided", "envelope_expired"];
const SIGNING_LINK: Codes = { 404: ["signing_link_invalid"], 410: ENDED };
const CANNOT_ACT = ["already_acted", "not_your_turn", "no_action_required"];

const ENVELOPE_CONTENT = [
  "envelope_too_many_pages",
  "expires_at_in_past",
  "field_document_not_in_envelope",
  "field_outside_page",
  "field_page_out_of_range",
  "fields_not_allowed",
  "recipient_phone_invalid",
  "recipient_phone_required",
  "redirect_url_invalid",
  "unprintable_characters",
];

/** What the multipart parser refuses. */
const MULTIPART = ["invalid_multipart", "too_many_files", "too_many_parts"];

/** A file that is a PDF but not one we can read (`pdf/inspect.ts`). */
const UNREADABLE_PDF = [
  "document_empty",
  "document_corrupt",
  "document_encrypted",
  "document_too_many_pages",
  "document_too_complex",
];

const OPERATIONS: Record<string, Codes> = {
  uploadDocument: {
    400: MULTIPART,
    413: ["document_too_large"],
    415: ["document_not_pdf"],
    422: [...UNREADABLE_PDF, "document_page_size_invalid"],
  },
  verifyPdf: {
    400: [...MULTIPART, "parameter_missing", "parameter_unknown"],
    413: ["document_too_large"],
    415: ["document_not_pdf", "multipart_required"],
    422: UNREADABLE_PDF,
    503: ["verification_busy"],
  },
  getDocument: { 404: ["document_not_found"] },
  deleteDocument: { 404: ["document_not_found"], 409: ["document_in_use"] },
  downloadDocumentContent: {
    404: ["document_not_found"],
    410: ["document_content_missing"],
    416: ["range_not_satisfiable"],
  },
  createEnvelope: { 400: ["document_not_found"], 422: ENVELOPE_CONTENT },
  getEnvelope: { 404: ["envelope_not_found"] },
  updateEnvelope: {
    400: ["document_not_found"],
    404: ["envelope_not_found"],
    409: ["envelope_not_draft"],
    422: ENVELOPE_CONTENT,
  },
  deleteEnvelope: { 404: ["envelope_not_found"], 409: ["envelope_finished"] },
  sendEnvelope: {
    404: ["envelope_not_found"],
    409: ["envelope_not_draft"],
    422: ["envelope_has_no_documents", "envelope_has_no_signer", ...ENVELOPE_CONTENT],
  },
  remindEnvelope: {
    404: ["envelope_not_found"],
    409: ["envelope_not_sent", "envelope_finished", "reminder_too_soon"],
  },
  listEnvelopeNotifications: { 404: ["envelope_not_found"] },
  listEnvelopeEvents: { 404: ["envelope_not_found"] },
  getEnvelopeAuditTrail: { 404: ["envelope_not_found"], 409: ["envelope_not_sent"] },
  getEnvelopeSignedDocument: {
    404: ["envelope_not_found", "document_not_found"],
    409: ["envelope_not_completed", "envelope_sealing_failed"],
    410: ["document_content_missing"],
  },
  revokeApiKey: { 404: ["api_key_not_found"] },
  createWebhook: { 422: ["webhook_url_refused"] },
  getWebhook: { 404: ["webhook_not_found"] },
  deleteWebhook: { 404: ["webhook_not_found"] },
  listWebhookDeliveries: { 404: ["webhook_not_found"] },
  rotateWebhookSecret: { 404: ["webhook_not_found"] },
  testWebhook: { 404: ["webhook_not_found"], 409: ["webhook_disabled"] },
  retryWebhookDelivery: {
    404: ["webhook_not_found", "delivery_not_found"],
    409: ["delivery_already_delivered", "webhook_disabled"],
  },
  getSigningSession: SIGNING_LINK,
  getSigningDocument: {
    404: ["signing_link_invalid", "document_not_found"],
    410: [...ENDED, "document_content_missing"],
    416: ["range_not_satisfiable"],
  },
  getSigningSignedDocument: {
    ...SIGNING_LINK,
    409: ["envelope_not_completed", "envelope_sealing_failed"],
    410: [...ENDED, "document_content_missing"],
  },
  getSigningAuditTrail: {
    ...SIGNING_LINK,
    409: ["envelope_not_completed", "envelope_sealing_failed"],
    410: [...ENDED, "document_content_missing"],
  },
  sendSigningCode: {
    ...SIGNING_LINK,
    409: ["otp_not_required", ...CANNOT_ACT],
    503: ["otp_delivery_failed"],
  },
  verifySigningCode: {
    ...SIGNING_LINK,
    401: ["otp_invalid", "otp_expired", "otp_locked", "otp_not_sent"],
    409: ["otp_not_required", ...CANNOT_ACT],
  },
  signAsRecipient: {
    ...SIGNING_LINK,
    400: [
      "consent_required",
      "signature_required",
      "signature_not_allowed",
      "signature_invalid",
      "signature_image_too_large",
      "field_unknown",
      "field_required",
      "field_invalid",
    ],
    403: ["otp_required"],
    409: CANNOT_ACT,
    422: ["unprintable_characters"],
  },
  signIn: { 401: ["sign_in_failed"] },
  updateBranding: { 422: ["accent_color_low_contrast", "logo_invalid"] },
  inviteUser: { 409: ["user_email_taken"] },
  updateUser: { 404: ["user_not_found"], 409: ["user_email_taken", "last_owner"] },
  removeUser: { 404: ["user_not_found"], 409: ["last_owner"] },
  getSession: { 401: ["session_invalid"] },
  signOut: { 401: ["session_invalid"], 403: ["csrf_token_invalid"] },
  updateSession: { 401: ["session_invalid"], 403: ["csrf_token_invalid"] },
  declineAsRecipient: { ...SIGNING_LINK, 400: ["reason_required"], 409: CANNOT_ACT },
};

/** What manages the account (keys, webhooks, settings, people): refused to a member's session. */
const ADMIN_ONLY = new Set([
  "resetSandbox",
  "createApiKey",
  "revokeApiKey",
  "updateSettings",
  "updateBranding",
  "createWebhook",
  "deleteWebhook",
  "rotateWebhookSecret",
  "testWebhook",
  "retryWebhookDelivery",
  "inviteUser",
  "updateUser",
  "removeUser",
]);

/** The codes `operationId` can answer with `status`, in a stable order; empty if none is known. */
export function errorCodes(
  operationId: string,
  status: number,
  { apiKey, idempotent, write }: { apiKey: boolean; idempotent: boolean; write: boolean },
): string[] {
  const codes = [
    ...(ANY_REQUEST[status] ?? []),
    ...(apiKey ? (API_KEY[status] ?? []) : []),
    ...(write ? (WRITE[status] ?? []) : []),
    ...(idempotent ? (IDEMPOTENT[status] ?? []) : []),
    ...(operationId.startsWith("list") && status === 400 ? ["invalid_cursor"] : []),
    ...(ADMIN_ONLY.has(operationId) && status === 403 ? ["role_insufficient"] : []),
    ...(OPERATIONS[operationId]?.[status] ?? []),
  ];
  return [...new Set(codes)];
}
