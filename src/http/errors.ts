import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CertyneoError, type ErrorKind } from "../domain/errors.js";
import { generateRequestId } from "./request-id.js";

/** The families of errors: what a client should do about one. */
export const ERROR_TYPES = [
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "rate_limit_error",
  "idempotency_error",
  "api_error",
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export interface ErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string; requestId: string };
}

const HTTP_OF_KIND: Record<ErrorKind, { status: number; type: ErrorType }> = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  unauthenticated: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  gone: { status: 410, type: "invalid_request_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  range_not_satisfiable: { status: 416, type: "invalid_request_error" },
  unprocessable: { status: 422, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  unavailable: { status: 503, type: "api_error" },
  idempotency_in_progress: { status: 409, type: "idempotency_error" },
  idempotency_mismatch: { status: 422, type: "idempotency_error" },
};

/** Fastify's own client errors, translated into the contract's codes. */
const FASTIFY_CODES: Record<string, { kind: ErrorKind; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    kind: "unsupported_media_type",
    code: "unsupported_media_type",
    message: "Unsupported Content-Type: send application/json.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { kind: "invalid_request", code: "invalid_content_length" },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    kind: "payload_too_large",
    code: "body_too_large",
    message: "The request body is larger than this endpoint accepts.",
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    kind: "invalid_request",
    code: "invalid_json",
    message: "The request body is not valid JSON.",
  },
  FST_ERR_CTP_INVALID_TYPE: { kind: "invalid_request", code: "invalid_content_type" },
  // @fastify/multipart: limits and refusals of its parser.
  FST_FILES_LIMIT: {
    kind: "invalid_request",
    code: "too_many_files",
    message: 'Send one file per request, in the "file" part.',
  },
  FST_PARTS_LIMIT: {
    kind: "invalid_request",
    code: "too_many_parts",
    message: "The multipart body has more parts than this endpoint accepts.",
  },
  FST_FIELDS_LIMIT: {
    kind: "invalid_request",
    code: "too_many_parts",
    message: "The multipart body has more fields than this endpoint accepts.",
  },
  FST_PROTO_VIOLATION: {
    kind: "invalid_request",
    code: "parameter_unknown",
    message: 'A multipart part may not be named "__proto__" or "constructor".',
  },
  FST_INVALID_JSON_FIELD_ERROR: {
    kind: "invalid_request",
    code: "invalid_multipart",
    message: "A multipart field declared as JSON is not valid JSON.",
  },
  FST_MP_PREMATURE_CLOSE: {
    kind: "invalid_request",
    code: "invalid_multipart",
    message: "The multipart body ended before it was complete.",
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    kind: "unsupported_media_type",
    code: "unsupported_media_type",
    message: "The request is not multipart/form-data.",
  },
  FST_REQ_FILE_TOO_LARGE: {
    kind: "payload_too_large",
    code: "body_too_large",
    message: "The file is larger than this endpoint accepts.",
  },
};

/** The HTTP status of an error of ours. */
export function statusOf(error: CertyneoError): number {
  return HTTP_OF_KIND[error.kind].status;
}

/**
 * The client's error as ours: a `CertyneoError`, or one of Fastify's (and its multipart parser's)
 * that the contract names; `undefined` for anything else (the server's fault).
 */
export function clientError(error: unknown): CertyneoError | undefined {
  if (error instanceof CertyneoError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === "string" ? FASTIFY_CODES[code] : undefined;
  if (!known) return undefined;
  return new CertyneoError(known.kind, known.code, known.message ?? (error as Error).message);
}

export function sendError(
  reply: FastifyReply,
  kind: ErrorKind,
  code: string,
  message: string,
  param?: string,
): FastifyReply {
  const { status, type } = HTTP_OF_KIND[kind];
  return sendErrorBody(reply, status, type, code, message, param);
}

function sendErrorBody(
  reply: FastifyReply,
  status: number,
  type: ErrorType,
  code: string,
  message: string,
  param?: string,
): FastifyReply {
  const body: ErrorBody = {
    error: { type, code, message, ...(param && { param }), requestId: reply.request.id },
  };
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}

/** Headers every answer carries: set here for the answers given before any hook ran. */
const BASE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
} as const;

