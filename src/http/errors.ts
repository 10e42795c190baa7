import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CertyneoError, type ErrorKind } from "../domain/errors.js";

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "rate_limit_error"
  | "idempotency_error"
  | "api_error";

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
};

export function sendError(
  reply: FastifyReply,
  kind: ErrorKind,
  code: string,
  message: string,
  param?: string,
): FastifyReply {
  const { status, type } = HTTP_OF_KIND[kind];
  const body: ErrorBody = {
    error: { type, code, message, ...(param && { param }), requestId: reply.request.id },
  };
  return reply.code(status).type("application/json; charset=utf-8").send(body);
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
      const kind =
        status === 413
          ? "payload_too_large"
          : status === 415
            ? "unsupported_media_type"
            : "invalid_request";
      return sendError(reply, kind, "bad_request", error.message);
    }
    request.log.error({ err: error }, "unhandled error");
    const body: ErrorBody = {
      error: {
        type: "api_error",
        code: "internal_error",
        message:
          "Something went wrong on our side. Retry later; quote the request id if it persists.",
        requestId: request.id,
      },
    };
    return reply.code(500).type("application/json; charset=utf-8").send(body);
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
