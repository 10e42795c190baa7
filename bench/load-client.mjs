// The load generator of bench/load.ts, in its own process so that it never shares the server's
// event loop: `node bench/load-client.mjs '<json options>'`; prints autocannon's
// result as one JSON line.

import autocannon from "autocannon";

/**
 * Options: `url`, `connections`, `seconds`; without `key`, one GET of `url` (the baseline), with
 * `headers` if given (bench/background.ts reads an envelope so) and `overallRate` (requests per second, all connections together); with `key`, `documentId`,
 * `envelopeId` and `pdf` (a small PDF, base64), the sequence of `scenario`: "mixed" (the default) or "create-send".
 */
const options = JSON.parse(process.argv[2] ?? "{}");

/** Sends the envelope that the connection's previous request created. */
function sendCreated(headers) {
  return {
    method: "POST",
    headers,
    body: "{}",
    setupRequest: (request, context) => ({
      ...request,
      path: `/api/v1/envelopes/${String(context.created)}/send`,
    }),
  };
}

/** Reads and writes, in the order one connection repeats them. */
function mixed(o) {
  const json = { authorization: `Bearer ${o.key}`, "content-type": "application/json" };
  const auth = { authorization: `Bearer ${o.key}` };
  return [
    { method: "GET", path: `/api/v1/envelopes/${o.envelopeId}`, headers: auth },
    { method: "GET", path: "/api/v1/envelopes?limit=10", headers: auth },
    {
      method: "POST",
      path: "/api/v1/envelopes",
      headers: json,
      body: JSON.stringify({
        subject: "Load test",
        documentIds: [o.documentId],
        recipients: [{ email: "signer@example.com", name: "Signer", role: "SIGNER" }],
      }),
      onResponse: (status, body, context) => {
        if (status === 201) context.created = JSON.parse(body).id;
      },
    },
    sendCreated(json),
    { method: "GET", path: `/api/v1/documents/${o.documentId}`, headers: auth },
    {
      method: "POST",
      path: "/api/v1/documents",
      headers: json,
      body: JSON.stringify({ name: "load.pdf", content: o.pdf }),
    },
    { method: "GET", path: "/api/v1/keys?limit=1", headers: auth },
  ];
}

/** Create an envelope of three signers, then send it: the write path of issue 15. */
function createSend(o) {
  const json = { authorization: `Bearer ${o.key}`, "content-type": "application/json" };
  return [
    {
      method: "POST",
      path: "/api/v1/envelopes",
      headers: json,
      body: JSON.stringify({
        subject: "Employment contract",
        documentIds: [o.documentId],
        recipients: [1, 2, 3].map((n) => ({
          email: `signer${n}@example.com`,
          name: `Signer ${n}`,
          role: "SIGNER",
        })),
      }),
      onResponse: (status, body, context) => {
        if (status === 201) context.created = JSON.parse(body).id;
      },
    },
    sendCreated(json),
  ];
}

const scenarios = { mixed, "create-send": createSend };

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.seconds,
  ...(options.headers ? { headers: options.headers } : {}),
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  ...(options.key ? { requests: scenarios[options.scenario ?? "mixed"](options) } : {}),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
