import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sealPdf } from "../../src/pdf/seal.js";
import { signer } from "../helpers/fixtures.js";
import { makePdf, makeRotatedPdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { pdfsig, run, withFile } from "../helpers/validators.js";

/** Runs a command-line tool on `input` and returns the PDF it writes. */
async function transform(
  input: Uint8Array,
  command: (inFile: string, outFile: string) => [string, string[]],
): Promise<Buffer> {
  return withFile(input, async (inFile) => {
    const outFile = path.join(path.dirname(inFile), "out.pdf");
    const [tool, args] = command(inFile, outFile);
    const result = await run(tool, args);
    assert.equal(result.code, 0, `${tool}: ${result.output}`);
    return readFile(outFile);
  });
}

/** PDFs the project did not write, as customers will upload them. */
describe("real-world PDFs through the whole flow", () => {
  let t: TestServer;
  let key: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
  });
  after(() => t.close());

  /** Upload, send, sign, seal; returns the signed document's pdfsig report. */
  async function throughTheFlow(pdf: Uint8Array): Promise<{ report: string; pages: number }> {
    const upload = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: Buffer.from(pdf).toString("base64") },
    });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Real world", documentIds: [upload.body.id], recipients: [signer(1)] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    const signed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Signer One" } },
    });
    assert.equal(signed.body.envelopeStatus, "COMPLETED");
    await t.app.worker.runDue();
    const response = await fetch(
      `${t.url}/api/v1/envelopes/${created.body.id}/signed-document?documentId=${upload.body.id}`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    assert.equal(response.status, 200);
    const bytes = Buffer.from(await response.arrayBuffer());
    return { report: await pdfsig(bytes), pages: upload.body.pages };
  }

  const base = () => makePdf(["a4", "letter", { width: 841.89, height: 1190.55 }]);
  const cases: [string, () => Promise<Uint8Array>][] = [
    [
      "object streams and a cross-reference stream (qpdf)",
      async () => transform(await base(), (i, o) => ["qpdf", ["--object-streams=generate", i, o]]),
    ],
    [
      "linearized (qpdf)",
      async () => transform(await base(), (i, o) => ["qpdf", ["--linearize", i, o]]),
    ],
    [
      "written by cairo (pdftocairo)",
      async () => transform(await base(), (i, o) => ["pdftocairo", ["-pdf", i, o]]),
    ],
    [
      "written by Ghostscript",
      async () =>
        transform(await base(), (i, o) => [
          "gs",
          ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", `-sOutputFile=${o}`, i],
        ]),
    ],
  ];
  for (const [name, make] of cases) {
    it(`seals a PDF ${name}`, async () => {
      const { report, pages } = await throughTheFlow(await make());
      assert.equal(pages, 3);
      assert.match(report, /Signature is Valid\./);
      assert.match(report, /Total document signed/);
    });
  }

  it("stamps rotated pages where the signer saw the fields, upright", async () => {
    const pdf = await makeRotatedPdf([90, 180, 270]);
    const upload = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: { content: pdf.toString("base64") },
    });
    assert.deepEqual(
      upload.body.pageSizes.map((s: any) => [Math.round(s.width), Math.round(s.height)]),
      [
        [842, 595],
        [595, 842],
        [842, 595],
      ],
    );
    const field = (page: number) => ({
      type: "signature",
      documentId: upload.body.id,
      page,
      x: 100,
      y: 80,
      width: 200,
      height: 60,
    });
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Rotated",
        documentIds: [upload.body.id],
        recipients: [signer(1, { fields: [field(1), field(2), field(3)] })],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Upright" } },
    });
    await t.app.worker.runDue();
    const response = await fetch(`${t.url}/api/v1/envelopes/${created.body.id}/signed-document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const signed = Buffer.from(await response.arrayBuffer());
    // pdftotext reports words in displayed coordinates, from the top-left corner.
    const boxes = await withFile(
      signed,
      async (file) => (await run("pdftotext", ["-bbox", file, "-"])).output,
    );
    const words = [
      ...boxes.matchAll(
        /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">Upright<\/word>/g,
      ),
    ];
    assert.equal(words.length, 3, boxes);
    for (const [, xMin, yMin, xMax, yMax] of words) {
      assert.ok(Number(xMin) >= 100 && Number(xMax) <= 300, `x ${xMin}-${xMax} within the field`);
      assert.ok(Number(yMin) >= 80 && Number(yMax) <= 140, `y ${yMin}-${yMax} within the field`);
      assert.ok(
        Number(xMax) - Number(xMin) > Number(yMax) - Number(yMin),
        "written horizontally, as displayed",
      );
    }
    assert.match(await pdfsig(signed), /Signature is Valid\./);
  });

  it("keeps the earlier signature of an already signed PDF valid", async () => {
    const platform = await t.app.pki();
    const alreadySigned = await sealPdf(await makePdf(), {
      signer: platform.signer,
      evidence: await platform.evidence(),
      reason: "Signed elsewhere first",
    });
    const { report } = await throughTheFlow(alreadySigned);
    assert.equal(report.match(/Signature is Valid\./g)?.length, 2, report);
    assert.match(report, /Signed elsewhere first|Signature #2/);
  });
});
