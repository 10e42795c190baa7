// Signing inside your own application: the signing page in an iframe, its events, and the way back.
//   1. Start Certyneo allowing this app to frame its signing pages:
//        CERTYNEO_FRAME_ANCESTORS=http://localhost:8081 npm start
//   2. Start this app where a contrat.pdf is:
//        CERTYNEO_URL=http://localhost:3000 CERTYNEO_API_KEY=sk_test_… PORT=8081 \
//          npx tsx examples/embed-signing.ts contrat.pdf
//   3. Open http://localhost:8081/ and sign in the frame. The page lists the events the frame
//      posts (certyneo:loaded, certyneo:signed, certyneo:declined, certyneo:error); then the frame
//      goes to /done, the envelope's redirectUrl, with ?event=signed|declined&envelopeId=…
import { createServer } from "node:http";
import { Certyneo } from "@certyneo/sdk";

const port = Number(process.env.PORT ?? 8081);
/** This app's address as the browser sees it: the origin listed in CERTYNEO_FRAME_ANCESTORS. */
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const file = process.argv[2] ?? "contrat.pdf";
const certyneo = new Certyneo();

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A new envelope for the visitor, sent, and the page that frames its signing link. */
async function signingPage(): Promise<string> {
  const document = await certyneo.documents.upload(file);
  const draft = await certyneo.envelopes.create({
    subject: "Contrat de prestation",
    documentIds: [document.id],
    recipients: [{ email: "client@example.com", name: "Marie Dubois", role: "SIGNER" }],
    // Where the frame goes once the recipient has signed or declined.
    redirectUrl: `${appUrl}/done`,
  });
  const envelope = await certyneo.envelopes.send(draft.id);
  const signUrl = envelope.recipients[0]?.signUrl;
  if (!signUrl) throw new Error("the recipient has no signUrl");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your contract</title></head>
<body style="font-family: system-ui; max-width: 980px; margin: 1rem auto">
<h1>Your contract</h1>
<iframe id="signing" title="Sign your contract" src="${escapeHtml(signUrl)}"
  style="width: 100%; height: 720px; border: 1px solid #ccc"></iframe>
<h2>Events from the signing page</h2>
<ol id="events"></ol>
<script>
  // Accept messages from our frame, on the signing page's origin, and only Certyneo's.
  const certyneo = ${JSON.stringify(new URL(signUrl).origin)};
  window.addEventListener("message", (event) => {
    if (event.origin !== certyneo) return;
    if (event.source !== document.getElementById("signing").contentWindow) return;
    if (typeof event.data?.type !== "string" || !event.data.type.startsWith("certyneo:")) return;
    const item = document.createElement("li");
    item.textContent = event.data.type + " " + event.data.envelopeId;
    document.getElementById("events").append(item);
  });
</script>
</body></html>`;
}

function donePage(url: URL): string {
  const event = url.searchParams.get("event") ?? "";
  const envelopeId = url.searchParams.get("envelopeId") ?? "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thank you</title></head>
<body style="font-family: system-ui"><p id="outcome">Envelope ${escapeHtml(envelopeId)}: ${escapeHtml(event)}.</p></body></html>`;
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", appUrl);
  try {
    const html =
      url.pathname === "/" ? await signingPage() : url.pathname === "/done" ? donePage(url) : null;
    if (html === null) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  } catch (error) {
    console.error(error);
    response.writeHead(500).end("Could not prepare the envelope; see the console.");
  }
});
server.listen(port, () => console.log(`listening on ${appUrl}`));
