// Whole requests and responses for the OpenAPI document, by operationId: what /docs shows and
// sends with "Try it out". Ids are of the shape the API gives; replace them with your own.
// test/api/openapi.test.ts checks every one against its schema.

const at = (minute: number) => `2026-11-28T10:${String(minute).padStart(2, "0")}:00.000Z`;

const DOCUMENT_ID = "doc_5Tq8mZk2Vn7rXw3yLp9aHc4d";
const ENVELOPE_ID = "env_8Rk2Lm5Qp9Vx3Tz7Wn4Yb6Hc";
const SIGNER_ID = "rcp_2Fg7Jk9Mq4Rt6Vx8Zb3Nc5Pd";
const WEBHOOK_ID = "whk_7Hd3Kf8Np2Qs5Uw9Yb4Xc6Zm";
const DELIVERY_ID = "dlv_4Gh8Lk2Pn6Rs9Vt3Xw5Zb7Cd";
const EVENT_ID = "evt_9Jm3Np7Rs2Vu5Xy8Zb4Dc6Fg";
const SIGNING_TOKEN = "Su4xAz1IPRLPXueLgfnmlWwtJlt5QqAMjTCmO7kbNYW";
const REDIRECT_URL = "https://crm.example.com/deals/D-4821";

/** A one-page PDF saying "Example contract": uploading it from /docs works as it is. */
const EXAMPLE_PDF_BASE64 =
  "JVBERi0xLjcKJeLjz9MKMSAwIG9iago8PAovVHlwZSAvUGFnZXMKL0tpZHMgWzQgMCBSXQovQ291bnQgMQo+PgplbmRvYmoKMiAwIG9iago8PAovVHlwZSAvQ2F0YWxvZwovUGFnZXMgMSAwIFIKPj4KZW5kb2JqCjMgMCBvYmoKPDwKL1RpdGxlIChFeGFtcGxlIGNvbnRyYWN0KQovQXV0aG9yIChVbmtub3duKQovQ3JlYXRvciAoQGxpYnBkZi9jb3JlKQovUHJvZHVjZXIgKEBsaWJwZGYvY29yZSkKL0NyZWF0aW9uRGF0ZSAoRDoyMDI2MTEyOTA5MTExNlopCi9Nb2REYXRlIChEOjIwMjYxMTI5MDkxMTE2WikKPj4KZW5kb2JqCjQgMCBvYmoKPDwKL1R5cGUgL1BhZ2UKL01lZGlhQm94IFswIDAgNTk1LjI4IDg0MS44OV0KL1Jlc291cmNlcyA8PAovRm9udCA8PAovRjAgPDwKL1R5cGUgL0ZvbnQKL1N1YnR5cGUgL1R5cGUxCi9CYXNlRm9udCAvSGVsdmV0aWNhLUJvbGQKL0VuY29kaW5nIC9XaW5BbnNpRW5jb2RpbmcKPj4KL0YxIDw8Ci9UeXBlIC9Gb250Ci9TdWJ0eXBlIC9UeXBlMQovQmFzZUZvbnQgL0hlbHZldGljYQovRW5jb2RpbmcgL1dpbkFuc2lFbmNvZGluZwo+Pgo+Pgo+PgovUGFyZW50IDEgMCBSCi9Db250ZW50cyBbNyAwIFIgNSAwIFIgOCAwIFIgNiAwIFJdCj4+CmVuZG9iago1IDAgb2JqCjw8Ci9MZW5ndGggODA+PgpzdHJlYW0KCnEKMCBnCkJUCi9GMCAyMCBUZgoxIDAgMCAxIDcyIDc2MCBUbQo8NDU3ODYxNkQ3MDZDNjUyMDYzNkY2RTc0NzI2MTYzNzQ+IFRqCkVUClEKZW5kc3RyZWFtCmVuZG9iago2IDAgb2JqCjw8Ci9MZW5ndGggMTY0Pj4Kc3RyZWFtCgpxCjAgZwpCVAovRjEgMTEgVGYKMSAwIDAgMSA3MiA3MzAgVG0KPDUzNjk2NzZFNjU2NDIwNzc2OTc0NjgyMDQzNjU3Mjc0Nzk2RTY1NkYzQTIwNzI2NTcwNkM2MTYzNjUyMDc0Njg2OTczMjA2NjY5NkM2NTIwNzc2OTc0NjgyMDc5NkY3NTcyMjA2Rjc3NkUyMDUwNDQ0NjJFPiBUagpFVApRCmVuZHN0cmVhbQplbmRvYmoKNyAwIG9iago8PAovTGVuZ3RoIDI+PgpzdHJlYW0KcQoKZW5kc3RyZWFtCmVuZG9iago4IDAgb2JqCjw8Ci9MZW5ndGggMj4+CnN0cmVhbQoKUQplbmRzdHJlYW0KZW5kb2JqCnhyZWYKMCA5CjAwMDAwMDAwMDAgNjU1MzUgZg0KMDAwMDAwMDAxNSAwMDAwMCBuDQowMDAwMDAwMDcyIDAwMDAwIG4NCjAwMDAwMDAxMjEgMDAwMDAgbg0KMDAwMDAwMDI5OCAwMDAwMCBuDQowMDAwMDAwNjE3IDAwMDAwIG4NCjAwMDAwMDA3NDYgMDAwMDAgbg0KMDAwMDAwMDk2MCAwMDAwMCBuDQowMDAwMDAxMDEwIDAwMDAwIG4NCnRyYWlsZXIKPDwKL1NpemUgOQovUm9vdCAyIDAgUgovSW5mbyAzIDAgUgovSUQgWzxBRTVBOUY3MkM4QzIzNUNFRDY3MkY5NEZEOTM0MTA0OD4gPEFFNUE5RjcyQzhDMjM1Q0VENjcyRjk0RkQ5MzQxMDQ4Pl0KPj4Kc3RhcnR4cmVmCjEwNjAKJSVFT0YK";

