// The SDK's types, generated from openapi.json: packages/sdk/src/types.ts.
//   node --import tsx scripts/sdk-types.ts           writes it
//   node --import tsx scripts/sdk-types.ts --check   fails if the committed file differs
// One TypeScript type per named schema (with its description as a doc comment), the query
// parameters of each list, every error code, and the union of the webhook events.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { writeOrCheck } from "./generated-file.js";

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as the untyped JSON it is.
type Schema = Record<string, any>;

const DOCUMENT = fileURLToPath(new URL("../openapi.json", import.meta.url));
const OUTPUT = fileURLToPath(new URL("../packages/sdk/src/types.ts", import.meta.url));

const document = JSON.parse(await readFile(DOCUMENT, "utf8")) as Schema;
const schemas = document.components.schemas as Record<string, Schema>;

const refName = (ref: string) => ref.replace("#/components/schemas/", "");

/** The only value of OpenAPI 3.0's way of saying `null`: a nullable type whose enum is [null]. */
const isNull = (schema: Schema) =>
  schema.nullable === true && Array.isArray(schema.enum) && schema.enum.length === 1;

const quote = (value: unknown) => JSON.stringify(value);
const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name));

function comment(text: string | undefined, indent: string): string {
  if (!text) return "";
  const lines = text.replaceAll("*/", "*\\/").split("\n");
  return lines.length === 1
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

function typeOf(schema: Schema, indent = ""): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.allOf?.length === 1) return typeOf(schema.allOf[0], indent);
  if (schema.allOf) return schema.allOf.map((s: Schema) => typeOf(s, indent)).join(" & ");
  for (const union of ["anyOf", "oneOf"] as const) {
    if (schema[union]) {
      return schema[union].map((s: Schema) => (isNull(s) ? "null" : typeOf(s, indent))).join(" | ");
    }
  }
  const nullable = schema.nullable === true ? " | null" : "";
  if (schema.enum) return schema.enum.map(quote).join(" | ");
  switch (schema.type) {
    case "string":
      return (schema.format === "binary" ? "Blob" : "string") + nullable;
    case "integer":
    case "number":
      return `number${nullable}`;
    case "boolean":
      return `boolean${nullable}`;
    case "array": {
      const item = typeOf(schema.items, indent);
      return `${/[ |&]/.test(item) ? `(${item})` : item}[]${nullable}`;
    }
    case "object":
      return objectType(schema, indent) + nullable;
    default:
      return "unknown";
  }
}

function objectType(schema: Schema, indent: string): string {
  const properties = Object.entries<Schema>(schema.properties ?? {});
  if (properties.length === 0) {
    const values = schema.additionalProperties;
    return `Record<string, ${typeof values === "object" ? typeOf(values, indent) : "unknown"}>`;
  }
  const required = new Set<string>(schema.required ?? []);
  const inner = `${indent}  `;
  const lines = properties.map(
    ([name, property]) =>
      `${comment(property.description, inner)}${inner}${key(name)}${required.has(name) ? "" : "?"}: ${typeOf(property, inner)};`,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function declaration(name: string, schema: Schema): string {
  const type = typeOf(schema);
  const body =
    type.startsWith("{") && !type.includes("} | {")
      ? `export interface ${name} ${type}`
      : `export type ${name} = ${type};`;
  return `${comment(schema.description, "")}${body}\n`;
}

const pascal = (id: string) => id[0]!.toUpperCase() + id.slice(1);

/** Each operation's query string, as `<OperationId>Params`. */
function queryTypes(): string[] {
  const out: string[] = [];
  for (const operations of Object.values<Schema>(document.paths)) {
    for (const operation of Object.values<Schema>(operations)) {
      const query = (operation.parameters ?? []).filter((p: Schema) => p.in === "query");
      if (query.length === 0) continue;
      out.push(
        declaration(`${pascal(operation.operationId)}Params`, {
          type: "object",
          description: `The query of ${operation.operationId}.`,
          required: query.filter((p: Schema) => p.required).map((p: Schema) => p.name),
          properties: Object.fromEntries(
            query.map((p: Schema) => [p.name, { ...p.schema, description: p.description }]),
          ),
        }),
      );
    }
  }
  return out;
}

/** Every error code any operation documents. */
function errorCodes(): string[] {
  const codes = new Set<string>();
  for (const operations of Object.values<Schema>(document.paths))
    for (const operation of Object.values<Schema>(operations))
      for (const response of Object.values<Schema>(operation.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        for (const code of schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? [])
          codes.add(code);
      }
  return [...codes].sort();
}

function webhookEvents(): string[] {
  return Object.values<Schema>(document["x-webhooks"]).map((item) =>
    refName(item.post.requestBody.content["application/json"].schema.$ref),
  );
}

const parts = [
  "// Generated from openapi.json by scripts/sdk-types.ts: do not edit. `npm run openapi` regenerates it.\n",
  ...Object.entries(schemas).map(([name, schema]) => declaration(name, schema)),
  ...queryTypes(),
  `/** Every \`error.code\` the API documents. */\nexport type ErrorCode =\n${errorCodes()
    .map((c) => `  | ${quote(c)}`)
    .join("\n")};\n`,
  `/** What a webhook receives, told apart by \`type\`. */\nexport type WebhookEvent =\n${webhookEvents()
    .map((e) => `  | ${e}`)
    .join("\n")};\n`,
];
const output = parts.join("\n");

await writeOrCheck(OUTPUT, output, "npm run openapi");
