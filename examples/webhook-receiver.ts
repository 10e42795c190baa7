// A webhook receiver with node:http and the SDK: verifies each delivery, then acts on its event.
//   CERTYNEO_WEBHOOK_SECRET=whsec_… PORT=8080 npx tsx examples/webhook-receiver.ts
// Register its URL with POST /api/v1/webhooks (the answer's secret is the one to set above).
import { createServer } from "node:http";
import { verifyWebhook, WebhookVerificationError } from "@certyneo/sdk";

const secret = process.env.CERTYNEO_WEBHOOK_SECRET;
if (!secret) throw new Error("Set CERTYNEO_WEBHOOK_SECRET to the webhook's whsec_… secret.");

/** Events already handled: deliveries are at least once (use your database in production). */
const seen = new Set<string>();

const server = createServer(async (request, response) => {
  if (request.method !== "POST") return response.writeHead(405).end();
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let event: Awaited<ReturnType<typeof verifyWebhook>>;
  try {
    // The raw bytes, before any JSON parsing: the signature covers them exactly.
    event = await verifyWebhook(
      Buffer.concat(chunks),
      request.headers["certyneo-signature"] as string | undefined,
      secret,
    );
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    console.error(`refused: ${error.message}`);
    return response.writeHead(400).end();
  }
  // Answer at once (within 10 s); do the slow work after.
  response.writeHead(204).end();
  if (seen.has(event.id)) return;
  seen.add(event.id);
  switch (event.type) {
    case "envelope.completed":
      console.log(`${event.data.envelope.id} is signed by everyone`);
      break;
    case "envelope.declined":
      console.log(`${event.data.envelope.id} was declined by ${event.data.recipientId}`);
      break;
    default:
      console.log(`${event.type} ${event.id}`);
  }
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on ${typeof address === "object" && address ? address.port : ""}`);
});
