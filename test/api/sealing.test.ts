import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PDF } from "@libpdf/core";
import { signer, uploadDocument } from "../helpers/fixtures.js";
import { signaturePngDataUrl } from "../helpers/png.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { startTestTsa, type TestTsa } from "../helpers/tsa.js";
import {
  archivalStructure,
  pdfsig,
  pdftotext,
  qpdfCheck,
  run,
  signatureStructure,
  verifyTimestamps,
  withFile,
} from "../helpers/validators.js";

async function download(
  t: TestServer,
  key: string,
  path: string,
): Promise<{ status: number; bytes: Buffer; headers: Headers; body: any }> {
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const json = response.headers.get("content-type")?.includes("json")
    ? JSON.parse(bytes.toString())
    : undefined;
  return { status: response.status, bytes, headers: response.headers, body: json };
}

/** Drives an envelope to COMPLETED through the signer API; returns its id. */
async function complete(t: TestServer, key: string, documentIds: string[]): Promise<string> {
  const created = await request(t.url, "/api/v1/envelopes", {
    method: "POST",
    key,
    json: {
      subject: "Contrat de prestation",
      documentIds,
      recipients: [
        signer(1, {
          name: "Marie Dubois",
          fields: [
            {
              type: "signature",
              documentId: documentIds[0],
              page: 1,
              x: 72,
              y: 650,
              width: 170,
              height: 60,
            },
            {
              type: "text",
              documentId: documentIds[0],
              page: 1,
              x: 72,
              y: 120,
              width: 200,
              height: 20,
              label: "City",
            },
            {
              type: "checkbox",
              documentId: documentIds[0],
              page: 1,
              x: 72,
              y: 150,
              width: 14,
              height: 14,
            },
          ],
        }),
        signer(2, { name: "Jean Martin" }),
      ],
    },
  });
  const sent = await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, {
    method: "POST",
    key,
  });
  const tokens = sent.body.recipients.map((r: any) => r.signUrl.split("/sign/")[1]);
  await t.app.worker.runDue(); // the invitations, so that only sealing is left for the tests
  const view = await request(t.url, `/api/v1/signing/${tokens[0]}`);
  const [, city, checkbox] = view.body.fields.map((f: any) => f.id);
  const first = await request(t.url, `/api/v1/signing/${tokens[0]}/sign`, {
    method: "POST",
    json: {
      consent: true,
      signature: { type: "typed", text: "Marie Dubois" },
      fields: { [city]: "Lyon", [checkbox]: "true" },
    },
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const second = await request(t.url, `/api/v1/signing/${tokens[1]}/sign`, {
    method: "POST",
    json: { consent: true, signature: { type: "drawn", image: signaturePngDataUrl() } },
  });
  assert.equal(second.body.envelopeStatus, "COMPLETED", JSON.stringify(second.body));
  return created.body.id;
}

describe("sealing a completed envelope", () => {
  let t: TestServer;
  let key: string;
  let accountId: string;
  let docs: any[];
  before(async () => {
    t = await startTestServer();
    ({ secret: key, accountId } = await t.newAccount());
    docs = [
      await uploadDocument(t.url, key, ["a4", "a4"]),
      await uploadDocument(t.url, key, ["letter"]),
    ];
  });
  after(() => t.close());

  it("answers 409 until sealed, then serves PDFs that validate in pdfsig and qpdf", async () => {
    const draft = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Draft", documentIds: [docs[0].id], recipients: [signer(1)] },
    });
    const notYet = await download(t, key, `/api/v1/envelopes/${draft.body.id}/signed-document`);
    assert.equal(notYet.status, 409);
    assert.equal(notYet.body.error.code, "envelope_not_completed");

    const id = await complete(
      t,
      key,
      docs.map((d) => d.id),
    );
    const sealing = await download(t, key, `/api/v1/envelopes/${id}/signed-document`);
    assert.equal(sealing.status, 409);
    assert.match(sealing.body.error.message, /being sealed/);

    // The seal, then the completed emails it calls for.
    assert.ok((await t.app.worker.runDue()) >= 1);
    const all = await download(t, key, `/api/v1/envelopes/${id}/signed-document`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get("content-type"), "application/pdf");
    assert.match(
      all.headers.get("content-disposition") ?? "",
      /filename="Contrat de prestation - signed\.pdf"/,
    );
    const report = await pdfsig(all.bytes);
    assert.match(report, /Signature is Valid\./);
    assert.match(report, /Total document signed/);
    assert.match(report, /ETSI\.CAdES\.detached/);
    assert.equal((await qpdfCheck(all.bytes)).code, 0);
    // The merged PDF is a new document: the platform's seal certifies it.
    assert.deepEqual(
      (await signatureStructure(all.bytes)).signatures.map((s) => [
        s.type,
        s.certifies,
        s.widgetInAnnots,
      ]),
      [
        ["/Sig", true, true],
        ["/DocTimeStamp", false, false],
      ],
    );
    const info = await withFile(all.bytes, async (file) => (await run("pdfinfo", [file])).output);
    assert.match(info, /Pages:\s+3/);
    const text = await pdftotext(all.bytes);
    assert.match(text, /Marie Dubois/);
    assert.match(text, /Lyon/);
    assert.match(text, /Jean Martin — \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    assert.equal(
      text.match(/TEST — not legally binding/g)?.length,
      6,
      "top and bottom of each of the 3 pages",
    );
    // Every page names its envelope, in a size and ink that print.
    assert.equal(text.match(new RegExp(`Certyneo envelope ${id}`, "g"))?.length, 3);

    const one = await download(
      t,
      key,
      `/api/v1/envelopes/${id}/signed-document?documentId=${docs[1].id}`,
    );
    assert.equal(one.status, 200);
    assert.match(await pdfsig(one.bytes), /Signature is Valid\./);
    assert.match(one.headers.get("content-disposition") ?? "", /filename="contrat - signed\.pdf"/);
    const foreign = await download(
      t,
      key,
      `/api/v1/envelopes/${id}/signed-document?documentId=doc_nope`,
    );
    assert.equal(foreign.status, 404);

    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      id,
    );
    const sealed = events.find((e) => e.type === "envelope.sealed")!;
    const data = sealed.data as any;
    assert.equal(data.combinedSha256, createHash("sha256").update(all.bytes).digest("hex"));
    assert.equal(data.documents[1].sha256, createHash("sha256").update(one.bytes).digest("hex"));
    assert.equal(data.level, "PAdES-B-LTA");
    assert.equal(sealed.actorType, "system");

    assert.equal(await t.app.worker.runDue(), 0, "nothing left to do");
    await t.app.sealing.seal(id);
    const again = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      id,
    );
    assert.equal(
      again.filter((e) => e.type === "envelope.sealed").length,
      1,
      "sealing twice changes nothing",
    );
  });

  it("renders a sealed audit trail: provisional while sent, final once sealed", async () => {
    const draft = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Draft", documentIds: [docs[0].id], recipients: [signer(1)] },
    });
    const refused = await download(t, key, `/api/v1/envelopes/${draft.body.id}/audit-trail`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "envelope_not_sent");

    const sent = await request(t.url, `/api/v1/envelopes/${draft.body.id}/send`, {
      method: "POST",
      key,
    });
    assert.equal(sent.status, 200);
    const provisional = await download(t, key, `/api/v1/envelopes/${draft.body.id}/audit-trail`);
    assert.equal(provisional.status, 200);
    assert.equal(provisional.headers.get("content-type"), "application/pdf");
    assert.match(await pdftotext(provisional.bytes), /Provisional/);

    const id = await complete(
      t,
      key,
      docs.map((d) => d.id),
    );
    await t.app.worker.runDue();
    const trail = await download(t, key, `/api/v1/envelopes/${id}/audit-trail`);
    assert.equal(trail.status, 200);
    assert.match(
      trail.headers.get("content-disposition") ?? "",
      new RegExp(`audit-trail-${id}\\.pdf`),
    );
    const report = await pdfsig(trail.bytes);
    assert.match(report, /Signature is Valid\./);
    assert.match(report, /Total document signed/);
    assert.match(report, /ETSI\.CAdES\.detached/);
    assert.equal((await qpdfCheck(trail.bytes)).code, 0);
    assert.equal((await signatureStructure(trail.bytes)).signatures[0]?.certifies, true);
    const text = (await pdftotext(trail.bytes)).replace(/\s+/g, " ");
    assert.match(text, /Final/);
    assert.doesNotMatch(text, /Provisional/);
    for (const expected of [
      id,
      "Contrat de prestation",
      "Test account",
      accountId,
      "COMPLETED",
      "contrat.pdf",
      docs[0].sha256,
      docs[1].sha256,
      "Recipient: “Marie Dubois”",
      "Email: “signer1@example.com”",
      "Role: SIGNER · Authentication: none",
      "127.0.0.1",
      "User agent: “node",
      "I agree to sign them electronically",
      "How to check this trail",
      // Whom each event is about, the messages sent and where, what the signer filled in.
      "About: recipient ",
      "Message: invitation by email",
      "To: “signer1@example.com”",
      "“Lyon”",
      "Signature image: SHA-256 ",
      `Shown ${docs[0].id}: SHA-256 ${docs[0].sha256}`,
    ]) {
      assert.ok(text.includes(expected), expected);
    }
    const events = await t.app.events.forEnvelope(
      t.app.database.db,
      { accountId, environment: "test" },
      id,
    );
    for (const event of events)
      assert.ok(text.includes(event.hash), `hash of event ${event.sequence}`);
    for (const event of events) assert.ok(text.includes(event.id), `id of event ${event.sequence}`);
    assert.ok(text.includes(events.at(-1)!.hash), "the chain head");
    // Anyone can check the chain from the PDF alone, with the script of the docs and Node.
    const verifier = fileURLToPath(new URL("../../docs/verify-audit-trail.mjs", import.meta.url));
    const checked = await withFile(trail.bytes, (file) => run(process.execPath, [verifier, file]));
    assert.equal(checked.code, 0, checked.output);
    assert.match(
      checked.output,
      new RegExp(`The chain holds: ${events.length} events of envelope ${id}\\.`),
    );
    assert.match(checked.output, new RegExp(`Chain head: ${events.at(-1)!.hash}`));
    // Attached events changed afterwards break it (the seal reports the change too).
    const altered = await PDF.load(trail.bytes);
    const attached = JSON.parse(Buffer.from(altered.getAttachment("events.json")!).toString());
    attached[1].ip = "203.0.113.9";
    altered.addAttachment("events.json", Buffer.from(JSON.stringify(attached)), {
      overwrite: true,
    });
    const tampered = await altered.save({ incremental: true });
    const broken = await withFile(tampered, (file) => run(process.execPath, [verifier, file]));
    assert.equal(broken.code, 1, broken.output);
    assert.match(broken.output, /The chain breaks at event #2 /);
    // Described for readers and archives.
    const info = await withFile(trail.bytes, async (file) => (await run("pdfinfo", [file])).output);
    assert.match(info, new RegExp(`Title:\\s+Audit trail of envelope ${id}`));
    assert.match(info, /Author:\s+Certyneo/);
    // PDF/A-3b and tagged, as read independently (pikepdf, LittleCMS).
    const archival = await archivalStructure(trail.bytes);
    assert.equal(archival.metadata.pdfa, "3B");
    assert.equal(archival.metadataFiltered, false);
    assert.deepEqual(
      [archival.metadata.title, archival.metadata.creator, archival.metadata.description],
      [archival.info.Title, [archival.info.Author], archival.info.Subject],
    );
    assert.equal(archival.metadata.producer, archival.info.Producer);
    assert.equal(archival.metadata.creatorTool, archival.info.Creator);
    const instant = (pdfDate: string) =>
      pdfDate.replace(
        /^D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(Z|\+00'00')$/,
        "$1-$2-$3T$4:$5:$6Z",
      );
    assert.equal(archival.metadata.createDate, instant(archival.info.CreationDate));
    assert.equal(archival.metadata.modifyDate, instant(archival.info.ModDate));
    assert.deepEqual(archival.outputIntent, {
      subtype: "/GTS_PDFA1",
      components: 3,
      description: "sRGB IEC61966-2.1",
      sameAsSrgb: true,
    });
    assert.deepEqual(archival.associatedFiles, [
      { name: "events.json", relationship: "/Data", subtype: "/application#2Fjson" },
    ]);
    assert.ok(archival.fonts.length > 0);
    assert.ok(
      archival.fonts.every((f: { embedded: boolean }) => f.embedded),
      "fonts embedded",
    );
    assert.equal(archival.trailerId, true);
    assert.equal(archival.marked, true);
    assert.equal(archival.language, "en");
    assert.equal(archival.displayDocTitle, true);
    assert.deepEqual(archival.structure.slice(0, 3), ["/Document", "/H1", "/P"]);
    assert.ok(
      archival.structure.filter((s: string) => s === "/H2").length >= 3,
      "section headings",
    );
    assert.equal(archival.pagesWithStructParents, archival.pages);
    // Poppler reads the text through the structure: the headings and the events in order.
    const tagged = await withFile(
      trail.bytes,
      async (file) => (await run("pdfinfo", ["-struct-text", file])).output,
    );
    assert.match(tagged, /H1 \(block\)\n\s+"Audit trail"/);
    assert.match(tagged, new RegExp(`"Envelope: ${id}"`));
    assert.doesNotMatch(tagged, /Syntax Error/);
    const sealedEvent = events.find((e) => e.type === "envelope.sealed")!;
    for (const d of (sealedEvent.data as any).documents)
      assert.ok(text.includes(d.sha256), "signed file hash");
  });

  it("prints any script in the audit trail", async () => {
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Sözleşme — 契約",
        documentIds: [docs[1].id],
        recipients: [{ email: "s@example.com", name: "Şükrü Öztürk", role: "SIGNER" }],
      },
    });
    await request(t.url, `/api/v1/envelopes/${created.body.id}/send`, { method: "POST", key });
    const trail = await download(t, key, `/api/v1/envelopes/${created.body.id}/audit-trail`);
    assert.equal(trail.status, 200);
    const text = await pdftotext(trail.bytes);
    assert.match(text, /Şükrü Öztürk/);
    assert.match(text, /Sözleşme/);
    assert.ok(trail.bytes.length < 200_000, `fonts are subsetted (${trail.bytes.length} bytes)`);
    const token = (
      await request(t.url, `/api/v1/envelopes/${created.body.id}`, { key })
    ).body.recipients[0].signUrl.split("/sign/")[1];
    await request(t.url, `/api/v1/signing/${token}/sign`, {
      method: "POST",
      json: { consent: true, signature: { type: "typed", text: "Şükrü Öztürk" } },
    });
    await t.app.worker.runDue();
    const signed = await download(t, key, `/api/v1/envelopes/${created.body.id}/signed-document`);
    assert.equal(signed.status, 200);
    assert.equal(
      (await pdftotext(signed.bytes)).match(/Şükrü Öztürk/g)?.length,
      2,
      "the typed signature and its caption",
    );
    assert.match(await pdfsig(signed.bytes), /Signature is Valid\./);
  });

  it("marks nothing as a test in the live environment", async () => {
    const live = await t.newKey(accountId, "live");
    const doc = await uploadDocument(t.url, live.secret);
    const id = await complete(t, live.secret, [doc.id]);
    await t.app.worker.runDue();
    const pdf = await download(t, live.secret, `/api/v1/envelopes/${id}/signed-document`);
    assert.equal(pdf.status, 200);
    const text = await pdftotext(pdf.bytes);
    assert.doesNotMatch(text, /TEST/);
    assert.match(text, new RegExp(`Certyneo envelope ${id}`));
    assert.equal(
      (await download(t, key, `/api/v1/envelopes/${id}/signed-document`)).status,
      404,
      "isolated",
    );
  });

  it("takes over a job whose worker died", async () => {
    const id = await complete(t, key, [docs[0].id]);
    // A worker claimed it, then the process was killed: the job stays "running" until its lock expires.
    await t.app.database.db
      .updateTable("jobs")
      .set({
        state: "running",
        attempts: 1,
        locked_until: new Date(t.clock.now().getTime() + 60_000).toISOString(),
      })
      .where("envelope_id", "=", id)
      .where("kind", "=", "seal_envelope")
      .execute();
    assert.equal(await t.app.worker.runDue(), 0);
    t.clock.advance(61_000);
    assert.ok((await t.app.worker.runDue()) >= 1);
    assert.equal((await download(t, key, `/api/v1/envelopes/${id}/signed-document`)).status, 200);
  });
});

