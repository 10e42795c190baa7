import assert from "node:assert/strict";
import { makePdf, type PageSpec } from "./pdf.js";
import { signaturePngDataUrl } from "./png.js";
import { request, type TestServer } from "./server.js";

/** Uploads a generated PDF through the API and returns the document. */
export async function uploadDocument(
  baseUrl: string,
  key: string,
  pages: PageSpec[] = ["a4"],
): Promise<any> {
  const pdf = await makePdf(pages);
  const res = await request(baseUrl, "/api/v1/documents", {
    method: "POST",
    key,
    json: { name: "contrat.pdf", content: pdf.toString("base64") },
  });
  if (res.status !== 201) throw new Error(`upload failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

export function signer(n: number, extra: Record<string, unknown> = {}) {
  return { email: `signer${n}@example.com`, name: `Signer ${n}`, role: "SIGNER", ...extra };
}

/** Creates an envelope from `body` (which names its documents) and sends it; returns it sent. */
export async function sendEnvelope(
  baseUrl: string,
  key: string,
  body: Record<string, unknown>,
): Promise<any> {
  const created = await request(baseUrl, "/api/v1/envelopes", {
    method: "POST",
    key,
    json: { subject: "Contrat de prestation", ...body },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sent = await request(baseUrl, `/api/v1/envelopes/${created.body.id}/send`, {
    method: "POST",
    key,
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return sent.body;
}

/** Recipient `n` with one signature field on page 1 of `documentId`. */
/** An optional date field, labelled, on the first page of `documentId`. */
export function optionalDateField(documentId: string) {
  return {
    type: "date",
    documentId,
    page: 1,
    x: 72,
    y: 100,
    width: 100,
    height: 20,
    required: false,
    label: "Date",
  };
}

export function signerWithSignatureField(n: number, documentId: string) {
  return signer(n, {
    fields: [{ type: "signature", documentId, page: 1, x: 72, y: 650, width: 170, height: 60 }],
  });
}

/** Signs as the recipient of `token` with a drawn signature; the envelope must then be completed. */
export async function signToCompletion(baseUrl: string, token: string): Promise<void> {
  const signed = await request(baseUrl, `/api/v1/signing/${token}/sign`, {
    method: "POST",
    json: { consent: true, signature: { type: "drawn", image: signaturePngDataUrl() } },
  });
  assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
}

/**
 * An envelope of one document and one signer, created, sent, signed and then sealed by the
 * server's worker (every due job run); returns its id.
 */
export async function sealedEnvelope(t: TestServer, key: string, subject: string): Promise<string> {
  const doc = await uploadDocument(t.url, key);
  const sent = await sendEnvelope(t.url, key, {
    subject,
    documentIds: [doc.id],
    recipients: [signerWithSignatureField(1, doc.id)],
  });
  await signToCompletion(t.url, sent.recipients[0].signUrl.split("/sign/")[1]);
  while ((await t.app.worker.runDue()) > 0);
  return sent.id;
}
