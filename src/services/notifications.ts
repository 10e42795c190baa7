import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { lockEnvelope } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import { invitationEmail } from "../notify/invitation.js";
import type { Mailer } from "../notify/mailer.js";
import type { SigningTokens } from "../security/signing-tokens.js";
import { resolveLocale } from "../signing/i18n.js";
import { type EventLog, SYSTEM_CONTEXT } from "./event-log.js";

/** Messages to recipients, sent by the job worker from the events that call for them. */
export class NotificationService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly events: EventLog,
    private readonly mailer: Mailer,
    private readonly tokens: SigningTokens,
    private readonly publicUrl: string,
  ) {}

  /**
   * Emails the recipient of a `recipient.invited` event their link, unless the envelope or the
   * recipient has moved on meanwhile. At least once: a crash after sending sends again.
   */
  async sendInvitation(eventId: string): Promise<void> {
    const event = await this.db
      .selectFrom("events")
      .select(["recipient_id", "envelope_id"])
      .where("id", "=", eventId)
      .executeTakeFirst();
    if (!event?.recipient_id) return;
    const recipient = await this.db
      .selectFrom("recipients")
      .selectAll()
      .where("id", "=", event.recipient_id)
      .executeTakeFirst();
    const envelope = await this.db
      .selectFrom("envelopes")
      .selectAll()
      .where("id", "=", event.envelope_id)
      .executeTakeFirst();
    if (!recipient || envelope?.status !== "SENT" || !["SENT", "VIEWED"].includes(recipient.status))
      return;
    const account = await this.db
      .selectFrom("accounts")
      .select("name")
      .where("id", "=", envelope.account_id)
      .executeTakeFirstOrThrow();
    await this.mailer.send(
      invitationEmail({
        locale: resolveLocale(recipient.locale, undefined),
        to: recipient.email,
        recipientName: recipient.name,
        approver: recipient.role === "APPROVER",
        accountName: account.name,
        subject: envelope.subject,
        message: envelope.message,
        signUrl: `${this.publicUrl}/sign/${this.tokens.tokenFor(recipient.id)}`,
      }),
    );
    await this.db.transaction().execute(async (trx) => {
      await lockEnvelope(trx, this.dialect, envelope.id);
      await this.events.append(
        trx,
        {
          id: envelope.id,
          scope: { accountId: envelope.account_id, environment: envelope.environment },
        },
        SYSTEM_CONTEXT,
        [
          {
            type: "notification.sent",
            recipientId: recipient.id,
            data: { kind: "invitation", channel: "email", to: recipient.email },
          },
        ],
      );
    });
  }
}