const PAGE_A4 = { width: 595.28, height: 841.89 };
const SHA256 = "b5a9dcc8cf951dc0d9e8459fe9c9593815a329dad17ce9a0b457ab948eac15c4";

export const DOCUMENT = {
  id: DOCUMENT_ID,
  object: "document",
  name: "contract.pdf",
  contentType: "application/pdf",
  size: 1392,
  pages: 1,
  pageSizes: [PAGE_A4],
  sha256: SHA256,
  environment: "test",
  createdAt: at(0),
};

const FIELD = {
  id: "fld_6Kp9Rt3Vx7Zb2Dc5Fg8Hj4Mn",
  type: "signature",
  documentId: DOCUMENT_ID,
  page: 1,
  x: 72,
  y: 650,
  width: 170,
  height: 60,
  required: true,
  label: null,
  value: null,
  autoPlaced: false,
};

/** The field as the signer API shows it to its recipient. */
const { autoPlaced: _, ...SIGNING_FIELD } = FIELD;

const SIGNER = {
  id: SIGNER_ID,
  email: "jane.doe@example.com",
  name: "Jane Doe",
  role: "SIGNER",
  order: 1,
  status: "SENT",
  auth: "none",
  phone: null,
  locale: "en",
  channels: ["email"],
  signUrl: `http://localhost:3000/sign/${SIGNING_TOKEN}`,
  signingToken: SIGNING_TOKEN,
  invitedAt: at(2),
  viewedAt: null,
  signedAt: null,
  declinedAt: null,
  declineReason: null,
  remindersSent: 0,
  lastRemindedAt: null,
  nextReminderAt: "2026-12-01T10:02:00.000Z",
  redirectUrl: null,
  fields: [FIELD],
};

const CC = {
  ...SIGNER,
  id: "rcp_8Nc4Qf7Tj2Wm5Zp9Bs3Dv6Gx",
  email: "legal@example.com",
  name: "Legal department",
  role: "CC",
  status: "PENDING",
  signUrl: null,
  signingToken: null,
  invitedAt: null,
  nextReminderAt: null,
  fields: [],
};

