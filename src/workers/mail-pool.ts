import { Readable } from "node:stream";
import { Piscina } from "piscina";
import { createMailer, type Mailer, type MailerOptions } from "../notify/mailer.js";
import type { MailTask } from "./mail-thread.js";
import { ownBuffers } from "./transfer.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./mail-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

let pool: Piscina<MailTask, void> | undefined;

/** One thread per process, started with the first attachment and stopped after a idle minute. */
function mailThread(): Piscina<MailTask, void> {
  pool ??= new Piscina<MailTask, void>({
    filename: THREAD_FILE,
    minThreads: 0,
    maxThreads: 1,
    // Sending is mostly waiting for the SMTP server: one thread has several messages going.
    concurrentTasksPerWorker: 8,
    // Piscina's default parks an idle thread in Atomics.wait, its event loop stopped: a message
    // still waiting for the server or the disk when another finished would wait for the next
    // task to wake the thread.
    atomics: "disabled",
    idleTimeout: 60_000,
  });
  return pool;
}

/**
 * `createMailer`, with the messages that carry attachments composed and sent on a worker
 * thread: encoding a sealed PDF in base64 took the event loop about 25 ms a message. Messages
 * without one (invitations, codes) are sent from this thread, at once.
 */
export function createThreadedMailer(options: MailerOptions): Mailer {
  const direct = createMailer(options);
  return {
    async send(email) {
      if (!email.attachments?.length) return direct.send(email);
      // A file is read by the thread. A stream is read here, into bytes of our own, moved to the
      // thread rather than copied; a caller's Buffer is copied (moving it would take it away).
      const read: Buffer[] = [];
      try {
        const attachments = await Promise.all(
          email.attachments.map(async (a) => {
            if (!(a.content instanceof Readable)) return a;
            const content = await readWhole(a.content);
            read.push(content);
            return { ...a, content };
          }),
        );
        await mailThread().run(
          { options, email: { ...email, attachments } },
          { transferList: ownBuffers(read) },
        );
      } finally {
        // A stream left unread (another one failed) is closed here.
        for (const a of email.attachments) if (a.content instanceof Readable) a.content.destroy();
      }
    },
  };
}

/**
 * The bytes of `stream` in one buffer of their own: its chunks copied once. (`buffer` of
 * node:stream/consumers goes through a Blob and copies twice, holding the event loop for tens
 * of milliseconds on a 5 MB file.)
 */
async function readWhole(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
