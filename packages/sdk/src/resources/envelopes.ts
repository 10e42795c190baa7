import type { Download } from "../download.js";
import { type ListOptions, listAt } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type {
  CreateEnvelopeRequest,
  DeletedEnvelope,
  Envelope,
  EnvelopeEventList,
  ListEnvelopeNotificationsParams,
  ListEnvelopesParams,
  Notification,
  UpdateEnvelopeRequest,
} from "../types.js";

const path = (id: string) => `/api/v1/envelopes/${encodeURIComponent(id)}`;

/** Documents sent to recipients for signature. */
export class Envelopes {
  constructor(private readonly transport: Transport) {}

  /** A DRAFT envelope. */
  create(envelope: CreateEnvelopeRequest, options: CallOptions = {}): Promise<Envelope> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/envelopes",
      body: envelope,
      ...options,
    });
  }

  list(options: ListOptions<ListEnvelopesParams> = {}) {
    return listAt<Envelope>(this.transport, "/api/v1/envelopes", options);
  }

  get(id: string, options: CallOptions = {}): Promise<Envelope> {
    return this.transport.json({ method: "GET", path: path(id), ...options });
  }

  /** Changes a DRAFT: each given field replaces the stored one. */
  update(id: string, changes: UpdateEnvelopeRequest, options: CallOptions = {}): Promise<Envelope> {
    return this.transport.json({ method: "PATCH", path: path(id), body: changes, ...options });
  }

  /** Deletes a DRAFT; voids a SENT envelope (its links stop working, its recipients are told). */
  delete(
    id: string,
    { reason, ...options }: { reason?: string } & CallOptions = {},
  ): Promise<DeletedEnvelope | Envelope> {
    return this.transport.json({
      method: "DELETE",
      path: path(id),
      body: reason === undefined ? {} : { reason },
      ...options,
    });
  }

  /** Sends a DRAFT: the recipients whose turn it is are invited; each gets a signUrl. */
  send(id: string, options: CallOptions = {}): Promise<Envelope> {
    return this.transport.json({ method: "POST", path: `${path(id)}/send`, ...options });
  }

  /** Reminds now the recipients whose turn it is. */
  remind(id: string, options: CallOptions = {}): Promise<Envelope> {
    return this.transport.json({ method: "POST", path: `${path(id)}/remind`, ...options });
  }

  /** The emails and text messages sent about the envelope, newest first. */
  notifications(id: string, options: ListOptions<ListEnvelopeNotificationsParams> = {}) {
    return listAt<Notification>(this.transport, `${path(id)}/notifications`, options);
  }

  /** The envelope's history, oldest first, with the hash chain that seals it. */
  events(id: string, options: CallOptions = {}): Promise<EnvelopeEventList> {
    return this.transport.json({ method: "GET", path: `${path(id)}/events`, ...options });
  }

  /** The signed PDF once the envelope is COMPLETED and sealed: all documents, or `documentId`. */
  async signedDocument(
    id: string,
    { documentId, ...options }: { documentId?: string } & CallOptions = {},
  ): Promise<Download> {
    return this.transport.download({
      method: "GET",
      path: `${path(id)}/signed-document`,
      query: { documentId },
      ...options,
    });
  }

  /** The audit trail (PDF) of a sent envelope. */
  async auditTrail(id: string, options: CallOptions = {}): Promise<Download> {
    return this.transport.download({ method: "GET", path: `${path(id)}/audit-trail`, ...options });
  }
}
