import type { LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Where a webhook must never be sent unless the operator allows it: this machine and private networks. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, including cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, "ipv4");
  return PRIVATE.check(address, family === 6 ? "ipv6" : "ipv4");
}

export type Destination =
  | { readonly refused: string }
  /** The checked addresses to connect to; `null` when any address is allowed (no pinning). */
  | { readonly addresses: readonly LookupAddress[] | null };

/**
 * Whether `url` may receive webhooks, and at which addresses. Host names are resolved, and every
 * address they resolve to must be public: a DNS answer cannot smuggle in 127.0.0.1. The caller
 * connects to these very addresses, so that a second answer (DNS rebinding) cannot either.
 */
export async function checkDestination(url: URL, allowPrivate: boolean): Promise<Destination> {
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { refused: "the URL must use https:// (or http://)" };
  if (url.username || url.password) return { refused: "the URL must not contain credentials" };
  if (allowPrivate) return { addresses: null };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: LookupAddress[];
  try {
    const family = isIP(host);
    addresses = family
      ? [{ address: host, family }]
      : await lookup(host, { all: true, verbatim: true });
  } catch {
    return { refused: `the host ${host} does not resolve` };
  }
  const blocked = addresses.find((a) => isPrivateAddress(a.address));
  return blocked
    ? {
        refused: `the host resolves to a private, loopback or link-local address (${blocked.address})`,
      }
    : { addresses };
}

/** The reason `url` may not receive webhooks, or `undefined` when it may. */
export async function refusedDestination(
  url: URL,
  allowPrivate: boolean,
): Promise<string | undefined> {
  const destination = await checkDestination(url, allowPrivate);
  return "refused" in destination ? destination.refused : undefined;
}
