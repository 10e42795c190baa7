import { createHmac, timingSafeEqual } from "node:crypto";

/** The `Certyneo-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`, one v1 per secret. */
export function signatureHeader(
  rawBody: string,
  secrets: readonly string[],
  unixSeconds: number,
): string {
  const signatures = secrets.map((secret) => `v1=${hmac(secret, unixSeconds, rawBody)}`);
  return [`t=${unixSeconds}`, ...signatures].join(",");
}

function hmac(secret: string, unixSeconds: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${unixSeconds}.${rawBody}`, "utf8").digest("hex");
}

export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

/**
 * For receivers: checks that `rawBody` (exactly the bytes received) was signed with `secret` less
 * than `toleranceSeconds` ago. Throws `WebhookVerificationError` otherwise; returns the parsed event.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  header: string | undefined | null,
  secret: string,
  toleranceSeconds = 300,
  now: number = Date.now(),
): unknown {
  if (!header) throw new WebhookVerificationError("Missing Certyneo-Signature header");
  const body = Buffer.isBuffer(rawBody) ? rawBody.toString("utf8") : rawBody;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === "v1" && value) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new WebhookVerificationError("Malformed Certyneo-Signature header");
  }
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError(
      "Signature timestamp outside the tolerance: possible replay",
    );
  }
  const expected = Buffer.from(hmac(secret, timestamp, body), "hex");
  const matches = candidates.some((candidate) => {
    const given = Buffer.from(candidate, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError("No signature matches the secret");
  return JSON.parse(body);
}
