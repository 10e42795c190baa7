/**
 * A worker thread that composes and sends the emails that carry attachments (a sealed PDF:
 * megabytes to encode in base64 and write), off the thread that serves HTTP.
 */
import {
  createMailer,
  type Mailer,
  type MailerOptions,
  type OutgoingEmail,
} from "../notify/mailer.js";
import { lowerThreadPriority } from "./thread-priority.js";

lowerThreadPriority();

export interface MailTask {
  options: MailerOptions;
  email: OutgoingEmail;
}

/** One transport per configuration, made on the first message. */
const mailers = new Map<string, Mailer>();

export default async function send(task: MailTask): Promise<void> {
  const key = JSON.stringify(task.options);
  let mailer = mailers.get(key);
  if (!mailer) {
    mailer = createMailer(task.options);
    mailers.set(key, mailer);
  }
  // A Buffer arrives from the other thread as a plain Uint8Array.
  const asBuffer = <T extends { content: unknown }>(part: T): T => {
    const bytes = part.content;
    if (!(bytes instanceof Uint8Array) || Buffer.isBuffer(bytes)) return part;
    return { ...part, content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  };
  const { attachments, inlineImages } = task.email;
  await mailer.send({
    ...task.email,
    ...(attachments && { attachments: attachments.map(asBuffer) }),
    ...(inlineImages && { inlineImages: inlineImages.map(asBuffer) }),
  });
}
