import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { DigestAlgorithm, KeyType, SignatureAlgorithm, Signer } from "@libpdf/core";
import type * as Pkcs11Types from "pkcs11js";
import { createCMSECDSASignature } from "pkijs";
import { arrayBuffer } from "./cms.js";
import { x509 } from "./x509.js";

/** Where the seal key lives when it never leaves a token (HSM, smart card, SoftHSM). */
export interface Pkcs11KeySpec {
  /** The token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  module: string;
  /** The token's label. */
  token: string;
  /** The user PIN. */
  pin: string;
  /** The private key's label (CKA_LABEL). */
  key: string;
}

// pkcs11js is a native addon (CommonJS): loaded on first use only, by who seals with a token.
const require = createRequire(import.meta.url);

/** One module per library path and thread: a library is initialised once per process. */
const modules = new Map<string, Pkcs11Types.PKCS11>();

function moduleFor(path: string): { pkcs11: Pkcs11Types.PKCS11; lib: typeof Pkcs11Types } {
  const lib = require("pkcs11js") as typeof Pkcs11Types;
  let pkcs11 = modules.get(path);
  if (!pkcs11) {
    pkcs11 = new lib.PKCS11();
    pkcs11.load(path);
    try {
      pkcs11.C_Initialize({ flags: lib.CKF_OS_LOCKING_OK });
    } catch (error) {
      // Another thread of this process initialised it first: the library is shared.
      if (
        !(error instanceof lib.Pkcs11Error && error.code === lib.CKR_CRYPTOKI_ALREADY_INITIALIZED)
      )
        throw error;
    }
    modules.set(path, pkcs11);
  }
  return { pkcs11, lib };
}

/**
 * A signer whose private key stays in a PKCS#11 token: the token signs the digest (ECDSA) or the
 * data (RSA PKCS#1 v1.5, SHA-256), the key is never read. Opens a session and logs in once.
 */
export class Pkcs11Signer implements Signer {
  readonly keyType: KeyType;
  readonly signatureAlgorithm: SignatureAlgorithm;
  private readonly session: Pkcs11Types.Handle;
  private readonly privateKey: Pkcs11Types.Handle;
  private readonly pkcs11: Pkcs11Types.PKCS11;
  private readonly lib: typeof Pkcs11Types;

  constructor(
    spec: Pkcs11KeySpec,
    readonly certificate: Uint8Array,
    readonly certificateChain: Uint8Array[],
  ) {
    const algorithm = new x509.X509Certificate(certificate).publicKey.algorithm.name;
    this.keyType = algorithm === "ECDSA" ? "EC" : "RSA";
    this.signatureAlgorithm = this.keyType === "EC" ? "ECDSA" : "RSASSA-PKCS1-v1_5";
    const { pkcs11, lib } = moduleFor(spec.module);
    this.pkcs11 = pkcs11;
    this.lib = lib;
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === spec.token);
    if (!slot) throw new Error(`No PKCS#11 token labelled "${spec.token}" in ${spec.module}.`);
    this.session = pkcs11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
    try {
      pkcs11.C_Login(this.session, lib.CKU_USER, spec.pin);
    } catch (error) {
      // Logging in is per application: another thread's session already did.
      if (!(error instanceof lib.Pkcs11Error && error.code === lib.CKR_USER_ALREADY_LOGGED_IN))
        throw error;
    }
    pkcs11.C_FindObjectsInit(this.session, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_LABEL, value: spec.key },
    ]);
    const found = pkcs11.C_FindObjects(this.session, 2);
    pkcs11.C_FindObjectsFinal(this.session);
    if (found.length !== 1) {
      throw new Error(
        `The PKCS#11 token "${spec.token}" holds ${found.length} private keys labelled "${spec.key}": one is needed.`,
      );
    }
    this.privateKey = found[0]!;
  }

  async sign(data: Uint8Array, algorithm: DigestAlgorithm): Promise<Uint8Array> {
    if (algorithm !== "SHA-256")
      throw new Error(`Only SHA-256 is signed with a token, not ${algorithm}.`);
    const { pkcs11, lib } = this;
    if (this.keyType === "RSA") {
      pkcs11.C_SignInit(this.session, { mechanism: lib.CKM_SHA256_RSA_PKCS }, this.privateKey);
      return new Uint8Array(pkcs11.C_Sign(this.session, Buffer.from(data), Buffer.alloc(1024)));
    }
    pkcs11.C_SignInit(this.session, { mechanism: lib.CKM_ECDSA }, this.privateKey);
    const digest = createHash("sha256").update(data).digest();
    // The token answers r || s; CMS wants DER SEQUENCE { r, s }.
    const raw = pkcs11.C_Sign(this.session, digest, Buffer.alloc(132));
    return new Uint8Array(createCMSECDSASignature(arrayBuffer(raw)));
  }
}
