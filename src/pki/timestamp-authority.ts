import type { DigestAlgorithm, Signer, TimestampAuthority } from "@libpdf/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { arrayBuffer, cmsSignedData } from "./cms.js";
import { randomSerialNumber } from "./serial-number.js";

/** id-ct-TSTInfo (RFC 3161). */
const TST_INFO = "1.2.840.113549.1.9.16.1.4";
/**
 * The policy under which the built-in authority issues its tokens: a UUID-based OID (X.667),
 * which needs no registration.
 */
const BUILT_IN_TSA_POLICY = "2.25.209578058073221364406408205885874434165";

const HASH_OIDS: Record<DigestAlgorithm, string> = {
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
};

/**
 * The platform's own RFC 3161 timestamp authority, in process: its key and certificate (issued
 * by the platform root, extended key usage timeStamping only, critical) sign each token. Used when
 * no external authority is configured, so that every seal is at least PAdES B-T.
 */
export class BuiltInTimestampAuthority implements TimestampAuthority {
  constructor(
    private readonly signer: Signer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async timestamp(digest: Uint8Array, algorithm: DigestAlgorithm): Promise<Uint8Array> {
    const serial = randomSerialNumber();
    const info = new pkijs.TSTInfo({
      version: 1,
      policy: BUILT_IN_TSA_POLICY,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OIDS[algorithm] }),
        hashedMessage: new asn1js.OctetString({ valueHex: arrayBuffer(digest) }),
      }),
      serialNumber: new asn1js.Integer({ valueHex: arrayBuffer(serial) }),
      genTime: this.now(),
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ordering: false,
    });
    const content = new Uint8Array(info.toSchema().toBER(false));
    return cmsSignedData({ contentType: TST_INFO, content }, this.signer);
  }
}
