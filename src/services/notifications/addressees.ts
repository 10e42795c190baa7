import type { EnvelopeRecipientRow } from "../../db/envelope-with-parts.js";
import { resolveLocale } from "../../signing/i18n.js";
import type { AppendedEvent } from "../event-log.js";
import {
  type Addressee,
  type Channel,
  type NotificationKind,
  recipientChannels,
} from "./definitions.js";

/** Who one event's message goes to, given the envelope's recipients as they now stand. */
export async function addresseesOf(
  recipients: readonly EnvelopeRecipientRow[],
  event: AppendedEvent,
  kind: NotificationKind,
  senders: () => Promise<Addressee[]>,
): Promise<Addressee[]> {
  const toRecipient = (r: EnvelopeRecipientRow, channel: Channel = "email"): Addressee => ({
    channel,
    address: channel === "sms" ? r.phone! : r.email,
    recipientId: r.id,
    locale: resolveLocale(r.locale, undefined),
  });
  if (kind === "invitation" || kind === "reminder") {
    const recipient = recipients.find((r) => r.id === event.recipientId);
    if (!recipient) return [];
    return recipientChannels(recipient)
      .filter((channel) => channel === "email" || recipient.phone)
      .map((channel) => toRecipient(recipient, channel));
  }
  const invited = recipients.filter((r) => r.status !== "PENDING");
  switch (kind) {
    case "completed":
      return [...recipients.map((r) => toRecipient(r)), ...(await senders())];
    case "declined":
      return [
        ...(await senders()),
        ...invited.filter((r) => r.id !== event.recipientId).map((r) => toRecipient(r)),
      ];
    case "voided":
      return invited.map((r) => toRecipient(r));
    case "expired":
      return [...(await senders()), ...invited.map((r) => toRecipient(r))];
  }
}
