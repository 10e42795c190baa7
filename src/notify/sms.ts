import path from "node:path";
import { writeOutboxFile } from "./outbox.js";

/** Where text messages go: a provider's HTTP API, or the outbox. */
export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

/** Writes each SMS as a JSON file in `outbox/sms/`, so that a laptop install needs no provider. */
export function createOutboxSms(outboxDir: string): SmsSender {
  return {
    send: (to, text) =>
      writeOutboxFile(path.join(outboxDir, "sms"), "json", JSON.stringify({ to, text })),
  };
}

export class SmsDeliveryError extends Error {
  override readonly name = "SmsDeliveryError";

  constructor(
    message: string,
    /** The failure without what the provider answered, which may quote the text (a code). */
    readonly summary: string = message,
  ) {
    super(message);
  }
}

/**
 * A generic HTTP provider: `POST url` with `{"to": "+33…", "text": "…", "from"?: "…"}` and
 * `Authorization: Bearer <token>`; any 2xx is accepted, anything else (or no answer within the
 * timeout) is an error, which the caller retries.
 */
export function createHttpSms(options: {
  url: string;
  token: string | undefined;
  from: string | undefined;
  timeoutMs: number;
}): SmsSender {
  return {
    async send(to, text) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Certyneo-SMS/1",
            ...(options.token && { authorization: `Bearer ${options.token}` }),
          },
          body: JSON.stringify({ to, text, ...(options.from && { from: options.from }) }),
          redirect: "error",
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error ? (error.cause ?? error).toString() : String(error);
        throw new SmsDeliveryError(`SMS provider unreachable: ${reason}`);
      }
      if (!response.ok) {
        const body = (await response.text().catch(() => "")).slice(0, 200);
        const summary = `SMS provider answered ${response.status}`;
        throw new SmsDeliveryError(body ? `${summary}: ${body}` : summary, summary);
      }
      await response.body?.cancel();
    },
  };
}
