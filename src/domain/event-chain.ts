import { createHash } from "node:crypto";

/** The hash before the first event of every envelope. */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedEventContent {
  readonly id: string;
  readonly envelopeId: string;
  readonly sequence: number;
  readonly type: string;
  readonly recipientId: string | null;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly data: unknown;
  readonly createdAt: string;
}

/** JSON with object keys sorted at every depth: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** hash = SHA-256(previous hash + "\n" + canonical JSON of the chained fields), hex. */
export function chainHash(previousHash: string, event: ChainedEventContent): string {
  const content: ChainedEventContent = {
    id: event.id,
    envelopeId: event.envelopeId,
    sequence: event.sequence,
    type: event.type,
    recipientId: event.recipientId,
    actorType: event.actorType,
    actorId: event.actorId,
    ip: event.ip,
    userAgent: event.userAgent,
    data: event.data,
    createdAt: event.createdAt,
  };
  return createHash("sha256")
    .update(`${previousHash}\n${canonicalJson(content)}`)
    .digest("hex");
}

export interface StoredChainedEvent extends ChainedEventContent {
  readonly previousHash: string;
  readonly hash: string;
}

/** The sequence number of the first event that breaks the chain, or `undefined` if it holds. */
export function findChainBreak(events: readonly StoredChainedEvent[]): number | undefined {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (
      event.sequence !== index + 1 ||
      event.previousHash !== previous ||
      chainHash(previous, event) !== event.hash
    ) {
      return event.sequence;
    }
    previous = event.hash;
  }
  return undefined;
}
