import { randomBytes } from "node:crypto";

/**
 * A positive serial number of 126 random bits, for a certificate or a timestamp (RFC 5280 and
 * RFC 3161 ask for a positive integer of at most 20 octets). Its first byte is 0x40-0x7f: its
 * DER encoding is then these 16 bytes as they are. A first byte of 0 before one under 0x80 would
 * be a leading zero DER forbids, which OpenSSL refuses as "illegal padding" (one timestamp in
 * 512, before).
 */
export function randomSerialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes;
}