describe("sealing with a timestamp authority", () => {
  let t: TestServer;
  let tsa: TestTsa;
  let key: string;
  before(async () => {
    tsa = await startTestTsa();
    t = await startTestServer({ env: { CERTYNEO_TSA_URL: tsa.url } });
    ({ secret: key } = await t.newAccount());
  });
  after(async () => {
    await t.close();
    await tsa.close();
  });

  it("gives up once the retries run out, and says why on the envelope", async () => {
    const doc = await uploadDocument(t.url, key);
    const id = await complete(t, key, [doc.id]);
    tsa.up = false;
    try {
      for (let pass = 0; pass < 20; pass++) {
        await t.app.worker.runDue();
        if ((await t.app.jobs.find("seal_envelope", id))?.state === "failed") break;
        t.clock.advance(8 * 3600 * 1000);
      }
    } finally {
      tsa.up = true;
    }
    const job = await t.app.jobs.find("seal_envelope", id);
    assert.equal(job?.state, "failed");
    assert.equal(job?.attempts, 10, "the first attempt and the nine of the schedule");
    const envelope = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    assert.match(envelope.body.sealingError, /Sealing failed 10 times/);
  });

  it("retries while the authority is down, then seals PAdES B-LTA with it, never without", async () => {
    const doc = await uploadDocument(t.url, key);
    const id = await complete(t, key, [doc.id]);
    tsa.up = false;
    assert.equal(await t.app.worker.runDue(), 1);
    const job = await t.app.jobs.find("seal_envelope", id);
    assert.equal(job?.state, "pending");
    assert.equal(job?.attempts, 1);
    assert.ok(job?.last_error);
    assert.equal((await download(t, key, `/api/v1/envelopes/${id}/signed-document`)).status, 409);
    assert.equal(await t.app.worker.runDue(), 0, "not before its retry time");

    tsa.up = true;
    t.clock.advance(5_000);
    assert.ok((await t.app.worker.runDue()) >= 1);
    assert.equal((await t.app.jobs.find("seal_envelope", id))?.state, "done");
    const pdf = await download(t, key, `/api/v1/envelopes/${id}/signed-document`);
    assert.equal(pdf.status, 200);
    assert.match(await pdfsig(pdf.bytes), /Signature is Valid\./);
    // The seal carries the authority's token over its signature value; the document timestamp
    // that ends the file is the same authority's, over every byte before it (B-LTA).
    const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-tsa-verify-"));
    try {
      const structure = await signatureStructure(pdf.bytes, dir);
      const { signatures } = structure;
      const [seal, documentTimestamp] = signatures;
      assert.deepEqual(seal!.unsignedAttributes, ["signature_time_stamp_token"]);
      assert.equal(documentTimestamp!.subFilter, "/ETSI.RFC3161");
      for (const output of await verifyTimestamps(dir, structure, {
        caFile: tsa.certificateFile,
      })) {
        assert.match(output, /Verification: OK/, output);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(tsa.requests >= 2);
  });
});
