import type { Kysely } from "kysely";
import type { Dialect } from "../../db/dialect.js";
import { findEnvelope } from "../../db/envelopes.js";
import { insertRows } from "../../db/insert-rows.js";
import { lockEnvelope } from "../../db/locks.js";
import { listNewestFirst } from "../../db/pagination.js";
import type { EnvelopesTable, NotificationsTable, Tables } from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import type { Scope } from "../../domain/environment.js";
import type { Page, PageRequest } from "../../domain/pagination.js";
import type { Mailer } from "../../notify/mailer.js";
import type { SmsSender } from "../../notify/sms.js";
import { newOrderedId } from "../../security/random.js";
import type { SigningTokens } from "../../security/signing-tokens.js";
import type { BlobStore } from "../../storage/blob-store.js";
import type { AccountSettings, AccountSettingsService } from "../account-settings.js";
import {
  type AppendedEvent,
  type EventLog,
  type EventSubject,
  type NewEvent,
  SYSTEM_CONTEXT,
} from "../event-log.js";
import { addresseesOf } from "./addressees.js";
import { type ComposeDeps, composeMessage } from "./compose-message.js";
import {
  type Addressee,
  KIND_BY_EVENT,
  type Notification,
  type NotificationKind,
  type NotificationOptions,
  recipientsOf,
} from "./definitions.js";

export {
  type Channel,
  NOTIFICATION_KINDS,
  type Notification,
  type NotificationKind,
  type NotificationOptions,
  recipientChannels,
} from "./definitions.js";

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
    tokens: SigningTokens,
    private readonly settings: AccountSettingsService,
    blobs: BlobStore,
    options: NotificationOptions,
  ) {
    this.composing = { db, clock, tokens, settings, blobs, options };
  }

  /** What composing a message reads (`compose-message.ts`). */
  private readonly composing: ComposeDeps;

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
    envelope: Pick<EventSubject, "id" | "scope" | "recipients">,
    events: readonly AppendedEvent[],
  ): Promise<string[]> {
    const planned = events.flatMap((event) => {
      const kind = KIND_BY_EVENT[event.type];
      return kind ? [{ event, kind }] : [];
    });
    if (planned.length === 0) return [];
    // Who is who once every event's change is made: read once for all of them.
    const recipients = envelope.recipients ?? (await recipientsOf(trx, envelope.id));
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
      const message = await composeMessage(this.composing, notification, envelope);
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