const DRAFT = {
  id: ENVELOPE_ID,
  object: "envelope",
  status: "DRAFT",
  subject: "Service agreement",
  message: "Hello Jane, here is our agreement for signature.",
  environment: "test",
  signingOrder: "parallel",
  documents: [{ id: DOCUMENT_ID, name: "contract.pdf", pages: 1, sha256: SHA256 }],
  recipients: [
    {
      ...SIGNER,
      status: "PENDING",
      signUrl: null,
      signingToken: null,
      invitedAt: null,
      nextReminderAt: null,
    },
    CC,
  ],
  metadata: { crmDealId: "D-4821" },
  redirectUrl: REDIRECT_URL,
  expiresAt: null,
  reminders: { firstAfterDays: 3, everyDays: 3, max: 3 },
  createdAt: at(1),
  updatedAt: at(1),
  sentAt: null,
  completedAt: null,
  declinedAt: null,
  voidedAt: null,
  voidReason: null,
  expiredAt: null,
  sealedAt: null,
  sealingError: null,
};

export const ENVELOPE = {
  ...DRAFT,
  status: "SENT",
  recipients: [SIGNER, CC],
  expiresAt: "2026-12-28T10:02:00.000Z",
  updatedAt: at(2),
  sentAt: at(2),
};

const API_KEY = {
  id: "key_3Bv7Xn2Qm9Lk5Jh8Gf4Dc6Sa",
  object: "api_key",
  name: "CRM integration",
  environment: "test",
  last4: "Tk0W",
  createdAt: at(0),
  lastUsedAt: null,
  revokedAt: null,
  rateLimit: { perMinute: 100, burst: 200 },
};

const WEBHOOK = {
  id: WEBHOOK_ID,
  object: "webhook",
  url: "https://crm.example.com/certyneo",
  description: "CRM: mark deals signed",
  events: ["envelope.completed", "envelope.declined"],
  environment: "test",
  createdAt: at(0),
  disabledAt: null,
  disabledReason: null,
  health: { state: "healthy", failingSince: null, retryAt: null, pendingDeliveries: 0 },
};
const WEBHOOK_SECRET = "whsec_dIzs9Dm3YDzLbQDKNOz9WptFNhNZowmIycIhomdlNDR";

const ATTEMPT_RESULT = {
  object: "webhook_attempt_result",
  deliveryId: DELIVERY_ID,
  delivered: true,
  statusCode: 200,
  error: null,
  durationMs: 84,
};

const SETTINGS = {
  object: "settings",
  environment: "test",
  senderEmails: ["contracts@example.com"],
  senderLocale: "en",
  reminders: { firstAfterDays: 3, everyDays: 3, max: 3 },
  expiresAfterDays: 30,
  updatedAt: at(0),
};

const DASHBOARD_SESSION = {
  object: "session",
  user: { id: "usr_4Tb8Nc2Qf6Xj9Lm3Pr7Vs5Wd", email: "marie.dubois@example.com", role: "owner" },
  accountId: "acct_6Rm2Vq8Xn4Lk7Jh3Gf9Dc5Sb",
  environment: "test",
  csrfToken: "o2Xk9v3QmP7rT1wZ8yB4nC6hJ5dF0gLaEeUuIiOoSs4",
  expiresAt: "2026-12-05T10:00:00.000Z",
};

const BRANDING = {
  object: "branding",
  displayName: "Acme HR",
  accentColor: "#0b6e4f",
  logo: null,
  updatedAt: "2026-11-02T09:00:00.000Z",
};

const USER = {
  id: "usr_4Tb8Nc2Qf6Xj9Lm3Pr7Vs5Wd",
  object: "user",
  email: "marie.dubois@example.com",
  name: "Marie Dubois",
  role: "owner",
  hasPassword: true,
  createdAt: "2026-11-02T09:00:00.000Z",
};

const list = (data: unknown[]) => ({ object: "list", data, hasMore: false, nextCursor: null });

export interface OperationExamples {
  /** The request body, by content type. */
  request?: Record<string, unknown>;
  /** The response body, by status. */
  responses?: Record<string, unknown>;
}

const json = (body: unknown) => ({ "application/json": body });

