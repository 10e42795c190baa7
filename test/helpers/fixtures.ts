import assert from "node:assert/strict";
import { makePdf, type PageSpec } from "./pdf.js";
import { signaturePngDataUrl } from "./png.js";
import { request } from "./server.js";

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
