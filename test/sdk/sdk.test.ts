import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ApiError,
  AuthenticationError,
  Certyneo,
  ConnectionError,
  IdempotencyError,
  InvalidRequestError,
  PermissionError,
  RateLimitError,
  WebhookVerificationError,
} from "../../packages/sdk/src/index.js";
import { makePdf } from "../helpers/pdf.js";
import { signaturePngDataUrl } from "../helpers/png.js";
import { startReceiver } from "../helpers/receiver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { pdfsig } from "../helpers/validators.js";
import { until } from "../helpers/wait.js";

describe("@certyneo/sdk against a real server", () => {
  let t: TestServer;
  let certyneo: Certyneo;
  let dir: string;
  let pdfPath: string;
  before(async () => {
    t = await startTestServer({
      env: {
        CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
        CERTYNEO_RATE_LIMIT_BURST: "1000",
        CERTYNEO_RATE_LIMIT_PER_MINUTE: "100000",
      },
    });
    certyneo = new Certyneo({ apiKey: (await t.newAccount()).secret, baseUrl: t.url });
    dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-sdk-"));
    pdfPath = path.join(dir, "contrat.pdf");
    await writeFile(pdfPath, await makePdf(["a4", "a4"]));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the whole flow: upload by path and by stream, two signers in turn, signed PDFs", async () => {
    const byPath = await certyneo.documents.upload(pdfPath);
    assert.equal(byPath.name, "contrat.pdf");
    assert.equal(byPath.pages, 2);
    const byStream = await certyneo.documents.upload(createReadStream(pdfPath), {
      name: "annexe.pdf",
    });
    assert.equal(byStream.name, "annexe.pdf");
    assert.equal(byStream.sha256, byPath.sha256);

    const draft = await certyneo.envelopes.create({
      subject: "Contrat de prestation",
      documentIds: [byPath.id, byStream.id],
      signingOrder: "sequential",
      recipients: [
        { email: "marie@example.com", name: "Marie Dubois", role: "SIGNER", order: 1 },
        { email: "paul@example.com", name: "Paul Martin", role: "SIGNER", order: 2 },
      ],
    });
    assert.equal(draft.status, "DRAFT");
    const sent = await certyneo.envelopes.send(draft.id);
    assert.equal(sent.status, "SENT");
    const [first, second] = sent.recipients;
    assert.ok(first?.signingToken && second?.signingToken);

    // The second signer waits for the first.
    const waiting = await certyneo.signing.session(second.signingToken);
    assert.equal(waiting.canAct, false);
    assert.equal(waiting.reason, "not_your_turn");
    const signature = { type: "drawn" as const, image: signaturePngDataUrl() };
    const one = await certyneo.signing.sign(first.signingToken, { consent: true, signature });
    assert.deepEqual(one, { status: "SIGNED", envelopeStatus: "SENT" });
    const two = await certyneo.signing.sign(second.signingToken, { consent: true, signature });
    assert.equal(two.envelopeStatus, "COMPLETED");

    await t.app.worker.runDue();
    const sealed = await certyneo.envelopes.get(draft.id);
    assert.equal(sealed.status, "COMPLETED");
    assert.ok(sealed.sealedAt);
    const signed = await certyneo.envelopes.signedDocument(draft.id);
    assert.equal(signed.fileName, "Contrat de prestation - signed.pdf");
    const signedBytes = await signed.bytes();
    assert.match(await pdfsig(signedBytes), /Signature is Valid\./);
    // Anyone it is sent to can check it, with no key.
    const anyone = new Certyneo({ baseUrl: t.url });
    const verified = await anyone.verification.verify(signedBytes);
    assert.equal(verified.result, "sealed_unchanged");
    assert.equal(verified.envelope?.envelopeId, draft.id);
    await assert.rejects(anyone.verification.verify(new TextEncoder().encode("not a pdf")), {
      code: "document_not_pdf",
      status: 415,
    });
    const trail = await certyneo.envelopes.auditTrail(draft.id);
    // As a stream: read chunk by chunk, never as a whole before it is needed.
    const chunks: Uint8Array[] = [];
    for await (const chunk of trail.body) chunks.push(chunk);
    assert.match(await pdfsig(Buffer.concat(chunks)), /Signature is Valid\./);
  });

  it("iterates over every page of a list", async () => {
    const { secret } = await t.newAccount();
    const client = new Certyneo({ apiKey: secret, baseUrl: t.url });
    const document = await client.documents.upload(await makePdf(["a4"]));
    const created = new Set<string>();
    for (let i = 0; i < 250; i++) {
      const envelope = await client.envelopes.create({
        subject: `Envelope ${i}`,
        documentIds: [document.id],
        recipients: [{ email: "a@example.com", name: "A", role: "SIGNER" }],
      });
      created.add(envelope.id);
    }
    const first = await client.envelopes.list({ limit: 100 });
    assert.equal(first.data.length, 100);
    assert.equal(first.hasMore, true);
    const seen: string[] = [];
    for await (const envelope of client.envelopes.list({ limit: 100, status: "DRAFT" }))
      seen.push(envelope.id);
    assert.equal(seen.length, 250);
    assert.deepEqual(new Set(seen), created);
  });

  it("retries a 429 after Retry-After, and a lost answer with the same idempotency key", async () => {
    const limited = await startTestServer({
      env: { CERTYNEO_RATE_LIMIT_BURST: "1", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60" },
      database: t.database,
    });
    try {
      const { secret, accountId } = await limited.newAccount();
      const keys: (string | null)[] = [];
      const statuses: number[] = [];
      let dropOnce = true;
      const client = new Certyneo({
        apiKey: secret,
        baseUrl: limited.url,
        fetch: async (input, init) => {
          keys.push(new Headers(init?.headers).get("idempotency-key"));
          const response = await fetch(input, init);
          statuses.push(response.status);
          // The server's clock is a test's: the time the client waits passes for the bucket too.
          if (response.status === 429)
            limited.clock.advance(Number(response.headers.get("retry-after")) * 1000);
          // The first answer that got through is lost on the way back, as on a flaky network.
          if (response.ok && dropOnce) {
            dropOnce = false;
            throw new TypeError("fetch failed: socket hang up");
          }
          return response;
        },
      });
      const created = await client.keys.create({ name: "once" });
      // Token bucket of 1: the first try passes (its answer lost), then 429 until a token is back.
      assert.ok(statuses.includes(429), JSON.stringify(statuses));
      assert.equal(new Set(keys).size, 1, "one idempotency key for every attempt");
      assert.ok(keys[0]);
      const keysOfAccount = await limited.app.keys.list(
        { accountId, environment: "test" },
        { limit: 100 },
      );
      assert.equal(keysOfAccount.data.filter((k) => k.name === "once").length, 1);
      assert.equal(created.name, "once");

      const impatient = new Certyneo({ apiKey: secret, baseUrl: limited.url, maxRetries: 0 });
      limited.clock.advance(1000);
      await impatient.keys.list();
      const refused = await impatient.keys.list().then(
        () => assert.fail("no 429"),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof RateLimitError);
      assert.equal(refused.status, 429);
      assert.equal(refused.code, "rate_limit_exceeded");
      assert.ok((refused.retryAfter ?? 0) >= 1);
    } finally {
      await limited.close();
    }
  });

  it("throws a typed error for each family, with status, code, param and request id", async () => {
    const notFound = await certyneo.envelopes.get("env_nope").catch((e: unknown) => e);
    assert.ok(notFound instanceof InvalidRequestError);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.code, "envelope_not_found");
    assert.equal(notFound.param, "id");
    assert.match(notFound.requestId ?? "", /^req_/);

    const invalid = await certyneo.envelopes
      .create({ subject: "", documentIds: [], recipients: [] })
      .catch((e: unknown) => e);
    assert.ok(invalid instanceof InvalidRequestError);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.param, "subject");

    const badKey = new Certyneo({ apiKey: "sk_test_000000000000000000000000", baseUrl: t.url });
    const unauthenticated = await badKey.envelopes.list().then(
      () => assert.fail("listed"),
      (e: unknown) => e,
    );
    assert.ok(unauthenticated instanceof AuthenticationError);
    assert.equal(unauthenticated.code, "api_key_invalid");

    const reused = "same-key-twice";
    await certyneo.keys.create({ name: "first", idempotencyKey: reused });
    const idempotency = await certyneo.keys
      .create({ name: "second", idempotencyKey: reused })
      .catch((e: unknown) => e);
    assert.ok(idempotency instanceof IdempotencyError);
    assert.equal(idempotency.code, "idempotency_key_reused");

    // 403: a recipient who must confirm a one-time code first.
    const document = await certyneo.documents.upload(await makePdf(["a4"]));
    const envelope = await certyneo.envelopes.send(
      (
        await certyneo.envelopes.create({
          subject: "With a code",
          documentIds: [document.id],
          recipients: [{ email: "otp@example.com", name: "O", role: "SIGNER", auth: "email_otp" }],
        })
      ).id,
    );
    const forbidden = await certyneo.signing
      .sign(envelope.recipients[0]!.signingToken!, {
        consent: true,
        signature: { type: "typed", text: "O" },
      })
      .catch((e: unknown) => e);
    assert.ok(forbidden instanceof PermissionError);
    assert.equal(forbidden.code, "otp_required");

    const unreachable = new Certyneo({
      apiKey: "sk_test_000000000000000000000000",
      baseUrl: "http://127.0.0.1:9",
      maxRetries: 1,
    });
    const connection = await unreachable.envelopes.list().catch((e: unknown) => e);
    assert.ok(connection instanceof ConnectionError);
    assert.equal(connection.status, undefined);
  });

  it("retries a 5xx on a read, then throws ApiError", async () => {
    let calls = 0;
    const failing = createServer((_request, response) => {
      calls++;
      response.writeHead(503, { "content-type": "application/json", "x-request-id": "req_x" });
      response.end(
        JSON.stringify({
          error: { type: "api_error", code: "internal_error", message: "down", requestId: "req_x" },
        }),
      );
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    try {
      const address = failing.address() as { port: number };
      const client = new Certyneo({
        apiKey: "sk_test_000000000000000000000000",
        baseUrl: `http://127.0.0.1:${address.port}`,
        maxRetries: 2,
      });
      const error = await client.envelopes.get("env_1").catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 503);
      assert.equal(error.requestId, "req_x");
      assert.equal(calls, 3);
    } finally {
      failing.close();
    }
  });

  it("verifies real webhook deliveries, and refuses tampered ones", async () => {
    const receiver = await startReceiver();
    try {
      const webhook = await certyneo.webhooks.create({
        url: `${receiver.url}/hooks`,
        events: ["envelope.created"],
      });
      const document = await certyneo.documents.upload(await makePdf(["a4"]));
      const envelope = await certyneo.envelopes.create({
        subject: "Watched",
        documentIds: [document.id],
        recipients: [{ email: "w@example.com", name: "W", role: "SIGNER" }],
      });
      await t.app.worker.runDue();
      await until(async () => receiver.received.length > 0, "a delivery");
      const delivery = receiver.received[0]!;
      const header = String(delivery.headers["certyneo-signature"]);
      const now = t.clock.now().getTime();
      const event = await certyneo.webhooks.verify(delivery.body, header, webhook.secret, { now });
      assert.equal(event.type, "envelope.created");
      if (event.type === "envelope.created") assert.equal(event.data.envelope.id, envelope.id);

      const tampered = delivery.body.replace("Watched", "Changed");
      for (const [body, signature, secret] of [
        [tampered, header, webhook.secret],
        [delivery.body, header, "whsec_another"],
        [delivery.body, header.replace(/t=\d+/, "t=1"), webhook.secret],
        [delivery.body, "", webhook.secret],
      ] as const) {
        await assert.rejects(
          certyneo.webhooks.verify(body, signature, secret, { now }),
          WebhookVerificationError,
        );
      }
    } finally {
      await receiver.close();
    }
  });
});
