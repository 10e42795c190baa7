import {
  ops,
  type PDF,
  type PDFPage,
  PdfArray,
  PdfBool,
  PdfDict,
  PdfName,
  PdfNumber,
  type PdfRef,
} from "@libpdf/core";

/** A structure element being written: its type and the marked content it holds, page by page. */
interface Element {
  tag: string;
  content: { page: PDFPage; mcid: number }[];
}

/**
 * The logical structure of a PDF we draw ourselves (ISO 32000-2, 14.7–14.8): headings and
 * paragraphs in reading order, each tied to the text it is made of by marked-content ids; running
 * headers marked as artifacts. What screen readers read, and what makes the PDF "tagged".
 */
export class StructureTree {
  private readonly elements: Element[] = [];
  private readonly mcids = new Map<PDFPage, number>();
  private current: Element | null = null;

  /** Starts an element (`H1`, `H2`, `P`, …): what is marked until `end` belongs to it. */
  begin(tag: string): void {
    this.current = { tag, content: [] };
    this.elements.push(this.current);
  }

  end(): void {
    this.current = null;
  }

  /** What `draw` draws on `page`, as content of the current element. */
  marked(page: PDFPage, draw: () => void): void {
    if (!this.current) throw new Error("Marked content outside a structure element.");
    const mcid = this.mcids.get(page) ?? 0;
    this.mcids.set(page, mcid + 1);
    this.current.content.push({ page, mcid });
    page.drawOperators([
      // A string operand is written as it is: the tag, as a name.
      ops.beginMarkedContentProps(`/${this.current.tag}`, PdfDict.of({ MCID: PdfNumber.of(mcid) })),
    ]);
    draw();
    page.drawOperators([ops.endMarkedContent()]);
  }

  /** What `draw` draws on `page`, as an artifact (a running header): not read as content. */
  artifact(page: PDFPage, draw: () => void): void {
    page.drawOperators([ops.beginMarkedContent("/Artifact")]);
    draw();
    page.drawOperators([ops.endMarkedContent()]);
  }

  /** The structure tree root, each page's entry of its parent tree, and the catalog's marks. */
  write(pdf: PDF): void {
    const context = pdf.context;
    const rootRef = context.register(PdfDict.of({ Type: PdfName.of("StructTreeRoot") }));
    const documentRef = context.register(
      PdfDict.of({ Type: PdfName.of("StructElem"), S: PdfName.of("Document"), P: rootRef }),
    );
    const byPage = new Map<PDFPage, PdfRef[]>();
    const kids: PdfRef[] = [];
    for (const element of this.elements) {
      if (element.content.length === 0) continue;
      const dict = PdfDict.of({
        Type: PdfName.of("StructElem"),
        S: PdfName.of(element.tag),
        P: documentRef,
        Pg: element.content[0]!.page.ref,
      });
      const ref = context.register(dict);
      dict.set(
        "K",
        new PdfArray(
          element.content.map(({ page, mcid }) =>
            page === element.content[0]!.page
              ? PdfNumber.of(mcid)
              : PdfDict.of({ Type: PdfName.of("MCR"), Pg: page.ref, MCID: PdfNumber.of(mcid) }),
          ),
        ),
      );
      for (const { page, mcid } of element.content) {
        const list = byPage.get(page) ?? [];
        list[mcid] = ref;
        byPage.set(page, list);
      }
      kids.push(ref);
    }
    (context.resolve(documentRef) as PdfDict).set("K", new PdfArray(kids));
    const nums: (PdfNumber | PdfRef)[] = [];
    let key = 0;
    for (const [page, refs] of byPage) {
      page.dict.set("StructParents", PdfNumber.of(key));
      nums.push(PdfNumber.of(key), context.register(new PdfArray(refs)));
      key += 1;
    }
    const root = context.resolve(rootRef) as PdfDict;
    root.set("K", documentRef);
    root.set("ParentTree", context.register(PdfDict.of({ Nums: new PdfArray(nums) })));
    root.set("ParentTreeNextKey", PdfNumber.of(key));
    const catalog = pdf.getCatalog();
    catalog.set("StructTreeRoot", rootRef);
    catalog.set("MarkInfo", PdfDict.of({ Marked: PdfBool.of(true) }));
    // Viewers title their window with the document's title, not its file name (PDF/UA).
    catalog.set("ViewerPreferences", PdfDict.of({ DisplayDocTitle: PdfBool.of(true) }));
  }
}
