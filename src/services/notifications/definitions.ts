import type { Kysely } from "kysely";
import { precompiled } from "../../db/precompiled.js";
import type { NotificationsTable, RecipientsTable, Tables } from "../../db/schema.js";
import type { Locale } from "../../signing/i18n.js";

export const NOTIFICATION_KINDS = [
  "invitation",
  "reminder",
  "completed",
  "declined",
  "voided",
  "expired",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type Channel = "email" | "sms";

/** The message each event calls for; other events send nothing. */
export const KIND_BY_EVENT: Readonly<Record<string, NotificationKind>> = {
  "recipient.invited": "invitation",
  "recipient.reminded": "reminder",
  "envelope.sealed": "completed",
  "envelope.declined": "declined",
  "envelope.voided": "voided",
  "envelope.expired": "expired",
};

export interface Addressee {
  channel: Channel;
  address: string;
  recipientId: string | null;
  locale: Locale;
}

export interface Notification {
  id: string;
  kind: NotificationKind;
  channel: Channel;
  to: string;
  /** `null` for the account's own addresses. */
  recipientId: string | null;
  eventId: string;
  state: NotificationsTable["state"];
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface NotificationOptions {
  publicUrl: string;
  /** A signed PDF up to this size is attached to the completed email; larger, it is linked. */
  attachmentMaxBytes: number;
}

/** The ways a recipient is invited and reminded; email unless they asked for more. */
export function recipientChannels(recipient: Pick<RecipientsTable, "channels">): Channel[] {
  return recipient.channels ? (JSON.parse(recipient.channels) as Channel[]) : ["email"];
}

/** The envelope's recipients, in order: read for each message planned or sent. */
export const recipientsOf = precompiled((db: Kysely<Tables>, envelopeId: string) =>
  db.selectFrom("recipients").selectAll().where("envelope_id", "=", envelopeId).orderBy("position"),
);
