// @peculiar/x509 resolves its services through decorators' metadata: the polyfill comes first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, ready: every module of ours that uses it imports it from here. */
export { x509 };

/** The platform's keys: ECDSA on P-256, signing with SHA-256. */
export const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
export const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;
/** id-kp-timeStamping (RFC 3161). */
export const TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
