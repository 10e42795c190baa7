import { WebhookVerificationError } from "./errors.js";
import type { WebhookEvent } from "./types.js";

export interface VerifyOptions {
  /** Oldest signature accepted, in seconds: a replay older than this is refused. Default 300. */
  toleranceSeconds?: number;
  /** The current time, in milliseconds (tests). */
  now?: number;
}

const encoder = new TextEncoder();

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** Compares in time independent of where the strings differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Checks a webhook request: `rawBody` exactly as received (before any JSON parsing), the
 * `Certyneo-Signature` header, and the webhook's secret (`whsec_…`). Returns the event, typed by
 * its `type`; throws `WebhookVerificationError` if the signature is missing, malformed, older than
 * the tolerance or made with another secret. WebCrypto: Node, browsers, Deno and Bun alike.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  { toleranceSeconds = 300, now = Date.now() }: VerifyOptions = {},
): Promise<WebhookEvent> {
  if (!header) throw new WebhookVerificationError("Missing Certyneo-Signature header.");
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === "t" && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (name === "v1" && value) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0)
    throw new WebhookVerificationError("Malformed Certyneo-Signature header.");
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds)
    throw new WebhookVerificationError(
      "The signature's timestamp is outside the tolerance: a replay, or a clock far off.",
    );
  const body = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody;
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new Uint8Array(String(timestamp).length + 1 + body.length);
  signed.set(encoder.encode(`${timestamp}.`));
  signed.set(body, String(timestamp).length + 1);
  const expected = hex(await globalThis.crypto.subtle.sign("HMAC", key, signed));
  if (!signatures.some((signature) => sameText(signature, expected)))
    throw new WebhookVerificationError("No signature matches the secret.");
  try {
    return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent;
  } catch (cause) {
    throw new WebhookVerificationError("The signed body is not JSON.", {}, { cause });
  }
}
