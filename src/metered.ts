// Senders and job handlers that report to the metrics, when there are: apart from metrics.ts,
// so that a process without metrics (most CLI commands) does not load the Prometheus client.
import type { Metrics } from "./metrics.js";

/** What a mail or SMS sender counts once it is wrapped. */
export function countedSender<T extends { send(...args: never[]): Promise<void> }>(
  sender: T,
  channel: "email" | "sms",
  metrics: Metrics | undefined,
): T {
  if (!metrics) return sender;
  const send = sender.send.bind(sender);
  return Object.assign(Object.create(sender) as T, {
    async send(...args: Parameters<T["send"]>) {
      try {
        await send(...args);
        metrics.message(channel, "sent");
      } catch (error) {
        metrics.message(channel, "failed");
        throw error;
      }
    },
  });
}

/** Each job handler, timed, its outcome counted. */
export function timedHandlers<K extends string, A extends unknown[]>(
  handlers: Record<K, (...args: A) => Promise<unknown>>,
  metrics: Metrics | undefined,
): Record<K, (...args: A) => Promise<unknown>> {
  if (!metrics) return handlers;
  const timed = {} as Record<K, (...args: A) => Promise<unknown>>;
  for (const kind of Object.keys(handlers) as K[]) {
    const handler = handlers[kind];
    timed[kind] = async (...args: A) => {
      const started = performance.now();
      try {
        const result = await handler(...args);
        metrics.job(kind, "done", (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.job(kind, "failed", (performance.now() - started) / 1000);
        throw error;
      }
    };
  }
  return timed;
}
