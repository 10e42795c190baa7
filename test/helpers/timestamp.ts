import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const TIMESTAMP_TOKEN_OID = "1.2.840.113549.1.9.16.2.14";

/**
 * From a PDF signature's CMS: the RFC 3161 timestamp token in the signer's unsigned attributes,
 * and the signature value it must timestamp.
 */
export function timestampOf(cms: Uint8Array): { token: Buffer; signatureValue: Buffer } {
  const contentInfo = new pkijs.ContentInfo({
    schema: asn1js.fromBER(new Uint8Array(cms).buffer).result,
  });
  const signed = new pkijs.SignedData({ schema: contentInfo.content });
  const signer = signed.signerInfos[0]!;
  const attribute = signer.unsignedAttrs?.attributes.find((a) => a.type === TIMESTAMP_TOKEN_OID);
  if (!attribute) throw new Error("no timestamp token");
  return {
    token: Buffer.from(attribute.values[0]!.toBER(false)),
    signatureValue: Buffer.from(signer.signature.valueBlock.valueHexView),
  };
}
