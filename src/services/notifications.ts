import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { findEnvelope } from "../db/envelopes.js";
import { insertRows } from "../db/insert-rows.js";
import { lockEnvelope } from "../db/locks.js";
import { listNewestFirst } from "../db/pagination.js";
import { precompiled } from "../db/precompiled.js";
import type { EnvelopesTable, NotificationsTable, RecipientsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { type EnvelopeStatus, effectiveStatus } from "../domain/envelope-lifecycle.js";
import type { Scope } from "../domain/environment.js";
import type { Page, PageRequest } from "../domain/pagination.js";
import {
  acts,
  awaitsAction,
  hasActed,
  type RecipientRole,
  type RecipientStatus,
} from "../domain/recipients.js";
import { safeFileName } from "../domain/user-text.js";
import {
  type Audience,
  type CallToAct,
  callToActEmail,
  callToActSms,
  completedEmail,
  declinedEmail,
  type EnvelopeFacts,
  expiredEmail,
  type SignedCopy,
  voidedEmail,
} from "../notify/emails.js";
import type { Mailer, OutgoingEmail } from "../notify/mailer.js";
import type { SmsSender } from "../notify/sms.js";
import { newOrderedId } from "../security/random.js";
import { SigningTokens } from "../security/signing-tokens.js";
import { type Locale, resolveLocale } from "../signing/i18n.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { AccountSettings, AccountSettingsService } from "./account-settings.js";
import { senderOf } from "./branding.js";
import { type AppendedEvent, type EventLog, type NewEvent, SYSTEM_CONTEXT } from "./event-log.js";
import { ALL_DOCUMENTS } from "./sealing.js";

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
const KIND_BY_EVENT: Readonly<Record<string, NotificationKind>> = {
  "recipient.invited": "invitation",
  "recipient.reminded": "reminder",
  "envelope.sealed": "completed",
  "envelope.declined": "declined",
  "envelope.voided": "voided",
  "envelope.expired": "expired",
};

interface Addressee {
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
const recipientsOf = precompiled((db: Kysely<Tables>, envelopeId: string) =>
  db.selectFrom("recipients").selectAll().where("envelope_id", "=", envelopeId).orderBy("position"),
);

/**
 * Messages to recipients and to the sender's team. What an event calls for is written, one row
 * per message, in the event's own transaction (so it is never lost); the job worker sends each
 * afterwards, at least once, and records the outcome as an event of the envelope.
 */
export class NotificationService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly mailer: Mailer,
    private readonly sms: SmsSender,
    private readonly tokens: SigningTokens,
    private readonly settings: AccountSettingsService,
    private readonly blobs: BlobStore,
    private readonly options: NotificationOptions,
  ) {}

  /** The envelope's messages, newest first: to whom, how, and whether they went out. */
  async list(scope: Scope, envelopeId: string, page: PageRequest): Promise<Page<Notification>> {
    await findEnvelope(this.db, scope, envelopeId);
    const rows = await listNewestFirst(this.db, "notifications", scope, page, "a notification", {
      filters: { envelope_id: envelopeId },
    });
    return {
      ...rows,
      data: rows.data.map((row) => ({
        id: row.id,
        kind: row.kind as NotificationKind,
        channel: row.channel,
        to: row.address,
        recipientId: row.recipient_id,
        eventId: row.event_id,
        state: row.state,
        attempts: row.attempts,
        lastError: row.last_error,
        createdAt: row.created_at,
        sentAt: row.sent_at,
      })),
    };
  }

  /** {@link plan} for an event already committed: the queue of an older version named events. */
  async planStored(trx: Kysely<Tables>, eventId: string): Promise<string[]> {
    const event = await trx
      .selectFrom("events")
      .selectAll()
      .where("id", "=", eventId)
      .executeTakeFirst();
    if (!event) return [];
    const planned = await trx
      .selectFrom("notifications")
      .select("id")
      .where("event_id", "=", eventId)
      .execute();
    if (planned.length > 0) return [];
    return this.plan(
      trx,
      {
        id: event.envelope_id,
        scope: { accountId: event.account_id, environment: event.environment },
      },
      [
        {
          id: event.id,
          type: event.type,
          recipientId: event.recipient_id,
          createdAt: event.created_at,
        },
      ],
    );
  }

  /** Writes the messages `events` call for; returns their ids, for the caller to enqueue. */
  async plan(
    trx: Kysely<Tables>,
    envelope: { id: string; scope: Scope },
    events: readonly AppendedEvent[],
  ): Promise<string[]> {
    const planned = events.flatMap((event) => {
      const kind = KIND_BY_EVENT[event.type];
      return kind ? [{ event, kind }] : [];
    });
    if (planned.length === 0) return [];
    // Who is who once every event's change is made: read once for all of them.
    const recipients = await recipientsOf(trx, envelope.id);
    let settings: Promise<AccountSettings> | undefined;
    const senders = async (): Promise<Addressee[]> => {
      settings ??= this.settings.get(envelope.scope, trx);
      const { senderEmails, senderLocale } = await settings;
      return senderEmails.map((address) => ({
        channel: "email",
        address,
        recipientId: null,
        locale: senderLocale,
      }));
    };
    const rows: NotificationsTable[] = [];
    for (const { event, kind } of planned) {
      const addressees = await addresseesOf(recipients, event, kind, senders);
      const unique = new Map(addressees.map((a) => [`${a.channel}:${a.address.toLowerCase()}`, a]));
      for (const a of unique.values()) {
        rows.push({
          id: newOrderedId("ntf"),
          envelope_id: envelope.id,
          account_id: envelope.scope.accountId,
          environment: envelope.scope.environment,
          event_id: event.id,
          recipient_id: a.recipientId,
          kind,
          channel: a.channel,
          address: a.address,
          locale: a.locale,
          state: "pending",
          attempts: 0,
          last_error: null,
          created_at: event.createdAt,
          sent_at: null,
        });
      }
    }
    await insertRows(trx, "notifications", rows);
    return rows.map((r) => r.id);
  }

  /**
   * Sends one message, unless what it asks of the recipient is no longer theirs to do. A failure
   * is recorded and thrown, for the job queue to retry; `nextAttemptAt` is when (or `null` when
   * this was the last attempt).
   */
  async deliver(notificationId: string, attempt: number, nextAttemptAt: Date | null) {
    const notification = await this.db
      .selectFrom("notifications")
      .selectAll()
      .where("id", "=", notificationId)
      .executeTakeFirst();
    if (!notification || notification.state === "sent" || notification.state === "skipped") return;
    const envelope = await this.db
      .selectFrom("envelopes")
      .selectAll()
      .where("id", "=", notification.envelope_id)
      .executeTakeFirstOrThrow();
    const summary = {
      notificationId: notification.id,
      kind: notification.kind,
      channel: notification.channel,
      to: notification.address,
    };
    try {
      const message = await this.compose(notification, envelope);
      if (!message) {
        await this.setState(notification.id, { state: "skipped", attempts: attempt });
        return;
      }
      if (typeof message === "string") await this.sms.send(notification.address, message);
      else await this.mailer.send(message);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      await this.setState(notification.id, {
        state: nextAttemptAt ? "pending" : "failed",
        attempts: attempt,
        last_error: reason,
      });
      await this.record(envelope, notification.recipient_id, {
        type: "notification.failed",
        data: {
          ...summary,
          attempt,
          error: reason,
          nextAttemptAt: nextAttemptAt?.toISOString() ?? null,
        },
      });
      throw error;
    }
    await this.setState(notification.id, {
      state: "sent",
      attempts: attempt,
      last_error: null,
      sent_at: this.clock.now().toISOString(),
    });
    await this.record(envelope, notification.recipient_id, {
      type: "notification.sent",
      data: summary,
    });
  }

  /**
   * Whether a recipient knows of the envelope: they were sent their invitation, or opened their
   * link (which the sender may have handed over in their own way). Nobody else is told how it ended.
   */
  private async knowsOf(recipient: RecipientsTable): Promise<boolean> {
    if (recipient.viewed_at) return true;
    const invitations = await this.db
      .selectFrom("notifications")
      .select(["id", "state"])
      .where("recipient_id", "=", recipient.id)
      .where("kind", "=", "invitation")
      .execute();
    // Invited before notifications were recorded (an upgrade): the invitation went out then.
    if (invitations.length === 0) return recipient.invited_at !== null;
    if (invitations.some((i) => i.state === "sent")) return true;
    const pending = invitations.filter((i) => i.state === "pending").map((i) => i.id);
    const sending =
      pending.length > 0 &&
      (await this.db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", "send_notification")
        .where("subject_id", "in", pending)
        .where("state", "=", "running")
        .executeTakeFirst());
    if (sending) {
      throw new Error("The recipient's invitation is being sent at this moment; retried after it.");
    }
    return false;
  }

  /** The email or text message to send, or `null` when it should no longer be sent. */
  private async compose(
    notification: NotificationsTable,
    envelope: EnvelopesTable,
  ): Promise<OutgoingEmail | string | null> {
    const sender = await senderOf(this.db, envelope.account_id);
    const recipients = await recipientsOf(this.db, envelope.id);
    const recipient = recipients.find((r) => r.id === notification.recipient_id);
    const facts: EnvelopeFacts = {
      locale: notification.locale as Locale,
      accountName: sender.name,
      accentColor: sender.accentColor,
      logo: sender.logo,
      subject: envelope.subject,
      test: envelope.environment === "test",
    };
    const audience: Audience = {
      to: notification.address,
      recipientName: recipient?.name ?? null,
    };
    // Recipients' replies go to the sender's team, when it has given an address.
    const replyTo = recipient
      ? (
          await this.settings.get({
            accountId: envelope.account_id,
            environment: envelope.environment,
          })
        ).senderEmails[0]
      : undefined;
    const email = (built: OutgoingEmail): OutgoingEmail => ({
      ...built,
      messageId: `<${notification.id}@${new URL(this.options.publicUrl).hostname}>`,
      onBehalfOf: sender.name,
      ...(replyTo && { replyTo }),
    });
    const kind = notification.kind as NotificationKind;
    if (["declined", "voided", "expired"].includes(kind) && recipient) {
      if (!(await this.knowsOf(recipient))) return null;
    }
    switch (kind) {
      case "invitation":
      case "reminder": {
        if (!recipient || !this.stillWaitingFor(envelope, recipient)) return null;
        const reminder = notification.kind === "reminder";
        const call: CallToAct = {
          ...facts,
          to: notification.address,
          recipientName: recipient.name,
          approver: recipient.role === "APPROVER",
          message: envelope.message,
          signUrl: `${this.options.publicUrl}/sign/${this.tokens.tokenFor(recipient.id)}`,
          expiresAt: envelope.expires_at,
        };
        return notification.channel === "sms"
          ? callToActSms(call, reminder)
          : email(callToActEmail(call, reminder));
      }
      case "completed":
        return email(completedEmail(facts, audience, await this.signedCopy(envelope, recipient)));
      case "declined": {
        const event = await this.db
          .selectFrom("events")
          .select(["recipient_id", "data"])
          .where("id", "=", notification.event_id)
          .executeTakeFirstOrThrow();
        const decliner = recipients.find((r) => r.id === event.recipient_id);
        const { reason } = JSON.parse(event.data) as { reason?: string };
        return email(
          declinedEmail(facts, audience, { name: decliner?.name ?? "", reason: reason ?? null }),
        );
      }
      case "voided":
        return email(voidedEmail(facts, audience, envelope.void_reason));
      case "expired": {
        const waiting = recipients.filter(
          (r) => acts(r.role as RecipientRole) && !hasActed(r.status as RecipientStatus),
        );
        return email(
          expiredEmail(
            facts,
            audience,
            waiting.map((r) => r.name),
          ),
        );
      }
    }
  }

  private stillWaitingFor(envelope: EnvelopesTable, recipient: RecipientsTable): boolean {
    const status = envelope.status as EnvelopeStatus;
    return (
      effectiveStatus(status, envelope.expires_at, this.clock.now().toISOString()) === "SENT" &&
      awaitsAction(recipient.status as RecipientStatus)
    );
  }

  /** The sealed PDF of every document, attached if small enough, else a link to it. */
  private async signedCopy(
    envelope: EnvelopesTable,
    recipient: RecipientsTable | undefined,
  ): Promise<SignedCopy> {
    const sealed = await this.db
      .selectFrom("sealed_documents")
      .selectAll()
      .where("envelope_id", "=", envelope.id)
      .where("part", "=", ALL_DOCUMENTS)
      .executeTakeFirstOrThrow();
    if (sealed.size <= this.options.attachmentMaxBytes) {
      return {
        attachment: {
          filename: `${safeFileName(envelope.subject, envelope.id, 100)} - signed.pdf`,
          // Read by the thread that sends the message, when the store has a way.
          content:
            (await this.blobs.threadRef?.(sealed.sha256)) ?? (await this.blobs.open(sealed.sha256)),
          contentType: "application/pdf",
        },
      };
    }
    if (!recipient) {
      return {
        apiUrl: `${this.options.publicUrl}/api/v1/envelopes/${envelope.id}/signed-document`,
      };
    }
    const token = this.tokens.tokenFor(recipient.id);
    // A CC of an envelope sent by an older version has no link yet.
    if (!recipient.token_hash) {
      await this.db
        .updateTable("recipients")
        .set({ token_hash: SigningTokens.hash(token) })
        .where("id", "=", recipient.id)
        .where("token_hash", "is", null)
        .execute();
    }
    return { downloadUrl: `${this.options.publicUrl}/api/v1/signing/${token}/signed-document` };
  }

  private async setState(
    id: string,
    changes: Partial<Pick<NotificationsTable, "state" | "attempts" | "last_error" | "sent_at">>,
  ) {
    await this.db.updateTable("notifications").set(changes).where("id", "=", id).execute();
  }

  private async record(envelope: EnvelopesTable, recipientId: string | null, event: NewEvent) {
    await this.db.transaction().execute(async (trx) => {
      await lockEnvelope(trx, this.dialect, envelope.id);
      await this.events.append(
        trx,
        {
          id: envelope.id,
          scope: { accountId: envelope.account_id, environment: envelope.environment },
        },
        SYSTEM_CONTEXT,
        [{ ...event, recipientId }],
      );
    });
  }
}

/** Who one event's message goes to, given the envelope's recipients as they now stand. */
async function addresseesOf(
  recipients: readonly RecipientsTable[],
  event: AppendedEvent,
  kind: NotificationKind,
  senders: () => Promise<Addressee[]>,
): Promise<Addressee[]> {
  const toRecipient = (r: RecipientsTable, channel: Channel = "email"): Addressee => ({
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
