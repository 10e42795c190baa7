import { createHash } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { arrayBuffer } from "./cms.js";

/** Digest algorithms a CMS may name, as `node:crypto` calls them. */
const DIGESTS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

const WEBCRYPTO_HASH: Record<string, string> = {
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

const OID = {
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
} as const;

/** Bytes that are not a CMS SignedData (or a timestamp token, where one is expected). */
export class CmsFormatError extends Error {
  override readonly name = "CmsFormatError";
}

/** What a signature covers, by its digest in the algorithm the signature names. */
export type DigestOf = (algorithm: string) => Uint8Array;

export function digestOf(bytes: readonly Uint8Array[]): DigestOf {
  return (algorithm) => {
    const hash = createHash(algorithm);
    for (const part of bytes) hash.update(part);
    return hash.digest();
  };
}

/** What one CMS signer's signature proves, checked against what it claims to cover. */
export interface SignerCheck {
  /** `node:crypto`'s name of its digest algorithm; `null` when it names one we do not know. */
  digestAlgorithm: string | null;
  /** The message-digest attribute is the digest of what the signature covers. */
  digestMatches: boolean;
  /** The signer's public key verifies the signature over its signed attributes. */
  signatureValid: boolean;
  /** The signer's certificate (DER), found among those the CMS carries. */
  signer: Uint8Array | null;
  certificates: Uint8Array[];
  /** A `signing-time` attribute, which PAdES baseline signatures must not have. */
  hasSigningTime: boolean;
  /** The ESS signing-certificate(-v2) attribute names the signer's certificate; `null`: absent. */
  signingCertificateMatches: boolean | null;
  /** The signature value: what a signature timestamp's imprint is of. */
  signatureValue: Uint8Array;
  /** The signature timestamp token (unsigned attribute), DER. */
  signatureTimestamp: Uint8Array | null;
}

export interface TimestampCheck extends SignerCheck {
  time: Date;
  /** The token's message imprint is the digest of what it timestamps. */
  imprintMatches: boolean;
  policy: string;
}

export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  try {
    const parsed = asn1js.fromBER(arrayBuffer(der));
    if (parsed.offset === -1) throw new Error(parsed.result.error);
    const content = new pkijs.ContentInfo({ schema: parsed.result });
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error("not SignedData");
    return new pkijs.SignedData({ schema: content.content });
  } catch (error) {
    throw new CmsFormatError(
      `Not a CMS SignedData: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Checks the first signer of `signed` against the digest of what it covers. */
export async function checkSigner(
  signed: pkijs.SignedData,
  covered: DigestOf,
): Promise<SignerCheck> {
  const certificates = (signed.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const info = signed.signerInfos[0];
  if (!info) throw new CmsFormatError("The CMS has no signer.");
  const certificate = certificates.find((c) => identifies(info.sid, c)) ?? null;
  const algorithm = DIGESTS[info.digestAlgorithm.algorithmId] ?? null;
  const attributes = info.signedAttrs?.attributes ?? [];
  const attribute = (type: string) => attributes.find((a) => a.type === type)?.values[0];
  const claimed = attribute(OID.messageDigest);
  const digestMatches =
    algorithm !== null &&
    claimed instanceof asn1js.OctetString &&
    attribute(OID.contentType) !== undefined &&
    Buffer.from(claimed.valueBlock.valueHexView).equals(covered(algorithm));
  let signatureValid = false;
  if (certificate && info.signedAttrs && algorithm) {
    try {
      signatureValid = await pkijs
        .getCrypto(true)
        .verifyWithPublicKey(
          info.signedAttrs.encodedValue,
          info.signature,
          certificate.subjectPublicKeyInfo,
          info.signatureAlgorithm,
          WEBCRYPTO_HASH[algorithm],
        );
    } catch {
      signatureValid = false;
    }
  }
  const der = certificate ? new Uint8Array(certificate.toSchema().toBER(false)) : null;
  const token = info.unsignedAttrs?.attributes.find((a) => a.type === OID.timeStampToken)
    ?.values[0];
  return {
    digestAlgorithm: algorithm,
    digestMatches,
    signatureValid,
    signer: der,
    certificates: certificates.map((c) => new Uint8Array(c.toSchema().toBER(false))),
    hasSigningTime: attribute(OID.signingTime) !== undefined,
    signingCertificateMatches: der ? essMatches(attribute, der) : null,
    signatureValue: new Uint8Array(info.signature.valueBlock.valueHexView),
    signatureTimestamp: token ? new Uint8Array(token.toBER(false)) : null,
  };
}

/** Checks an RFC 3161 timestamp token: its own signature, and that it timestamps `imprint`. */
export async function checkTimestampToken(
  der: Uint8Array,
  imprint: DigestOf,
): Promise<TimestampCheck> {
  const signed = parseSignedData(der);
  const content = signed.encapContentInfo;
  if (content.eContentType !== OID.tstInfo || !content.eContent)
    throw new CmsFormatError("Not a timestamp token: it holds no TSTInfo.");
  const encoded = octets(content.eContent);
  let tst: pkijs.TSTInfo;
  try {
    tst = new pkijs.TSTInfo({ schema: asn1js.fromBER(arrayBuffer(encoded)).result });
  } catch (error) {
    throw new CmsFormatError("The timestamp token's TSTInfo is malformed.", { cause: error });
  }
  const check = await checkSigner(signed, digestOf([encoded]));
  const algorithm = DIGESTS[tst.messageImprint.hashAlgorithm.algorithmId];
  return {
    ...check,
    time: tst.genTime,
    imprintMatches:
      algorithm !== undefined &&
      Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(
        imprint(algorithm),
      ),
    policy: tst.policy,
  };
}

/** An OCTET STRING's bytes, primitive or constructed (BER) alike. */
function octets(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return new Uint8Array(value.valueBlock.valueHexView);
  return Buffer.concat(
    value.valueBlock.value.map((part) =>
      octets(part as asn1js.OctetString),
    ) as readonly Uint8Array[],
  );
}

function identifies(sid: pkijs.SignerInfo["sid"], certificate: pkijs.Certificate): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber)
    return (
      certificate.issuer.isEqual(sid.issuer) && certificate.serialNumber.isEqual(sid.serialNumber)
    );
  // subjectKeyIdentifier [0]: the SHA-1 of the public key, as RFC 5280 suggests.
  const keyId = Buffer.from(
    (sid as asn1js.Primitive).valueBlock.valueHexView ?? new Uint8Array(),
  ).toString("hex");
  const key = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return createHash("sha1").update(key).digest("hex") === keyId;
}

/** Whether the ESS signing-certificate(-v2) attribute, if any, names `der`. */
function essMatches(attribute: (type: string) => unknown, der: Uint8Array): boolean | null {
  const v2 = attribute(OID.signingCertificateV2);
  const v1 = attribute(OID.signingCertificate);
  const value = (v2 ?? v1) as asn1js.Sequence | undefined;
  if (!value) return null;
  try {
    const certs = value.valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let algorithm = v2 ? "sha256" : "sha1";
    let hashAt = 0;
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const id = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
      algorithm = DIGESTS[id.algorithmId] ?? "";
      hashAt = 1;
    }
    const hash = parts[hashAt];
    if (!algorithm || !(hash instanceof asn1js.OctetString)) return false;
    return Buffer.from(hash.valueBlock.valueHexView).equals(
      createHash(algorithm).update(der).digest(),
    );
  } catch {
    return false;
  }
}
