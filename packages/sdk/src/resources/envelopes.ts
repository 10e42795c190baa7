import { Download } from "../download.js";
import { type ListOptions, PageIterator } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type {
  CreateEnvelopeRequest,
  DeletedEnvelope,
  Envelope,
  EnvelopeList,
  ListEnvelopeNotificationsParams,
  ListEnvelopesParams,
  Notification,
  NotificationList,
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

  list({ signal, timeoutMs, maxRetries, ...query }: ListOptions<ListEnvelopesParams> = {}) {
    return new PageIterator<Envelope>((after) =>
      this.transport.json<EnvelopeList>({
        method: "GET",
        path: "/api/v1/envelopes",
        query: { ...query, after: after ?? query.after },
        ...{ signal, timeoutMs, maxRetries },
      }),
    );
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
  notifications(
    id: string,
    { signal, timeoutMs, maxRetries, ...query }: ListOptions<ListEnvelopeNotificationsParams> = {},
  ) {
    return new PageIterator<Notification>((after) =>
      this.transport.json<NotificationList>({
        method: "GET",
        path: `${path(id)}/notifications`,
        query: { ...query, after: after ?? query.after },
        ...{ signal, timeoutMs, maxRetries },
      }),
    );
  }

  /** The signed PDF once the envelope is COMPLETED and sealed: all documents, or `documentId`. */
  async signedDocument(
    id: string,
    { documentId, ...options }: { documentId?: string } & CallOptions = {},
  ): Promise<Download> {
    return new Download(
      await this.transport.send({
        method: "GET",
        path: `${path(id)}/signed-document`,
        query: { documentId },
        ...options,
      }),
    );
  }

  /** The audit trail (PDF) of a sent envelope. */
  async auditTrail(id: string, options: CallOptions = {}): Promise<Download> {
    return new Download(
      await this.transport.send({ method: "GET", path: `${path(id)}/audit-trail`, ...options }),
    );
  }
}
