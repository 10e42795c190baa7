import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { stampPdf } from "../../src/pdf/stamp.js";
import { splitRuns, wrapText } from "../../src/pdf/text-runs.js";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { pdfsig, pdftotext, run, withFile } from "../helpers/validators.js";

/** Poppler's pdffonts: the fonts a file uses, whether each is embedded and subsetted. */
function pdffonts(bytes: Uint8Array): Promise<string> {
  return withFile(bytes, async (file) => (await run("pdffonts", [file])).output);
}

/** The line of `pdffonts` output for `name`, which must be embedded, subsetted and mapped to Unicode. */
function assertSubsetted(fonts: string, name: string): void {
  assert.match(
    fonts,
    new RegExp(`^[A-Z]{6}\\+${name}\\s+CID TrueType\\s+Identity-H\\s+yes yes yes `, "m"),
    fonts,
  );
}

async function download(t: TestServer, key: string, path: string): Promise<Buffer> {
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(response.status, 200, path);
  return Buffer.from(await response.arrayBuffer());
}

/** Ignores the spacing and line breaks a PDF text extractor adds or drops. */
function squeezed(text: string): string {
  return text.replace(/\s+/g, "");
}

const field = (documentId: string, type: string, y: number) => ({
  type,
  documentId,
  page: 1,
  x: 72,
  y,
  width: 220,
  height: type === "signature" ? 60 : 20,
});

describe("printing every script the API accepts", () => {
  let t: TestServer;
  let key: string;
  let documentId: string;
  before(async () => {
    t = await startTestServer();
    ({ secret: key } = await t.newAccount());
    documentId = (await uploadDocument(t.url, key)).id;
  });
  after(() => t.close());

  it("seals Japanese, Chinese and Korean names, typed signatures and field values as text", async () => {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "契約書 — Contrat",
        documentIds: [documentId],
        recipients: [
          signer(1, {
            name: "山田 太郎",
            fields: [field(documentId, "signature", 600), field(documentId, "text", 120)],
          }),
          signer(2, { name: "王小明", fields: [field(documentId, "signature", 500)] }),
          signer(3, { name: "김민준", fields: [field(documentId, "signature", 400)] }),
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const [first, second, third] = sent.body.recipients.map(
      (r: any) => r.signUrl.split("/sign/")[1],
    );
    const view = await request(t.url, `/api/v1/signing/${first}`);
    const city = view.body.fields.find((f: any) => f.type === "text").id;
    const signed1 = await request(t.url, `/api/v1/signing/${first}/sign`, {
      method: "POST",
      json: {
        consent: true,
        signature: { type: "typed", text: "山田太郎" },
        fields: { [city]: "東京都千代田区 1-1" },
      },
    });
    assert.equal(signed1.status, 200, JSON.stringify(signed1.body));
    const signed2 = await request(t.url, `/api/v1/signing/${second}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "王小明" } },
    });
    assert.equal(signed2.status, 200, JSON.stringify(signed2.body));
    const signed3 = await request(t.url, `/api/v1/signing/${third}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "김민준" } },
    });
    assert.equal(signed3.body.envelopeStatus, "COMPLETED", JSON.stringify(signed3.body));
    await t.app.worker.runDue();

    const pdf = await download(t, key, `/api/v1/envelopes/${created.body.id}/signed-document`);
    const text = squeezed(await pdftotext(pdf));
    assert.match(text, /山田太郎.*山田太郎—/s, "the typed signature, then its caption");
    assert.equal(text.match(/王小明/g)?.length, 2, "the typed signature and its caption");
    assert.match(text, /東京都千代田区1-1/);
    assert.equal(text.match(/김민준/g)?.length, 2, "the typed signature and its caption");
    const fonts = await pdffonts(pdf);
    assertSubsetted(fonts, "NotoSansSC-Regular");
    assertSubsetted(fonts, "NotoSansKR-Regular");
    assertSubsetted(fonts, "DejaVuSans");
    assert.ok(pdf.length < 150_000, `fonts are subsetted (${pdf.length} bytes)`);
    assert.match(await pdfsig(pdf), /Signature is Valid\./);

    const trail = await download(t, key, `/api/v1/envelopes/${created.body.id}/audit-trail`);
    const trailText = squeezed(await pdftotext(trail));
    for (const expected of ["契約書", "山田太郎", "王小明", "김민준"]) {
      assert.ok(trailText.includes(expected), `${expected} in the audit trail`);
    }
    assertSubsetted(await pdffonts(trail), "NotoSansSC-Regular");
    // Whole CJK fonts weigh megabytes; the trail also carries its events (events.json) and the
    // B-LTA evidence (room for two signatures' CMS, a DSS): some 60 KB of the bound.
    assert.ok(trail.length < 300_000, `fonts are subsetted (${trail.length} bytes)`);
  });

  it("refuses, naming them, the characters the PDF cannot print as written", async () => {
    const refused = async (body: Record<string, unknown>, param: string, character: string) => {
      const response = await request(t.url, "/api/v1/envelopes", {
        method: "POST",
        key,
        json: { subject: "Contract", documentIds: [documentId], recipients: [signer(1)], ...body },
      });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.error.code, "unprintable_characters");
      assert.equal(response.body.error.param, param);
      assert.ok(
        response.body.error.message.includes(`"${character}"`),
        response.body.error.message,
      );
    };
    await refused({ recipients: [signer(1, { name: "𠀋" })] }, "recipients[0].name", "𠀋");
    await refused({ subject: "عقد" }, "subject", "ع");
    await refused({ subject: "חוזה" }, "subject", "ח");
    await refused({ subject: "अनुबंध" }, "subject", "अ");
    await refused({ subject: "สัญญา" }, "subject", "ส");

    // At signing: a typed signature or a field value in a script that needs shaping.
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Contract",
        documentIds: [documentId],
        recipients: [signer(1, { name: "Somchai", fields: [field(documentId, "text", 120)] })],
      },
    });
    const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
      method: "POST",
      key,
    });
    const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
    const fieldId = (await request(t.url, `/api/v1/signing/${token}`)).body.fields.find(
      (f: any) => f.type === "text",
    ).id;
    const typed = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: {
        consent: true,
        signature: { type: "typed", text: "สมชาย" },
        fields: { [fieldId]: "Bangkok" },
      },
    });
    assert.equal(typed.status, 422, JSON.stringify(typed.body));
    assert.equal(typed.body.error.param, "signature.text");
    const value = await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: {
        consent: true,
        signature: { type: "typed", text: "Somchai" },
        fields: { [fieldId]: "กรุงเทพ" },
      },
    });
    assert.equal(value.status, 422, JSON.stringify(value.body));
    assert.equal(value.body.error.param, `fields.${fieldId}`);
  });
});

