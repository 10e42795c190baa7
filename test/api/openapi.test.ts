import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { registeredRoutes } from "../../src/server.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

describe("OpenAPI document", () => {
  let t: TestServer;
  let doc: any;
  before(async () => {
    t = await startTestServer();
    doc = (await request(t.url, "/api/v1/openapi.json")).body;
  });
  after(() => t.close());

  it("is a valid OpenAPI 3.0 document", async () => {
    assert.match(doc.openapi, /^3\.0\.\d+$/);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it("lists every registered route, and only those", () => {
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = new Set(
      registeredRoutes(t.server)
        .filter((r) => !r.hidden && r.method !== "HEAD")
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`),
    );
    assert.deepEqual([...documented].sort(), [...registered].sort());
    for (const route of [
      "POST /api/v1/keys",
      "GET /api/v1/keys",
      "DELETE /api/v1/keys/{id}",
      "GET /healthz",
    ]) {
      assert.ok(documented.has(route), route);
    }
  });

  it("requires the bearer key everywhere but on public routes", () => {
    assert.deepEqual(doc.security, [{ bearerAuth: [] }, { sessionCookie: [] }]);
    assert.equal(doc.components.securitySchemes.sessionCookie.name, "certyneo_session");
    assert.equal(doc.components.securitySchemes.bearerAuth.scheme, "bearer");
    assert.deepEqual(doc.paths["/api/v1/openapi.json"].get.security, []);
    assert.equal(doc.paths["/api/v1/keys"].get.security, undefined);
  });

  /** The named schema a `$ref` points to (or the schema itself, if it is not a reference). */
  const resolve = (schema: any): any => {
    if (!schema?.$ref) return schema;
    const name = schema.$ref.replace("#/components/schemas/", "");
    assert.ok(doc.components.schemas[name], `no component ${name}`);
    return doc.components.schemas[name];
  };

  it("names every operation, uniquely, in camelCase", () => {
    const ids: string[] = [];
    for (const operations of Object.values<Record<string, any>>(doc.paths))
      for (const operation of Object.values(operations)) ids.push(operation.operationId);
    assert.ok(
      ids.every((id) => /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(" "),
    );
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(doc.paths["/api/v1/envelopes/{id}/send"].post.operationId, "sendEnvelope");
  });

  it("names the objects once, and refers to them", () => {
    for (const name of [
      "Envelope",
      "Recipient",
      "Document",
      "Webhook",
      "WebhookDelivery",
      "ApiKey",
      "Error",
      "EnvelopeStatus",
    ])
      assert.ok(doc.components.schemas[name], name);
    const get = doc.paths["/api/v1/envelopes/{id}"].get;
    assert.deepEqual(get.responses["200"].content["application/json"].schema, {
      $ref: "#/components/schemas/Envelope",
    });
    const envelope = doc.components.schemas.Envelope;
    assert.deepEqual(envelope.properties.recipients.items, {
      $ref: "#/components/schemas/Recipient",
    });
    // A use may add null, and a description of its own, to a named schema.
    assert.deepEqual(envelope.properties.reminders.anyOf[0], {
      $ref: "#/components/schemas/ReminderPolicy",
    });
    // No marker is left behind, and every reference resolves.
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /x-component/);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/(\w+)"/g))
      assert.ok(doc.components.schemas[name!], name);
  });

  it("shows a whole example of every JSON request and success response", () => {
    for (const operations of Object.values<Record<string, any>>(doc.paths)) {
      for (const operation of Object.values(operations)) {
        const body = operation.requestBody?.content?.["application/json"];
        if (body) assert.ok(body.example, `${operation.operationId}: request`);
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          const json = response.content?.["application/json"];
          if (status.startsWith("2") && json && operation.operationId !== "getOpenApiDocument")
            assert.ok(json.example, `${operation.operationId}: ${status}`);
        }
      }
    }
  });

  it("has examples that work as they are, ids aside", async () => {
    const { secret: key } = await t.newAccount();
    const example = (operationId: string) => {
      for (const operations of Object.values<Record<string, any>>(doc.paths))
        for (const operation of Object.values(operations))
          if (operation.operationId === operationId)
            return operation.requestBody.content["application/json"].example;
      throw new Error(operationId);
    };
    const uploaded = await request(t.url, "/api/v1/documents", {
      method: "POST",
      key,
      json: example("uploadDocument"),
    });
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.pages, 1);
    const envelope = JSON.parse(
      JSON.stringify(example("createEnvelope")).replaceAll(
        example("createEnvelope").documentIds[0],
        uploaded.body.id,
      ),
    );
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: envelope,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    for (const [method, path, operationId, status] of [
      ["PATCH", `/api/v1/envelopes/${id}`, "updateEnvelope", 200],
      ["POST", "/api/v1/keys", "createApiKey", 201],
      ["PATCH", "/api/v1/settings", "updateSettings", 200],
    ] as const) {
      const answer = await request(t.url, path, { method, key, json: example(operationId) });
      assert.equal(answer.status, status, `${operationId}: ${JSON.stringify(answer.body)}`);
    }
  });

  it("lists the error codes of each operation", () => {
    const codes = (path: string, method: string, status: string) => {
      const schema = doc.paths[path][method].responses[status].content["application/json"].schema;
      assert.equal(schema.allOf[0].$ref, "#/components/schemas/Error");
      return schema.allOf[1].properties.error.properties.code.enum;
    };
    const send = "/api/v1/envelopes/{id}/send";
    assert.ok(codes(send, "post", "409").includes("envelope_not_draft"));
    assert.ok(codes(send, "post", "409").includes("idempotency_key_in_use"));
    assert.ok(codes(send, "post", "401").includes("api_key_invalid"));
    assert.deepEqual(codes("/api/v1/envelopes/{id}", "get", "404"), ["envelope_not_found"]);
    // The signer API has no key: its 401 is about one-time codes only.
    const verify = codes("/api/v1/signing/{token}/otp/verify", "post", "401");
    assert.ok(verify.includes("otp_invalid"));
    assert.ok(!verify.includes("api_key_invalid"));
    assert.match(doc.paths[send].post.responses["409"].description, /`envelope_not_draft`/);
  });

  it("describes each webhook event, with the recipient where there is one", () => {
    const events = Object.keys(doc["x-webhooks"]);
    assert.ok(events.includes("envelope.completed") && events.includes("ping"));
    const body = (type: string) =>
      doc["x-webhooks"][type].post.requestBody.content["application/json"].schema;
    assert.deepEqual(body("recipient.signed"), {
      $ref: "#/components/schemas/RecipientSignedEvent",
    });
    const signed = doc.components.schemas.RecipientSignedEvent;
    assert.deepEqual(signed.properties.type.enum, ["recipient.signed"]);
    assert.ok(signed.properties.data.required.includes("recipientId"));
  });

  it("documents the error shape and the list shape", () => {
    const list = doc.paths["/api/v1/keys"].get;
    assert.ok(list.responses["401"]);
    assert.ok(list.responses["429"]);
    const schema = resolve(list.responses["200"].content["application/json"].schema);
    assert.deepEqual(Object.keys(schema.properties).sort(), [
      "data",
      "hasMore",
      "nextCursor",
      "object",
    ]);
    assert.equal(schema.properties.nextCursor.nullable, true);
    const error = resolve(list.responses["401"].content["application/json"].schema.allOf[0]);
    assert.deepEqual(Object.keys(error.properties.error.properties).sort(), [
      "code",
      "message",
      "param",
      "requestId",
      "type",
    ]);
  });

  it("documents the request id and rate-limit headers", () => {
    assert.equal(doc.components.parameters.IdempotencyKey.name, "Idempotency-Key");
    assert.ok(doc.components.headers.RetryAfter.description);
    const list = doc.paths["/api/v1/keys"].get.responses;
    assert.ok(list["200"].headers["X-Request-Id"]);
    assert.ok(list["200"].headers["X-RateLimit-Remaining"]);
    assert.ok(list["429"].headers["Retry-After"]);
    assert.equal(list["401"].headers["X-RateLimit-Limit"], undefined);
    const health = doc.paths["/healthz"].get.responses;
    assert.ok(health["200"].headers["X-Request-Id"]);
    assert.equal(health["200"].headers["X-RateLimit-Limit"], undefined);
  });

  it("documents Idempotency-Key on every authenticated POST", () => {
    for (const [path, operations] of Object.entries<any>(doc.paths)) {
      // Public routes (the signing API) are authenticated by their link, not by an API key.
      if (!operations.post || operations.post.security?.length === 0) continue;
      assert.ok(
        operations.post.parameters?.some(
          (p: any) => p.$ref === "#/components/parameters/IdempotencyKey",
        ),
        path,
      );
    }
  });

  it("serves the guides of docs/ as pages, linked from /docs", async () => {
    assert.match(doc.info.description, /\[webhooks\]\(\/docs\/guides\/webhooks\)/);
    const index = await request(t.url, "/docs/guides");
    assert.equal(index.status, 200);
    assert.match(String(index.body), /href="\/docs\/guides\/sdk"/);
    const webhooks = await fetch(`${t.url}/docs/guides/webhooks`);
    assert.equal(webhooks.status, 200);
    assert.match(webhooks.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(webhooks.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await webhooks.text();
    assert.match(html, /<h1>Webhooks<\/h1>/);
    // A file of the repository is named, not linked; a guide links to the others here.
    assert.match(html, /<code>examples\/webhook-receiver\.ts<\/code>/);
    assert.doesNotMatch(html, /href="\.\.\//);
    const envelopes = await (await fetch(`${t.url}/docs/guides/documents-and-envelopes`)).text();
    assert.match(envelopes, /href="\/docs\/guides\/notifications"/);
    assert.doesNotMatch(html, /<!--/);
    assert.equal((await fetch(`${t.url}/docs/guides/webhooks.md`)).status, 200);
    assert.equal((await fetch(`${t.url}/docs/guides/guides.css`)).status, 200);
    for (const path of ["/docs/guides/architecture-nope", "/docs/guides/..%2Fpackage"])
      assert.equal((await fetch(`${t.url}${path}`)).status, 404, path);
  });

  it("serves the interactive docs locally", async () => {
    const page = await request(t.url, "/docs/");
    assert.equal(page.status, 200);
    assert.match(String(page.body), /swagger/i);
    assert.doesNotMatch(String(page.body), /https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });
});
