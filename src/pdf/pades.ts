import {
  type PDF,
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  type PdfRef,
  PdfString,
  type SignatureField,
  type Signer,
  type TimestampAuthority,
} from "@libpdf/core";
import { cmsSignedData, sha256 } from "../pki/cms.js";
import { pdfDate, textString } from "./pdf-strings.js";

export interface PadesOptions {
  signer: Signer;
  reason: string;
  location?: string | undefined;
  /** Written as the signature dictionary's `/M` (the CMS carries no signing-time). */
  signingTime: Date;
  /** With one the signature is PAdES B-T, otherwise B-B. */
  timestampAuthority?: TimestampAuthority | undefined;
}

/** Room for the CMS: the chain, a timestamp token with its own chain, and margin. */
const CONTENTS_BYTES = 24 * 1024;
/** Ten digits each, rewritten in place once the file's length is known. */
const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;

/**
 * Signs `pdf` as an incremental update (ETSI.CAdES.detached, SHA-256, covering the whole file):
 * a PAdES baseline signature, its invisible widget on the first page (listed in the page's
 * `/Annots`). On a document that holds no signature yet, the signature certifies it (DocMDP,
 * P=2: filling forms and signing stay allowed, any other later change is reported as such by
 * validators); after an earlier signature, it approves (a certification must come first).
 */
export async function signPades(pdf: PDF, options: PadesOptions): Promise<Uint8Array> {
  const certify = !hasSignature(pdf);
  const signature = PdfDict.of({
    Type: PdfName.of("Sig"),
    Filter: PdfName.of("Adobe.PPKLite"),
    SubFilter: PdfName.of("ETSI.CAdES.detached"),
    ByteRange: new PdfArray([0, ...Array(3).fill(BYTE_RANGE_PLACEHOLDER)].map(PdfNumber.of)),
    Contents: PdfString.fromBytes(new Uint8Array(CONTENTS_BYTES)),
    M: PdfString.fromString(pdfDate(options.signingTime)),
    Reason: textString(options.reason),
  });
  if (options.location) signature.set("Location", textString(options.location));
  if (certify) {
    signature.set(
      "Reference",
      new PdfArray([
        PdfDict.of({
          Type: PdfName.of("SigRef"),
          TransformMethod: PdfName.of("DocMDP"),
          TransformParams: PdfDict.of({
            Type: PdfName.of("TransformParams"),
            P: PdfNumber.of(2),
            V: PdfName.of("1.2"),
          }),
        }),
      ]),
    );
  }
  const signatureRef = pdf.context.register(signature);
  if (certify) pdf.getCatalog().set("Perms", PdfDict.of({ DocMDP: signatureRef }));
  addWidget(pdf, signatureRef);

  const bytes = await pdf.save({ incremental: true });
  const { contentsStart, contentsEnd } = placeholders(bytes);
  const byteRange = [0, contentsStart, contentsEnd, bytes.length - contentsEnd];
  writeByteRange(bytes, contentsStart, byteRange);
  const digest = sha256(
    Buffer.concat([bytes.subarray(0, contentsStart), bytes.subarray(contentsEnd)]),
  );
  const cms = await cmsSignedData(
    { detachedDigest: digest },
    options.signer,
    options.timestampAuthority,
  );
  const hex = Buffer.from(cms).toString("hex");
  if (hex.length > CONTENTS_BYTES * 2) {
    throw new Error(`The signature takes ${cms.length} bytes; ${CONTENTS_BYTES} are reserved.`);
  }
  bytes.set(Buffer.from(hex, "latin1"), contentsStart + 1);
  return bytes;
}

/** Whether any signature field of the document is signed. */
function hasSignature(pdf: PDF): boolean {
  return (pdf.getForm()?.getFields() ?? []).some(
    (field) => field.type === "signature" && (field as SignatureField).isSigned(),
  );
}

/** A signature field that is its own invisible widget, on the first page. */
function addWidget(pdf: PDF, signatureRef: PdfRef): void {
  const page = pdf.getPage(0);
  if (!page) throw new Error("The document has no page to hold the signature.");
  const form = pdf.getOrCreateForm();
  const names = new Set(form.getFields().map((f) => f.name));
  let n = 1;
  while (names.has(`Seal_${n}`)) n += 1;
  const field = form.createSignatureField(`Seal_${n}`).acroField();
  field.delete("Kids");
  field.set("V", signatureRef);
  field.set("Type", PdfName.of("Annot"));
  field.set("Subtype", PdfName.of("Widget"));
  // Print, Locked: shown nowhere (a zero rectangle), never moved or deleted by a viewer.
  field.set("F", PdfNumber.of(132));
  field.set("P", page.ref);
  field.set("Rect", new PdfArray([0, 0, 0, 0].map(PdfNumber.of)));
  const fieldRef = pdf.context.getRef(field);
  if (!fieldRef) throw new Error("The signature field was not registered.");
  const annots = page.dict.get("Annots");
  const resolved =
    annots instanceof PdfArray
      ? annots
      : annots && "objectNumber" in annots
        ? pdf.context.resolve(annots as PdfRef)
        : null;
  if (resolved instanceof PdfArray) resolved.push(fieldRef);
  else page.dict.set("Annots", new PdfArray([fieldRef]));
}

/**
 * Where the new signature's `/Contents` hex string starts (at its `<`) and ends (after its `>`),
 * found in the update just written: the last `/ByteRange` placeholder of the file.
 */
function placeholders(bytes: Uint8Array): { contentsStart: number; contentsEnd: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zeros = `<${"0".repeat(CONTENTS_BYTES * 2)}>`;
  const contentsStart = buffer.lastIndexOf(zeros, undefined, "latin1");
  if (contentsStart < 0) throw new Error("The signature's /Contents placeholder is missing.");
  return { contentsStart, contentsEnd: contentsStart + zeros.length };
}

/** Rewrites the placeholder `/ByteRange` array nearest before the contents, same length. */
function writeByteRange(bytes: Uint8Array, before: number, range: number[]): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const placeholder = `[0 ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER}]`;
  let at = buffer.lastIndexOf(placeholder, before, "latin1");
  if (at < 0) {
    // Written after /Contents by a serializer that orders keys otherwise.
    at = buffer.indexOf(placeholder, before, "latin1");
  }
  if (at < 0) throw new Error("The signature's /ByteRange placeholder is missing.");
  const value = `[${range.join(" ")}]`.padEnd(placeholder.length, " ");
  buffer.write(value, at, "latin1");
}