const ROOT_CERTIFICATE = {
  subject: "CN=Acme, Inc. Root CA, O=Acme, Inc.",
  issuer: "CN=Acme, Inc. Root CA, O=Acme, Inc.",
  serialNumber: "1fb96c23c6261dc8e8c78de354f51f38",
  notBefore: "2026-01-05T09:00:00.000Z",
  notAfter: "2046-01-05T09:00:00.000Z",
  sha256: "9c2d36cb05697a85fd2a447f18ff26933ea34583f10b060efca7cd94062b1fd7",
  revocation: "not_applicable",
};
const TSA_CERTIFICATE = {
  subject: "CN=Acme, Inc. Timestamp Authority, O=Acme, Inc.",
  issuer: ROOT_CERTIFICATE.subject,
  serialNumber: "51ccf4b8400c8f0e5db04a26d5660797",
  notBefore: "2026-01-05T09:00:00.000Z",
  notAfter: "2036-01-05T09:00:00.000Z",
  sha256: "360f46f34ae47f542ca9f8f39f9fc5731c58f8b6c1f13be092e4042a1cbbf672",
  revocation: "good",
};
const PLATFORM_TIMESTAMP = {
  authority: "Acme, Inc. Timestamp Authority",
  authorityCertificate: TSA_CERTIFICATE.sha256,
  intact: true,
  trusted: true,
  byPlatform: true,
  validUntil: TSA_CERTIFICATE.notAfter,
};

/** What `POST /verify` answers for a document sealed here and left unchanged. */
const VERIFICATION = {
  object: "verification",
  result: "sealed_unchanged",
  file: { sha256: SHA256, size: 81_204 },
  sealedByPlatform: true,
  unchangedSinceSealing: true,
  sealedAt: at(20),
  level: "B-LTA",
  archiveTimestamp: { time: at(20), validUntil: TSA_CERTIFICATE.notAfter },
  envelope: {
    envelopeId: ENVELOPE_ID,
    environment: "live",
    contents: "documents",
    signers: [{ name: "Jane Doe", role: "SIGNER", signedAt: at(19) }],
  },
  eventChain: null,
  signatures: [
    {
      field: "Seal_1",
      kind: "signature",
      subFilter: "ETSI.CAdES.detached",
      coveredBytes: 2466,
      coversWholeFile: false,
      intact: true,
      claimedTime: at(20),
      reason: `Signed with Certyneo — envelope ${ENVELOPE_ID}`,
      location: null,
      certification: "form_filling",
      signer: {
        name: "Acme, Inc. Document Seal",
        organization: "Acme, Inc.",
        trusted: true,
        byPlatform: true,
      },
      timestamp: { time: at(20), ...PLATFORM_TIMESTAMP },
      longTermValidation: true,
      certificates: [
        {
          subject: "CN=Acme, Inc. Document Seal, O=Acme, Inc.",
          issuer: ROOT_CERTIFICATE.subject,
          serialNumber: "3d2712c1914f45f60d068bfcfd91e22e",
          notBefore: "2026-01-05T09:00:00.000Z",
          notAfter: "2031-01-04T09:00:00.000Z",
          sha256: "9e9c284d5990a0a098400a9178443bc9d0756169516f1d4168a27dd6e1a2c6c4",
          revocation: "good",
        },
        ROOT_CERTIFICATE,
        TSA_CERTIFICATE,
      ],
      problems: [],
    },
    {
      field: "Timestamp_1",
      kind: "document_timestamp",
      subFilter: "ETSI.RFC3161",
      coveredBytes: 56_157,
      coversWholeFile: true,
      intact: true,
      claimedTime: null,
      reason: null,
      location: null,
      certification: null,
      signer: {
        name: "Acme, Inc. Timestamp Authority",
        organization: "Acme, Inc.",
        trusted: true,
        byPlatform: true,
      },
      timestamp: { time: at(20), ...PLATFORM_TIMESTAMP },
      longTermValidation: true,
      certificates: [TSA_CERTIFICATE, ROOT_CERTIFICATE],
      problems: [],
    },
  ],
  uncoveredBytes: 0,
  truncated: false,
};

