import { createHash } from "node:crypto";
import type { Signer, TimestampAuthority } from "@libpdf/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
  sha256: "2.16.840.1.101.3.4.2.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  rsassaPss: "1.2.840.113549.1.1.10",
  mgf1: "1.2.840.113549.1.1.8",
} as const;

/** What a CMS signature covers: detached bytes (their digest), or content it carries. */
export type SignedContent =
  | { detachedDigest: Uint8Array }
  | { contentType: string; content: Uint8Array };

/**
 * A CMS SignedData as PAdES baseline signatures (ETSI EN 319 142-1, 5.4) and RFC 3161 tokens
 * (RFC 5816) want it: SHA-256, signed attributes content-type, message-digest and ESS
 * signing-certificate-v2 — and no `signing-time`, which the PAdES baseline forbids (the signing
 * time is the signature dictionary's `/M`; a token has its own `genTime`). With a timestamp
 * authority, the signature value is timestamped (B-T). Answers the DER bytes.
 */
export async function cmsSignedData(
  signed: SignedContent,
  signer: Signer,
  timestampAuthority?: TimestampAuthority,
): Promise<Uint8Array> {
  const contentType = "contentType" in signed ? signed.contentType : OID.data;
  const digest = "detachedDigest" in signed ? signed.detachedDigest : sha256(signed.content);
  const certificate = parseCertificate(signer.certificate);
  const chain = (signer.certificateChain ?? []).map(parseCertificate);
  const signedAttributes = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({
        type: OID.contentType,
        values: [new asn1js.ObjectIdentifier({ value: contentType })],
      }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: arrayBuffer(digest) })],
      }),
      signingCertificateV2(certificate, signer.certificate),
    ],
  });
  // What is signed is the attributes' DER with the SET OF tag, not the [0] they are stored under.
  const toSign = new Uint8Array(signedAttributes.toSchema().toBER(false));
  toSign[0] = 0x31;
  const signature = await signer.sign(toSign, "SHA-256");
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
    }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: signedAttributes,
    signatureAlgorithm: signatureAlgorithm(signer),
    signature: new asn1js.OctetString({ valueHex: arrayBuffer(signature) }),
  });
  if (timestampAuthority) {
    const token = await timestampAuthority.timestamp(sha256(signature), "SHA-256");
    const parsed = asn1js.fromBER(arrayBuffer(token));
    if (parsed.offset === -1)
      throw new Error("The timestamp authority answered a malformed token.");
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.timeStampToken, values: [parsed.result] })],
    });
  }
  const signedData = new pkijs.SignedData({
    // 3 when the content is not id-data (RFC 5652, 5.1).
    version: contentType === OID.data ? 1 : 3,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: contentType,
      ...("content" in signed && {
        eContent: new asn1js.OctetString({ valueHex: arrayBuffer(signed.content) }),
      }),
    }),
    certificates: [certificate, ...chain],
    signerInfos: [signerInfo],
  });
  const schema = signedData.toSchema(true) as asn1js.Sequence;
  if ("content" in signed) {
    // pkijs writes carried content as a constructed (BER) OCTET STRING; a token is DER.
    const encapsulated = schema.valueBlock.value[2] as asn1js.Sequence;
    encapsulated.valueBlock.value[1] = new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 },
      value: [new asn1js.OctetString({ valueHex: arrayBuffer(signed.content) })],
    });
  }
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: schema });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signature to its certificate, SHA-256. */
function signingCertificateV2(certificate: pkijs.Certificate, der: Uint8Array): pkijs.Attribute {
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames holding one directoryName ([4], explicit).
      new asn1js.Sequence({
        value: [
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 4 },
            value: [certificate.issuer.toSchema()],
          }),
        ],
      }),
      certificate.serialNumber,
    ],
  });
  // The hash algorithm is left out: SHA-256 is its DEFAULT.
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: arrayBuffer(sha256(der)) }), issuerSerial],
  });
  return new pkijs.Attribute({
    type: OID.signingCertificateV2,
    values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
  });
}

function signatureAlgorithm(signer: Signer): pkijs.AlgorithmIdentifier {
  if (signer.signatureAlgorithm === "ECDSA") {
    return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  }
  if (signer.signatureAlgorithm === "RSA-PSS") {
    const sha256Id = new pkijs.AlgorithmIdentifier({
      algorithmId: OID.sha256,
      algorithmParams: new asn1js.Null(),
    });
    const params = new pkijs.RSASSAPSSParams({
      hashAlgorithm: sha256Id,
      maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: OID.mgf1,
        algorithmParams: sha256Id.toSchema(),
      }),
      saltLength: 32,
    });
    return new pkijs.AlgorithmIdentifier({
      algorithmId: OID.rsassaPss,
      algorithmParams: params.toSchema(),
    });
  }
  return new pkijs.AlgorithmIdentifier({
    algorithmId: OID.sha256WithRsa,
    algorithmParams: new asn1js.Null(),
  });
}

function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(arrayBuffer(der));
}

export function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
