import { Readable } from "node:stream";
import nodemailer, { type Transporter } from "nodemailer";
import { displayText } from "../domain/user-text.js";
import type { StoredFileRef } from "../storage/stored-file.js";
import { attachmentPart } from "./attachment-part.js";
import { writeOutboxFile } from "./outbox.js";

export interface EmailAttachment {
  readonly filename: string;
  /**
   * The bytes, a stream of them (read once, by the one send), or the file that holds them (read
   * by whichever thread sends the message). Streams and files are encoded a chunk at a time.
   */
  readonly content: Buffer | Readable | StoredFileRef;
  readonly contentType: string;
}

/** An image the HTML shows by `cid:` (the sender's logo): small, in the message itself. */
export interface InlineImage {
  readonly cid: string;
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType: string;
}

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments?: readonly EmailAttachment[];
  /** Shown in the HTML, not offered as files: sent with it as one multipart/related whole. */
  readonly inlineImages?: readonly InlineImage[];
  /** Stable across retries of one message, so that receivers can tell a repeat. */
  readonly messageId?: string;
  /** Whose behalf the message is sent on: the `From` reads "<sender> via <platform>". */
  readonly onBehalfOf?: string;
  /** Where the recipient's reply should go (the sender's team), rather than the no-reply address. */
  readonly replyTo?: string;
}

/** `Name <address>` or a bare address, split. */
export function parseMailbox(mailbox: string): { name: string | undefined; address: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(mailbox);
  return match
    ? { name: match[1]?.trim() || undefined, address: match[2]!.trim() }
    : { name: undefined, address: mailbox.trim() };
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
}

/**
 * Sends through `SMTP_URL`, or, when none is configured, writes each message as an `.eml` file
 * in the outbox directory, so that a laptop install works with no mail server.
 */
export interface MailerOptions {
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
}

export function createMailer(options: MailerOptions): Mailer {
  // Well under the job queue's lock (5 min), so that a stalled server cannot let a second
  // instance take the job over while this one is still sending.
  const transport: Transporter = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 60_000,
      })
    : // As written (CRLF, RFC 5322): a newline conversion handles every line
      // of a multi-megabyte attachment on the event loop.
      nodemailer.createTransport({ streamTransport: true });
  const from = parseMailbox(options.from);
  return {
    async send(email) {
      try {
        await deliver(email);
      } finally {
        // A stream the transport did not read to the end (a refused message) is closed here.
        for (const a of email.attachments ?? [])
          if (a.content instanceof Readable) a.content.destroy();
      }
    },
  };

  async function deliver(email: OutgoingEmail): Promise<void> {
    const parts = (email.attachments ?? []).map(attachmentPart);
    const partFailed = firstError(parts);
    const info = await transport.sendMail({
      from: email.onBehalfOf
        ? {
            name: `${displayText(email.onBehalfOf)} via ${from.name ?? "Certyneo"}`,
            address: from.address,
          }
        : options.from,
      ...(email.replyTo && { replyTo: email.replyTo }),
      to: email.to,
      subject: email.subject,
      text: email.text,
      ...(email.html && { html: email.html }),
      attachments: [
        ...(email.inlineImages ?? []).map((image) => ({
          cid: image.cid,
          content: image.content,
          contentType: image.contentType,
          contentDisposition: "inline" as const,
          filename: image.filename,
        })),
        ...parts.map((raw) => ({ raw })),
      ],
      ...(email.messageId && { messageId: email.messageId }),
      headers: { "Auto-Submitted": "auto-generated" },
    });
    // The SMTP connection listened to the message from the start.
    if (options.smtpUrl) return;
    // Nodemailer passes a failing part's error on by emitting it on the message, maybe before
    // the outbox writer listens (which then waited for ever, as a send that never ended). The
    // message is failed, as its state, with the part's error, whenever the part fails.
    const { message } = info as { message: Readable };
    message.on("error", () => {});
    void partFailed.then((error) => message.destroy(error));
    await writeOutboxFile(options.outboxDir, "eml", message);
  }
}

/** The first error of any of `streams`; never settles if none fails. */
function firstError(streams: readonly Readable[]): Promise<Error> {
  return new Promise((resolve) => {
    for (const stream of streams) stream.once("error", resolve);
  });
}
