import { createServer, type IncomingHttpHeaders } from "node:http";
import { webhookEventProblem } from "./contract.js";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Responder = (request: ReceivedRequest) => {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
};

/** A webhook receiver on 127.0.0.1 that records every request and answers as told. */
export async function startReceiver(
  respond: Responder = () => ({ status: 200 }),
  {
    events = true,
  }: { /** false: not a webhook receiver (an SMS provider, say). */ events?: boolean } = {},
) {
  const received: ReceivedRequest[] = [];
  // Every event received is checked against openapi.json; close() fails if one did not match.
  const problems: string[] = [];
  let responder = respond;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(request);
      const problem = events && webhookEventProblem(request.body);
      if (problem) problems.push(problem);
      const answer = responder(request);
      const send = () => {
        if (!res.destroyed) res.writeHead(answer.status, answer.headers).end("ok");
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(next: Responder) {
      responder = next;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (problems.length > 0)
        throw new Error(`Webhook events unlike openapi.json's: ${problems.join("; ")}`);
    },
  };
}
