// @peculiar/x509 resolves its services through decorators' metadata: the polyfill comes first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, ready: every module of ours that uses it imports it from here. */
export { x509 };
