import { isDeepStrictEqual } from "node:util";

/**
 * The keyword that names a route schema as a component of the OpenAPI document (see `Component`
 * in schemas.ts). Validators ignore it; `hoistComponents` replaces it by a `$ref`.
 */
export const COMPONENT = "x-component";

/** Keywords that say something about a value without constraining it: a use may change them. */
const ANNOTATIONS = [
  "description",
  "title",
  "examples",
  "example",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
] as const;

type Schema = Record<string, unknown>;
type Visit = (schema: Schema) => Schema;

const isObject = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function pick(schema: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => keys.includes(key)));
}

function omit(schema: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

/** A schema and every schema inside it, innermost first, each replaced by what `visit` returns. */
function mapSchema(schema: unknown, visit: Visit): unknown {
  if (!isObject(schema)) return schema;
  const out: Schema = { ...schema };
  for (const key of ["properties", "patternProperties", "$defs"]) {
    if (isObject(out[key]))
      out[key] = Object.fromEntries(
        Object.entries(out[key]).map(([name, child]) => [name, mapSchema(child, visit)]),
      );
  }
  for (const key of ["anyOf", "oneOf", "allOf", "prefixItems"]) {
    if (Array.isArray(out[key])) out[key] = out[key].map((child) => mapSchema(child, visit));
  }
  for (const key of ["items", "additionalProperties", "not", "contains", "if", "then", "else"]) {
    if (isObject(out[key])) out[key] = mapSchema(out[key], visit);
  }
  return visit(out);
}

/** Every schema of `document`: parameters, request and response bodies, headers, `x-webhooks`. */
export function mapDocumentSchemas(document: Schema, visit: Visit): void {
  const media = (content: unknown) => {
    if (!isObject(content)) return;
    for (const type of Object.values(content))
      if (isObject(type) && type.schema) type.schema = mapSchema(type.schema, visit);
  };
  const pathItems = [
    ...Object.values(isObject(document.paths) ? document.paths : {}),
    ...Object.values(isObject(document["x-webhooks"]) ? document["x-webhooks"] : {}),
  ];
  for (const item of pathItems) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation)) continue;
      for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : [])
        if (isObject(parameter) && parameter.schema)
          parameter.schema = mapSchema(parameter.schema, visit);
      if (isObject(operation.requestBody)) media(operation.requestBody.content);
      for (const response of Object.values(
        isObject(operation.responses) ? operation.responses : {},
      )) {
        if (!isObject(response)) continue;
        media(response.content);
        for (const header of Object.values(isObject(response.headers) ? response.headers : {}))
          if (isObject(header) && header.schema) header.schema = mapSchema(header.schema, visit);
      }
    }
  }
}

/**
 * OpenAPI 3.0 has no `null` type, and `nullable` applies only to a `type` beside it: `null` alone
 * is a nullable type whose only value is `null` (as @fastify/swagger writes it).
 */
const NULL_ONLY = { type: "object", nullable: true, enum: [null] };

/**
 * Moves every schema named with `COMPONENT` to `components.schemas` and refers to it by `$ref`:
 * generated clients get one type per name rather than a type per use. A use may differ from the
 * named schema only in its annotations (a description of its own) and in being `nullable`.
 * `definitions` gives each name's own annotations, as written where it is named.
 */
export function hoistComponents(
  document: Schema,
  definitions: ReadonlyMap<string, object>,
): Record<string, Schema> {
  const components: Record<string, Schema> = {};
  mapDocumentSchemas(document, (schema) => {
    const name = schema[COMPONENT];
    if (typeof name !== "string") return schema;
    const { [COMPONENT]: _, nullable, ...use } = schema;
    const own = pick((definitions.get(name) ?? {}) as Schema, ANNOTATIONS);
    const shape = omit(use, ANNOTATIONS);
    const existing = components[name];
    if (!existing) components[name] = { ...shape, ...own };
    else if (!isDeepStrictEqual(omit(existing, ANNOTATIONS), shape))
      throw new Error(`The OpenAPI component ${name} is used with two different shapes.`);
    const ref = { $ref: `#/components/schemas/${name}` };
    const annotations = Object.entries(pick(use, ANNOTATIONS)).filter(
      ([key, value]) => !isDeepStrictEqual(own[key], value),
    );
    // In OpenAPI 3.0, keywords beside a `$ref` are ignored.
    if (nullable !== true && annotations.length === 0) return ref;
    return {
      ...(nullable === true ? { anyOf: [ref, NULL_ONLY] } : { allOf: [ref] }),
      ...Object.fromEntries(annotations),
    };
  });
  return Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
}