describe("choosing a font for each run of text", () => {
  it("leaves the CJK font out of a document that has no CJK text", async () => {
    const stamped = await stampPdf(await makePdf(["a4"]), [
      {
        page: 1,
        x: 72,
        y: 100,
        width: 200,
        height: 60,
        kind: "signature-text",
        text: "Şükrü Öztürk",
        caption: "Şükrü Öztürk — 2026-01-01 UTC",
      },
    ]);
    const fonts = await pdffonts(stamped);
    assert.doesNotMatch(fonts, /NotoSansSC/);
    assertSubsetted(fonts, "DejaVuSans-Oblique");
  });

  it("splits text where the font that has its characters changes", () => {
    const font = (has: RegExp) => ({ canEncode: (text: string) => has.test(text) });
    const latin = font(/^[\p{Script=Latin}\s]+$/u);
    const cjk = font(/^[\p{Script=Han}\p{Script=Hiragana}\s]+$/u);
    const runs = (text: string) =>
      splitRuns(text, [latin, cjk]).map((run) => [run.text, run.font === latin ? "L" : "C"]);
    assert.deepEqual(runs("Taro 山田 たろう e\u0301"), [
      ["Taro ", "L"],
      ["山田 たろう ", "C"],
      ["e\u0301", "L"],
    ]);
    assert.deepEqual(runs("Ꭰ"), [["Ꭰ", "L"]], "what no font has goes to the first");
    assert.deepEqual(runs(""), []);
  });

  it("wraps CJK text between characters, other text at spaces only", () => {
    const measure = (text: string) => [...text].length * 10;
    const lines = wrapText(`${"王小明".repeat(10)} end`, measure, 100).map((l) => l.text);
    assert.ok(lines.length >= 3, JSON.stringify(lines));
    for (const line of lines) assert.ok(measure(line) <= 100, line);
    assert.equal(lines.join(""), `${"王小明".repeat(10)}end`);
    assert.deepEqual(
      wrapText("short a-very-long-word-that-is-broken and more", measure, 100).map((l) => l.text),
      ["short a-ve", "ry-long-wo", "rd-that-is", "-broken", "and more"],
      "a word wider than a line is broken, so that nothing runs off the page",
    );
    assert.deepEqual(
      wrapText("e\u0301e\u0301e\u0301", (text) => text.normalize("NFC").length * 10, 20).map(
        (l) => l.text,
      ),
      ["e\u0301e\u0301", "e\u0301"],
      "never between a letter and its accent",
    );
  });
});
