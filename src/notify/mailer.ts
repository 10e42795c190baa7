import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { randomBase62 } from "../security/random.js";

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
}

/**
 * Sends through `SMTP_URL`, or, when none is configured, writes each message as an `.eml` file
 * in the outbox directory, so that a laptop install works with no mail server.
 */
export function createMailer(options: {
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
}): Mailer {
  const transport: Transporter = options.smtpUrl
    ? nodemailer.createTransport(options.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    async send(email) {
      const info = await transport.sendMail({
        from: options.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html && { html: email.html }),
        headers: { "Auto-Submitted": "auto-generated" },
      });
      if (options.smtpUrl) return;
      await mkdir(options.outboxDir, { recursive: true });
      const file = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBase62(8)}.eml`;
      await writeFile(path.join(options.outboxDir, file), (info as { message: Buffer }).message, {
        mode: 0o600,
      });
    },
  };
}

export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

/** Writes each SMS as a JSON file in the outbox; a real provider comes with notifications. */
export function createOutboxSms(outboxDir: string): SmsSender {
  return {
    async send(to, text) {
      const dir = path.join(outboxDir, "sms");
      await mkdir(dir, { recursive: true });
      const file = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBase62(8)}.json`;
      await writeFile(path.join(dir, file), JSON.stringify({ to, text }), { mode: 0o600 });
    },
  };
}
