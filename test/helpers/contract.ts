import { appendFileSync, readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * Every reply a test receives through `request()` is checked against the committed OpenAPI
 * document (which `npm run lint:openapi` keeps equal to the server's): its status must be
 * documented for the operation, and a JSON body must match the documented schema. What the
 * document says is then what the tests have seen.
 */
const document = JSON.parse(
  readFileSync(new URL("../../openapi.json", import.meta.url), "utf8"),
) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, any> }>>;
  "x-webhooks": Record<string, unknown>;
};

/** Answered before a route is found, by any route: documented once, in the API's description. */
const ANY_ROUTE = new Set([408, 414, 431]);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, "openapi.json");

const routes = Object.entries(document.paths)
  .map(([template, operations]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`),
    operations,
    // A literal segment wins over a parameter: /webhooks/{id}/test before /webhooks/{id}/{x}.
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

const validators = new Map<string, ValidateFunction>();

function validatorFor(template: string, method: string, status: string): ValidateFunction {
  const key = `${method} ${template} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const pointer = [
      "paths",
      template,
      method,
      "responses",
      status,
      "content",
      "application/json",
      "schema",
    ]
      .map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1"))
      .join("/");
    validate = ajv.getSchema(`openapi.json#/${pointer}`)!;
    validators.set(key, validate);
  }
  return validate;
}

export function checkContract(method: string, url: string, status: number, body: unknown): void {
  const path = new URL(url).pathname;
  const route = routes.find((r) => r.pattern.test(path));
  const verb = method.toLowerCase();
  const operation = route?.operations[verb];
  if (!route || !operation || ANY_ROUTE.has(status)) return;
  if (process.env.CERTYNEO_RECORD_CODES && status >= 400)
    appendFileSync(
      process.env.CERTYNEO_RECORD_CODES,
      `${operation.operationId} ${status} ${(body as any)?.error?.code}\n`,
    );
  const response = operation.responses[String(status)];
  if (!response)
    throw new Error(
      `${operation.operationId} answered ${status}, which openapi.json does not document: ${JSON.stringify(body)}`,
    );
  if (!response.content?.["application/json"] || typeof body !== "object") return;
  const validate = validatorFor(route.template, verb, String(status));
  if (!validate(body))
    throw new Error(
      `${operation.operationId} ${status} does not match openapi.json: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 2000)}`,
    );
}

/**
 * What a webhook receiver got, checked against the event's schema under `x-webhooks`: the
 * problem, or null when the body is the documented event.
 */
export function webhookEventProblem(body: string): string | null {
  let event: { type?: string };
  try {
    event = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  const type = String(event.type);
  if (!document["x-webhooks"][type]) return `${type} is not an event of openapi.json`;
  const pointer = [
    "x-webhooks",
    type,
    "post",
    "requestBody",
    "content",
    "application/json",
    "schema",
  ]
    .map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/");
  const validate = ajv.getSchema(`openapi.json#/${pointer}`)!;
  return validate(event) ? null : `${type}: ${ajv.errorsText(validate.errors)}`;
}
