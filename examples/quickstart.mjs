// The product page's Node quick start, unchanged but for the base URL and where the PDF comes from:
//   CERTYNEO_URL=http://localhost:3000 CERTYNEO_API_KEY=sk_test_… node examples/quickstart.mjs
// Run it where a contrat.pdf is.
import { readFileSync } from "node:fs";

const BASE = process.env.CERTYNEO_URL ?? "http://localhost:3000";
const pdfBuffer = readFileSync("contrat.pdf");

// npm install @certyneo/sdk  (or call fetch directly)
const auth = { Authorization: `Bearer ${process.env.CERTYNEO_API_KEY}` };

// 1. Upload the PDF (multipart).
const fd = new FormData();
fd.append("file", new Blob([pdfBuffer], { type: "application/pdf" }), "contrat.pdf");
const doc = await fetch(`${BASE}/api/v1/documents`, {
  method: "POST",
  headers: auth,
  body: fd,
}).then((r) => r.json());

// 2. Create the DRAFT envelope.
const envelope = await fetch(`${BASE}/api/v1/envelopes`, {
  method: "POST",
  headers: { ...auth, "Content-Type": "application/json" },
  body: JSON.stringify({
    subject: "Contrat de prestation",
    documentIds: [doc.id],
    recipients: [{ email: "client@example.com", name: "Marie Dubois", role: "SIGNER" }],
  }),
}).then((r) => r.json());

// 3. Dispatch — this triggers the invitation channel for every recipient.
await fetch(`${BASE}/api/v1/envelopes/${envelope.id}/send`, {
  method: "POST",
  headers: auth,
});
console.log(envelope.id);
