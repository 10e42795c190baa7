import {
  type PDF,
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  PdfStream,
  PdfString,
} from "@libpdf/core";
import { resolve, resolveDict } from "./pdf-objects.js";
import { srgbProfile } from "./srgb-profile.js";

export interface ArchivalMetadata {
  title: string;
  author: string;
  subject: string;
  /** BCP 47, e.g. `en`. */
  language: string;
  /** The application that made it, as `Creator`, `Producer` and `xmp:CreatorTool` say. */
  producer: string;
  created: Date;
}

/**
 * Makes a PDF we drew ourselves PDF/A-3b (ISO 19005-3): its document information and the same in
 * XMP metadata (unfiltered) with the PDF/A identification, an sRGB output intent for the device
 * colours it draws with, and each embedded file associated with the document (`/AF`,
 * `AFRelationship` `Data`). Fonts must already be embedded (ours are).
 */
export function makeArchival(pdf: PDF, metadata: ArchivalMetadata): ArchivalSaveOptions {
  pdf.setTitle(metadata.title);
  pdf.setAuthor(metadata.author);
  pdf.setSubject(metadata.subject);
  pdf.setCreator(metadata.producer);
  pdf.setProducer(metadata.producer);
  pdf.setCreationDate(metadata.created);
  pdf.setModificationDate(metadata.created);
  pdf.setLanguage(metadata.language);
  const catalog = pdf.getCatalog();
  const packet = new TextEncoder().encode(xmpPacket(metadata));
  const xmp = PdfStream.fromDict(
    { Type: PdfName.of("Metadata"), Subtype: PdfName.of("XML") },
    packet,
  );
  catalog.set("Metadata", pdf.context.register(xmp));
  const profile = PdfStream.fromDict({ N: PdfNumber.of(3) }, srgbProfile());
  catalog.set(
    "OutputIntents",
    new PdfArray([
      PdfDict.of({
        Type: PdfName.of("OutputIntent"),
        S: PdfName.of("GTS_PDFA1"),
        OutputConditionIdentifier: PdfString.fromString("sRGB IEC61966-2.1"),
        Info: PdfString.fromString("sRGB IEC61966-2.1"),
        DestOutputProfile: pdf.context.register(profile),
      }),
    ]),
  );
  const files = embeddedFileSpecs(pdf);
  for (const spec of files) {
    const dict = resolveDict(pdf, spec);
    dict?.set("AFRelationship", PdfName.of("Data"));
  }
  if (files.length > 0) catalog.set("AF", new PdfArray(files));
  return { compressionThreshold: packet.length + 1 };
}

/**
 * How to save an archival PDF: streams no larger than its XMP metadata are written as they are,
 * so the metadata stays unfiltered, as PDF/A wants (and its readers can find it without inflating).
 */
export interface ArchivalSaveOptions {
  compressionThreshold: number;
}

/** The file specifications of the EmbeddedFiles name tree (its leaves, a few levels deep). */
function embeddedFileSpecs(pdf: PDF): PdfRef[] {
  const names = resolveDict(pdf, pdf.getCatalog().get("Names"));
  const found: PdfRef[] = [];
  const walk = (node: PdfDict | undefined, depth: number) => {
    if (!node || depth > 8) return;
    const leaves = resolve(pdf, node.get("Names"));
    if (leaves instanceof PdfArray)
      for (let i = 1; i < leaves.length; i += 2) {
        const value = leaves.at(i);
        if (value?.type === "ref") found.push(value);
      }
    const kids = resolve(pdf, node.get("Kids"));
    if (kids instanceof PdfArray) for (const kid of kids) walk(resolveDict(pdf, kid), depth + 1);
  };
  walk(resolveDict(pdf, names?.get("EmbeddedFiles")), 0);
  return found;
}

type PdfRef = Extract<ReturnType<PdfDict["get"]>, { type: "ref" }>;

function xml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The XMP packet, each value the same as its document information entry. */
function xmpPacket(metadata: ArchivalMetadata): string {
  const date = metadata.created.toISOString().replace(/\.\d+Z$/, "Z");
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(metadata.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>${xml(metadata.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xml(metadata.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>${xml(metadata.language)}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>${xml(metadata.producer)}</pdf:Producer>
   <xmp:CreatorTool>${xml(metadata.producer)}</xmp:CreatorTool>
   <xmp:CreateDate>${date}</xmp:CreateDate>
   <xmp:ModifyDate>${date}</xmp:ModifyDate>
   <xmp:MetadataDate>${date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
