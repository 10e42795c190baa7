import { isDeepStrictEqual } from "node:util";
import Type, { type Static, type TSchema, type TUnsafe } from "typebox";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from "../domain/pagination.js";
import { ERROR_TYPES } from "./errors.js";
import { COMPONENT } from "./openapi-components.js";

const components = new Map<string, TSchema>();

/** Each named schema, as `Component` was given it: where the document's components come from. */
export const namedSchemas: ReadonlyMap<string, TSchema> = components;

/**
 * `schema`, named `name` in the OpenAPI document: written once under `components.schemas`, and
 * referred to wherever a route uses it (clients generated from the document get a type `name`).
 */
export function Component<T extends TSchema>(name: string, schema: T): T {
  // A route declared again (another server in the process) names the same schema again.
  const named = components.get(name);
  if (named && !isDeepStrictEqual(named, schema))
    throw new Error(`Two different schemas are named ${name}.`);
  components.set(name, schema);
  return With(schema, { [COMPONENT]: name });
}

/**
 * `schema` with `keywords` added (a description of this use, say). A spread would lose what
 * TypeBox keeps on a schema out of sight (its kind, whether it is optional), which `Type.Omit`
 * and its kin need.
 */
export function With<T extends TSchema>(schema: T, keywords: Record<string, unknown>): T {
  const copy = Object.create(
    Object.getPrototypeOf(schema),
    Object.getOwnPropertyDescriptors(schema),
  ) as T;
  return Object.assign(copy, keywords);
}

/**
 * OpenAPI 3.0 has no `type: "null"`; a nullable value is `nullable: true`, which Ajv also reads.
 * An enum must then list `null` itself (OpenAPI 3.0.3).
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const values = (schema as { enum?: unknown[] }).enum;
  return Type.Unsafe<Static<T> | null>({
    ...schema,
    nullable: true,
    ...(values && { enum: [...values, null] }),
  });
}

/** A string that is one of `values`. */
export function OneOf<T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({
    type: "string",
    enum: [...values],
    ...(description && { description }),
  });
}

/** A 200 whose body is a file of `mediaType`. */
export function FileResponse(mediaType: string, description: string) {
  return Type.Unsafe<unknown>({
    description,
    content: { [mediaType]: { schema: { type: "string", format: "binary" } } },
  });
}

/** A 200 whose body is a PDF file. */
export function PdfResponse(description: string) {
  return FileResponse("application/pdf", description);
}

export const Timestamp = Type.String({
  format: "date-time",
  description: "ISO 8601, UTC",
  example: "2026-11-28T10:15:00.000Z",
});

export const Environment = Component(
  "Environment",
  OneOf(
    ["test", "live"] as const,
    "test: for trying things out, documents marked as tests and without legal effect; live: real signatures",
  ),
);

export function ObjectId(prefix: string) {
  return Type.String({
    pattern: `^${prefix}_[0-9A-Za-z]+$`,
    example: `${prefix}_3fQ9xKp2LmN8vR7tYw4zA1bC`,
  });
}

export const ErrorType = Component(
  "ErrorType",
  OneOf(ERROR_TYPES, "The family of the error: what the client should do about it"),
);

export const ErrorResponse = Component(
  "Error",
  Type.Object(
    {
      error: Type.Object({
        type: ErrorType,
        code: Type.String({ description: "Stable snake_case identifier of the error" }),
        message: Type.String({ description: "Human-readable explanation" }),
        param: Type.Optional(Type.String({ description: "The request parameter at fault" })),
        requestId: Type.String({ description: "Same as the X-Request-Id response header" }),
      }),
    },
    { description: "Error" },
  ),
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request: invalid JSON, missing or invalid parameter",
  401: "Missing, malformed, unknown or revoked API key",
  403: "Not allowed",
  404: "No such object in this account and environment, or no such route",
  409: "The object's state does not allow this action",
  410: "No longer available",
  413: "Request body too large",
  415: "Unsupported Content-Type",
  416: "The Range asked for starts past the end of the file (Content-Range gives its size)",
  422: "Well-formed but semantically invalid",
  429: "Rate limit exceeded; see Retry-After",
  431: "The URL and headers are larger than this server accepts (any route can answer it)",
  503: "A service this request depends on (mail or SMS provider) failed; retry later",
};

export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      With(ErrorResponse, { description: ERROR_DESCRIPTIONS[status] ?? "Error" }),
    ]),
  );
}

/** Errors any authenticated route can answer with. */
export const AUTHENTICATED_ERRORS = [400, 401, 429] as const;

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT }),
    ),
    after: Type.Optional(
      Type.String({ description: "Id of the last object of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

/** A page of `item`s; named `<item>List` in the document when `item` is named. */
export function ListOf<T extends TSchema>(item: T) {
  const name = (item as Record<string, unknown>)[COMPONENT];
  const list = Type.Object(
    {
      object: Type.Literal("list"),
      data: Type.Array(item),
      hasMore: Type.Boolean({ description: "Whether a next page exists" }),
      nextCursor: Nullable(
        Type.String({ description: "Pass it as `after` to get the next page; null on the last" }),
      ),
    },
    {
      description: `A page of ${typeof name === "string" ? `${name} objects` : "objects"}, newest first`,
    },
  );
  return typeof name === "string" ? Component(`${name}List`, list) : list;
}

/** A page as the API answers it: `{object: "list", data, hasMore, nextCursor}`. */
export function listBody<T, U>(page: Page<T>, serialize: (item: T) => U) {
  return {
    object: "list" as const,
    data: page.data.map(serialize),
    hasMore: page.hasMore,
    nextCursor: page.nextCursor,
  };
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
