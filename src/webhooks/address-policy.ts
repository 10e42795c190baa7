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
  ["100::", 64], // discard-only
  ["2001:db8::", 32], // documentation
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10], // site-local, deprecated but still routed inside some networks
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

/** An IPv6 address as its eight 16-bit groups (an address `isIP` accepted). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const ipv4Of = (high: number, low: number): string =>
  `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 transition form stands for. `tunnel` forms are refused whatever they
 * embed: 6to4 and Teredo reach the IPv4 host through relays (both deprecated for servers; RFC
 * 7526, and Teredo addresses belong to NATed clients, never to a webhook receiver), the
 * IPv4-compatible form is deprecated (RFC 4291), the old SIIT form was withdrawn (RFC 6145), and
 * the local-use NAT64 prefix (RFC 8215) is by definition a private network's own translator.
 * IPv4-mapped addresses and the well-known NAT64 prefix are legitimate (DNS64 on an IPv6-only
 * host answers 64:ff9b::a.b.c.d for every IPv4-only name) and are judged by the IPv4 they embed.
 */
function embeddedIPv4(
  groups: number[],
): { form: string; ipv4: string; tunnel: boolean } | undefined {
  const [g0, g1, g2, , g4, g5, g6 = 0, g7 = 0] = groups;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zero(0, 5) && g5 === 0xffff)
    return { form: "IPv4-mapped", ipv4: ipv4Of(g6, g7), tunnel: false };
  if (zero(0, 4) && g4 === 0xffff && g5 === 0) {
    return { form: "SIIT", ipv4: ipv4Of(g6, g7), tunnel: true };
  }
  if (zero(0, 6)) return { form: "IPv4-compatible", ipv4: ipv4Of(g6, g7), tunnel: true };
  if (g0 === 0x64 && g1 === 0xff9b && zero(2, 6)) {
    return { form: "NAT64", ipv4: ipv4Of(g6, g7), tunnel: false };
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) {
    return { form: "local-use NAT64", ipv4: ipv4Of(g6, g7), tunnel: true };
  }
  if (g0 === 0x2002) return { form: "6to4", ipv4: ipv4Of(g1 ?? 0, g2 ?? 0), tunnel: true };
  if (g0 === 0x2001 && g1 === 0) {
    // The client's address, obfuscated; the Teredo server's is in groups 2 and 3.
    return { form: "Teredo", ipv4: ipv4Of(g6 ^ 0xffff, g7 ^ 0xffff), tunnel: true };
  }
  return undefined;
}

/** Why webhooks may not go to `address`, or `undefined` when they may. */
export function refusedAddress(address: string): string | undefined {
  const family = isIP(address);
  const privateAddress = `a private, loopback or link-local address (${address})`;
  if (family === 0) return `an invalid address (${address})`;
  if (family === 4) return PRIVATE.check(address, "ipv4") ? privateAddress : undefined;
  if (PRIVATE.check(address.replace(/%.*$/, ""), "ipv6")) return privateAddress;
  const embedded = embeddedIPv4(ipv6Groups(address));
  if (embedded) {
    const { form, ipv4, tunnel } = embedded;
    if (PRIVATE.check(ipv4, "ipv4")) {
      return `a private, loopback or link-local address (${address}, ${form} for ${ipv4})`;
    }
    if (tunnel)
      return `an IPv6 transition address (${address}, ${form}), which webhooks may not use`;
  }
  return undefined;
}

export function isPrivateAddress(address: string): boolean {
  return refusedAddress(address) !== undefined;
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
  for (const { address } of addresses) {
    const refused = refusedAddress(address);
    if (refused) return { refused: `the host resolves to ${refused}` };
  }
  return { addresses };
}

/** The reason `url` may not receive webhooks, or `undefined` when it may. */
export async function refusedDestination(
  url: URL,
  allowPrivate: boolean,
): Promise<string | undefined> {
  const destination = await checkDestination(url, allowPrivate);
  return "refused" in destination ? destination.refused : undefined;
}
