import type { Download } from "../download.js";
import type { CallOptions, Transport } from "../transport.js";
import type {
  Declined,
  SigningCodeSent,
  SigningCodeVerified,
  SigningSession,
  SignRequest,
  SignResult,
} from "../types.js";

const path = (token: string) => `/api/v1/signing/${encodeURIComponent(token)}`;

/**
 * The recipient's side, for integrators who build their own signing page: each call is
 * authenticated by the recipient's `signingToken` (on the envelope's recipients once sent), not
 * by the API key.
 */
export class Signing {
  constructor(private readonly transport: Transport) {}

  /** What the recipient sees; the first call records that they viewed it. */
  session(token: string, options: CallOptions = {}): Promise<SigningSession> {
    return this.transport.json({ method: "GET", path: path(token), apiKey: false, ...options });
  }

  /** A document of the envelope, to display. */
  async document(token: string, documentId: string, options: CallOptions = {}): Promise<Download> {
    return this.transport.download({
      method: "GET",
      path: `${path(token)}/documents/${encodeURIComponent(documentId)}`,
      apiKey: false,
      ...options,
    });
  }

  /** The signed PDF, once the envelope is completed. */
  async signedDocument(token: string, options: CallOptions = {}): Promise<Download> {
    return this.transport.download({
      method: "GET",
      path: `${path(token)}/signed-document`,
      apiKey: false,
      ...options,
    });
  }

  /** The final audit trail (sealed), once the envelope is completed. */
  async auditTrail(token: string, options: CallOptions = {}): Promise<Download> {
    return this.transport.download({
      method: "GET",
      path: `${path(token)}/audit-trail`,
      apiKey: false,
      ...options,
    });
  }

  /** Sends the recipient a one-time code (when their `auth` asks for one). */
  sendCode(token: string, options: CallOptions = {}): Promise<SigningCodeSent> {
    return this.transport.json({
      method: "POST",
      path: `${path(token)}/otp`,
      apiKey: false,
      ...options,
    });
  }

  verifyCode(token: string, code: string, options: CallOptions = {}): Promise<SigningCodeVerified> {
    return this.transport.json({
      method: "POST",
      path: `${path(token)}/otp/verify`,
      body: { code },
      apiKey: false,
      ...options,
    });
  }

  /** Signs (a SIGNER: consent, signature, field values) or approves (an APPROVER: consent). */
  sign(token: string, input: SignRequest, options: CallOptions = {}): Promise<SignResult> {
    return this.transport.json({
      method: "POST",
      path: `${path(token)}/sign`,
      body: input,
      apiKey: false,
      ...options,
    });
  }

  decline(token: string, reason: string, options: CallOptions = {}): Promise<Declined> {
    return this.transport.json({
      method: "POST",
      path: `${path(token)}/decline`,
      body: { reason },
      apiKey: false,
      ...options,
    });
  }
}
