// The product page's quick start with the SDK: upload contrat.pdf, create the envelope, send it.
//   npm install @certyneo/sdk
//   CERTYNEO_URL=http://localhost:3000 CERTYNEO_API_KEY=sk_test_… npx tsx examples/quickstart-sdk.ts
// Run it where a contrat.pdf is.
import { Certyneo } from "@certyneo/sdk";

// The key and the instance come from CERTYNEO_API_KEY and CERTYNEO_URL.
const certyneo = new Certyneo();

// 1. Upload the PDF (read from disk as it is sent).
const document = await certyneo.documents.upload("contrat.pdf");

// 2. Create the DRAFT envelope.
const draft = await certyneo.envelopes.create({
  subject: "Contrat de prestation",
  documentIds: [document.id],
  recipients: [{ email: "client@example.com", name: "Marie Dubois", role: "SIGNER" }],
});

// 3. Send it: the invitation goes out; the answer carries the recipient's signUrl.
const envelope = await certyneo.envelopes.send(draft.id);
console.log(envelope.id);
console.error(`Marie signs at ${envelope.recipients[0]?.signUrl}`);
