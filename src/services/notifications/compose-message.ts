import type { Kysely } from "kysely";
import type {
  EnvelopesTable,
  NotificationsTable,
  RecipientsTable,
  Tables,
} from "../../db/schema.js";
import type { Clock } from "../../domain/clock.js";
import { type EnvelopeStatus, effectiveStatus } from "../../domain/envelope-lifecycle.js";
import {
  acts,
  awaitsAction,
  hasActed,
  type RecipientRole,
  type RecipientStatus,
} from "../../domain/recipients.js";
import { safeFileName } from "../../domain/user-text.js";
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
} from "../../notify/emails.js";
import type { OutgoingEmail } from "../../notify/mailer.js";
import { ALL_DOCUMENTS } from "../../pdf/seal-parts.js";
import { SigningTokens } from "../../security/signing-tokens.js";
import type { Locale } from "../../signing/i18n.js";
import type { BlobStore } from "../../storage/blob-store.js";
import type { AccountSettingsService } from "../account-settings.js";
import { senderOf } from "../branding.js";
import { type NotificationKind, type NotificationOptions, recipientsOf } from "./definitions.js";

/** What composing a message reads: the envelope's state, the sender's settings, the files. */
export interface ComposeDeps {
  db: Kysely<Tables>;
  clock: Clock;
  tokens: SigningTokens;
  settings: AccountSettingsService;
  blobs: BlobStore;
  options: NotificationOptions;
}

/**
 * Whether a recipient knows of the envelope: they were sent their invitation, or opened their
 * link (which the sender may have handed over in their own way). Nobody else is told how it ended.
 */
async function knowsOf(deps: ComposeDeps, recipient: RecipientsTable): Promise<boolean> {
  if (recipient.viewed_at) return true;
  const invitations = await deps.db
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
    (await deps.db
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
export async function composeMessage(
  deps: ComposeDeps,
  notification: NotificationsTable,
  envelope: EnvelopesTable,
): Promise<OutgoingEmail | string | null> {
  const sender = await senderOf(deps.db, envelope.account_id);
  const recipients = await recipientsOf(deps.db, envelope.id);
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
        await deps.settings.get({
          accountId: envelope.account_id,
          environment: envelope.environment,
        })
      ).senderEmails[0]
    : undefined;
  const email = (built: OutgoingEmail): OutgoingEmail => ({
    ...built,
    messageId: `<${notification.id}@${new URL(deps.options.publicUrl).hostname}>`,
    onBehalfOf: sender.name,
    ...(replyTo && { replyTo }),
  });
  const kind = notification.kind as NotificationKind;
  if (["declined", "voided", "expired"].includes(kind) && recipient) {
    if (!(await knowsOf(deps, recipient))) return null;
  }
  switch (kind) {
    case "invitation":
    case "reminder": {
      if (!recipient || !stillWaitingFor(deps, envelope, recipient)) return null;
      const reminder = notification.kind === "reminder";
      const call: CallToAct = {
        ...facts,
        to: notification.address,
        recipientName: recipient.name,
        approver: recipient.role === "APPROVER",
        message: envelope.message,
        signUrl: `${deps.options.publicUrl}/sign/${deps.tokens.tokenFor(recipient.id)}`,
        expiresAt: envelope.expires_at,
      };
      return notification.channel === "sms"
        ? callToActSms(call, reminder)
        : email(callToActEmail(call, reminder));
    }
    case "completed":
      return email(completedEmail(facts, audience, await signedCopy(deps, envelope, recipient)));
    case "declined": {
      const event = await deps.db
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

function stillWaitingFor(
  deps: ComposeDeps,
  envelope: EnvelopesTable,
  recipient: RecipientsTable,
): boolean {
  const status = envelope.status as EnvelopeStatus;
  return (
    effectiveStatus(status, envelope.expires_at, deps.clock.now().toISOString()) === "SENT" &&
    awaitsAction(recipient.status as RecipientStatus)
  );
}

/** The sealed PDF of every document, attached if small enough, else a link to it. */
async function signedCopy(
  deps: ComposeDeps,
  envelope: EnvelopesTable,
  recipient: RecipientsTable | undefined,
): Promise<SignedCopy> {
  const sealed = await deps.db
    .selectFrom("sealed_documents")
    .selectAll()
    .where("envelope_id", "=", envelope.id)
    .where("part", "=", ALL_DOCUMENTS)
    .executeTakeFirstOrThrow();
  if (sealed.size <= deps.options.attachmentMaxBytes) {
    return {
      attachment: {
        filename: `${safeFileName(envelope.subject, envelope.id, 100)} - signed.pdf`,
        // Read by the thread that sends the message, when the store has a way.
        content:
          (await deps.blobs.threadRef?.(sealed.sha256)) ?? (await deps.blobs.open(sealed.sha256)),
        contentType: "application/pdf",
      },
    };
  }
  if (!recipient) {
    return {
      apiUrl: `${deps.options.publicUrl}/api/v1/envelopes/${envelope.id}/signed-document`,
    };
  }
  const token = deps.tokens.tokenFor(recipient.id);
  // A CC of an envelope sent by an older version has no link yet.
  if (!recipient.token_hash) {
    await deps.db
      .updateTable("recipients")
      .set({ token_hash: SigningTokens.hash(token) })
      .where("id", "=", recipient.id)
      .where("token_hash", "is", null)
      .execute();
  }
  return { downloadUrl: `${deps.options.publicUrl}/api/v1/signing/${token}/signed-document` };
}