/**
 * Fastify's `frameworkErrors`: the router refused the URL before any hook ran (a path with a bad
 * percent-encoding, a path segment over `maxParamLength`).
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  reply.headers({ ...BASE_HEADERS, "X-Request-Id": request.id });
  if (error.code === "FST_ERR_BAD_URL") {
    return sendErrorBody(
      reply,
      400,
      "invalid_request_error",
      "invalid_url",
      "The URL is not valid: its path has a malformed percent-encoding.",
    );
  }
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return sendErrorBody(
      reply,
      414,
      "invalid_request_error",
      "url_too_long",
      "A path segment of the URL is longer than any id (100 characters).",
    );
  }
  return sendInternalError(request, reply, error);
}

/**
 * The HTTP server's `clientError`: a request Node could not parse (over-long URL or headers, not
 * HTTP at all) is answered here, on the socket, in the error shape; no request object exists.
 */
export function handleClientError(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Duplex,
): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", "The URL and headers are larger than this server accepts."]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "The request was not received in time."]
        : [400, "malformed_request", "The request is not valid HTTP."];
  const requestId = generateRequestId();
  const body: ErrorBody = {
    error: { type: "invalid_request_error", code, message, requestId },
  };
  const text = JSON.stringify(body);
  this.log.debug({ err: error, requestId }, "client error");
  if (socket.writable) {
    const headers = {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
      "X-Request-Id": requestId,
      ...BASE_HEADERS,
      Connection: "close",
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${text}`);
  }
  socket.destroy(error);
}

function sendInternalError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  request.log.error({ err: error }, "unhandled error");
  return sendErrorBody(
    reply,
    500,
    "api_error",
    "internal_error",
    "Something went wrong on our side. Retry later; quote the request id if it persists.",
  );
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof CertyneoError) {
      return sendError(reply, error.kind, error.code, error.message, error.param);
    }
    if (error.validation) {
      const problem = describeValidationError(error);
      return sendError(reply, "invalid_request", problem.code, problem.message, problem.param);
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendError(reply, known.kind, known.code, known.message ?? error.message);
    if (error instanceof SyntaxError) {
      return sendError(
        reply,
        "invalid_request",
        "invalid_json",
        `The request body is not valid JSON: ${error.message}.`,
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // A client error no rule above knows: the nearest documented code, never a 5xx.
      if (status === 413)
        return sendError(reply, "payload_too_large", "body_too_large", error.message);
      if (status === 415) {
        return sendError(reply, "unsupported_media_type", "unsupported_media_type", error.message);
      }
      return sendError(reply, "invalid_request", "bad_request", error.message);
    }
    return sendInternalError(request, reply, error);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    return sendError(
      reply,
      "not_found",
      "route_not_found",
      `No route for ${request.method} ${path}.`,
    );
  });
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeValidationError(error: FastifyError): {
  code: string;
  message: string;
  param: string;
} {
  const [first] = error.validation as AjvError[];
  const context = (error as { validationContext?: string }).validationContext ?? "body";
  if (!first) return { code: "parameter_invalid", message: error.message, param: context };
  const base = toParam(first.instancePath);
  if (first.keyword === "required") {
    const param = join(base, String(first.params.missingProperty));
    return { code: "parameter_missing", message: `Missing required parameter "${param}".`, param };
  }
  if (first.keyword === "additionalProperties") {
    const param = join(base, String(first.params.additionalProperty));
    return { code: "parameter_unknown", message: `Unknown parameter "${param}".`, param };
  }
  const param = base || context;
  const detail = first.message ?? "is invalid";
  return {
    code: "parameter_invalid",
    message: base ? `Invalid "${param}": ${detail}.` : `Invalid ${context}: ${detail}.`,
    param,
  };
}

/** `/recipients/0/email` → `recipients[0].email`, the way Stripe names nested parameters. */
function toParam(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .reduce(
      (acc, segment) => (/^\d+$/.test(segment) ? `${acc}[${segment}]` : join(acc, segment)),
      "",
    );
}

function join(base: string, property: string): string {
  return base ? `${base}.${property}` : property;
}