export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  getHealth: { responses: { 200: { status: "ok" } } },
  getReadiness: {
    responses: {
      200: { status: "ok" },
      503: { status: "unavailable", reason: "database unreachable" },
    },
  },
  uploadDocument: {
    request: json({ name: "contract.pdf", content: EXAMPLE_PDF_BASE64 }),
    responses: { 201: DOCUMENT },
  },
  listDocuments: { responses: { 200: list([DOCUMENT]) } },
  getDocument: { responses: { 200: DOCUMENT } },
  deleteDocument: { responses: { 200: { id: DOCUMENT_ID, object: "document", deleted: true } } },
  createEnvelope: {
    request: json({
      subject: "Service agreement",
      message: "Hello Jane, here is our agreement for signature.",
      documentIds: [DOCUMENT_ID],
      recipients: [
        {
          email: "jane.doe@example.com",
          name: "Jane Doe",
          role: "SIGNER",
          locale: "en",
          fields: [
            {
              type: "signature",
              documentId: DOCUMENT_ID,
              page: 1,
              x: 72,
              y: 650,
              width: 170,
              height: 60,
            },
          ],
        },
        { email: "legal@example.com", name: "Legal department", role: "CC" },
      ],
      reminders: { firstAfterDays: 3, everyDays: 3, max: 3 },
      metadata: { crmDealId: "D-4821" },
      redirectUrl: REDIRECT_URL,
    }),
    responses: { 201: DRAFT },
  },
  listEnvelopes: { responses: { 200: list([ENVELOPE]) } },
  getEnvelope: { responses: { 200: ENVELOPE } },
  updateEnvelope: {
    request: json({ subject: "Service agreement (revised)", signingOrder: "sequential" }),
    responses: {
      200: { ...DRAFT, subject: "Service agreement (revised)", signingOrder: "sequential" },
    },
  },
  deleteEnvelope: {
    request: json({ reason: "Sent to the wrong person" }),
    responses: {
      200: {
        ...ENVELOPE,
        status: "VOIDED",
        voidedAt: at(30),
        voidReason: "Sent to the wrong person",
        updatedAt: at(30),
      },
    },
  },
  sendEnvelope: { responses: { 200: ENVELOPE } },
  remindEnvelope: { responses: { 200: ENVELOPE } },
  listEnvelopeEvents: {
    responses: {
      200: list([
        {
          id: "evt_2Hq7Lm4Xc9Vb3Nd8Kf6Rt5Sw",
          object: "event",
          sequence: 1,
          type: "envelope.created",
          recipientId: null,
          actor: { type: "api_key", id: "key_7Gh2Kd9Lm4Np8Qr3St6Vw5Xy" },
          ip: "203.0.113.7",
          userAgent: "certyneo-node/1.0.0",
          data: { subject: "Service agreement" },
          createdAt: "2026-11-02T09:00:00.000Z",
          previousHash: "0".repeat(64),
          hash: "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
        },
      ]),
    },
  },
  listEnvelopeNotifications: {
    responses: {
      200: list([
        {
          id: "ntf_5Xb8Dc2Fg6Hj9Km3Np7Qr4St",
          object: "notification",
          kind: "invitation",
          channel: "email",
          to: "jane.doe@example.com",
          recipientId: SIGNER_ID,
          eventId: EVENT_ID,
          state: "sent",
          attempts: 1,
          lastError: null,
          createdAt: at(2),
          sentAt: at(2),
        },
      ]),
    },
  },
  createApiKey: {
    request: json({ name: "CRM integration" }),
    responses: { 201: { ...API_KEY, secret: "sk_test_yLfRGXswbxAkcoNYLxJsEgD1aC6OTk0W" } },
  },
  listApiKeys: { responses: { 200: list([API_KEY]) } },
  revokeApiKey: { responses: { 200: { ...API_KEY, revokedAt: at(45) } } },
  getSettings: { responses: { 200: SETTINGS } },
  updateSettings: {
    request: json({ senderEmails: ["contracts@example.com"], senderLocale: "en" }),
    responses: { 200: SETTINGS },
  },
  createWebhook: {
    request: json({
      url: "https://crm.example.com/certyneo",
      events: ["envelope.completed", "envelope.declined"],
      description: "CRM: mark deals signed",
    }),
    responses: { 201: { ...WEBHOOK, secret: WEBHOOK_SECRET } },
  },
  listWebhooks: { responses: { 200: list([WEBHOOK]) } },
  getWebhook: { responses: { 200: WEBHOOK } },
  deleteWebhook: { responses: { 200: { id: WEBHOOK_ID, object: "webhook", deleted: true } } },
  listWebhookDeliveries: {
    responses: {
      200: list([
        {
          id: "att_2Cd6Fg9Hk3Mn7Pq4Rs8Tv5Wx",
          object: "webhook_attempt",
          deliveryId: DELIVERY_ID,
          eventId: EVENT_ID,
          eventType: "envelope.completed",
          attempt: 1,
          statusCode: 200,
          durationMs: 84,
          error: null,
          nextRetryAt: null,
          createdAt: at(20),
        },
      ]),
    },
  },
  rotateWebhookSecret: {
    responses: { 200: { ...WEBHOOK, secret: "whsec_Q8wN2pL5xK9mR3tV7yB4cF6hJ1dS0gZaEeUuIiOoPp" } },
  },
  testWebhook: { responses: { 200: ATTEMPT_RESULT } },
  retryWebhookDelivery: { responses: { 200: ATTEMPT_RESULT } },
  signIn: {
    request: json({ email: "marie.dubois@example.com", password: "correct horse battery staple" }),
    responses: { 200: DASHBOARD_SESSION },
  },
  getSession: { responses: { 200: DASHBOARD_SESSION } },
  updateSession: {
    request: json({ environment: "live" }),
    responses: { 200: { ...DASHBOARD_SESSION, environment: "live" } },
  },
  requestSignInLink: {
    request: json({ email: "marie.dubois@example.com" }),
    responses: {
      202: {
        object: "sign_in_link",
        message:
          "If this email belongs to someone, a sign-in link is on its way. It works once, for 15 minutes.",
      },
    },
  },
  listUsers: { responses: { 200: list([USER]) } },
  getBranding: { responses: { 200: BRANDING } },
  updateBranding: {
    request: json({ displayName: "Acme HR", accentColor: "#0b6e4f" }),
    responses: { 200: BRANDING },
  },
  getUser: { responses: { 200: USER } },
  inviteUser: {
    request: json({ email: "paul.martin@example.com", role: "member", name: "Paul Martin" }),
    responses: {
      201: {
        ...USER,
        id: "usr_9Kd3Fh7Lp2Qw5Rt8Yv4Bn6Mx",
        email: "paul.martin@example.com",
        name: "Paul Martin",
        role: "member",
        hasPassword: false,
      },
    },
  },
  updateUser: {
    request: json({ name: "Marie Dubois", password: "correct horse battery staple" }),
    responses: { 200: USER },
  },
  getSigningSession: {
    responses: {
      200: {
        envelope: {
          id: ENVELOPE_ID,
          subject: "Service agreement",
          message: "Hello Jane, here is our agreement for signature.",
          status: "SENT",
          environment: "test",
          accountName: "Example Ltd",
          documents: [{ id: DOCUMENT_ID, name: "contract.pdf", pages: 1, pageSizes: [PAGE_A4] }],
        },
        recipient: {
          id: SIGNER_ID,
          name: "Jane Doe",
          email: "jane.doe@example.com",
          role: "SIGNER",
          status: "VIEWED",
          auth: "none",
          locale: "en",
          verified: false,
        },
        fields: [SIGNING_FIELD],
        canAct: true,
        reason: null,
        waitingFor: [],
        otpRequired: false,
        redirectUrl: REDIRECT_URL,
        locale: "en",
        consentText:
          "I have read the documents above and I agree to sign them electronically. I understand that my electronic signature binds me as my handwritten signature would.",
      },
    },
  },
  sendSigningCode: {
    responses: { 202: { sent: true, destination: "j•••@example.com", expiresAt: at(12) } },
  },
  verifySigningCode: { request: json({ code: "482913" }), responses: { 200: { verified: true } } },
  signAsRecipient: {
    request: json({ consent: true, signature: { type: "typed", text: "Jane Doe" } }),
    responses: { 200: { status: "SIGNED", envelopeStatus: "COMPLETED" } },
  },
  declineAsRecipient: {
    request: json({ reason: "The amount in section 4 is wrong." }),
    responses: { 200: { status: "DECLINED" } },
  },
  verifyPdf: { responses: { 200: VERIFICATION } },
  resetSandbox: {
    responses: {
      200: {
        object: "sandbox_reset",
        deleted: { envelopes: 42, documents: 17, webhooks: 2, events: 311 },
      },
    },
  },
};
