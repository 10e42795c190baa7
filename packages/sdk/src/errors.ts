import type { ErrorCode } from "./types.js";

/** What the API says about a failure: the `error` object of every error response. */
export interface ErrorBody {
  type: string;
  code: ErrorCode | (string & {});
  message: string;
  param?: string;
  requestId: string;
}

/**
 * Every error the SDK throws. One from the API carries its HTTP `status`, `type`, `code` (branch
 * on it), `param` and `requestId` (quote it to the operator); one that never reached the API
 * (a network failure, a timeout) has no status.
 */
export class CertyneoError extends Error {
  override name = "CertyneoError";
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly code: ErrorCode | (string & {}) | undefined;
  readonly param: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    message: string,
    details: { status?: number; error?: Partial<ErrorBody>; requestId?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = details.status;
    this.type = details.error?.type;
    this.code = details.error?.code;
    this.param = details.error?.param;
    this.requestId = details.error?.requestId ?? details.requestId;
  }
}

/** 400, 404, 409, 410, 413, 415, 422…: the request cannot succeed as it is. */
export class InvalidRequestError extends CertyneoError {
  override name = "InvalidRequestError";
}
/** 401: the API key is missing, malformed, unknown or revoked (or a one-time code is wrong). */
export class AuthenticationError extends CertyneoError {
  override name = "AuthenticationError";
}
/** 403: not allowed. */
export class PermissionError extends CertyneoError {
  override name = "PermissionError";
}
/** 429, once the retries are spent: `retryAfter` says how many seconds to wait. */
export class RateLimitError extends CertyneoError {
  override name = "RateLimitError";
  readonly retryAfter: number | undefined;
  constructor(
    message: string,
    details: ConstructorParameters<typeof CertyneoError>[1],
    retryAfter?: number,
  ) {
    super(message, details);
    this.retryAfter = retryAfter;
  }
}
/** An `Idempotency-Key` reused with another request, or its first request still running. */
export class IdempotencyError extends CertyneoError {
  override name = "IdempotencyError";
}
/** 5xx: the server or a service it depends on failed. */
export class ApiError extends CertyneoError {
  override name = "ApiError";
}
/** The API could not be reached (DNS, refused or reset connection). */
export class ConnectionError extends CertyneoError {
  override name = "ConnectionError";
}
/** No answer within the request's timeout. */
export class TimeoutError extends CertyneoError {
  override name = "TimeoutError";
}
/** A webhook request whose signature is missing, malformed, too old or wrong. */
export class WebhookVerificationError extends CertyneoError {
  override name = "WebhookVerificationError";
}

const BY_TYPE: Record<string, typeof CertyneoError> = {
  invalid_request_error: InvalidRequestError,
  authentication_error: AuthenticationError,
  permission_error: PermissionError,
  idempotency_error: IdempotencyError,
  api_error: ApiError,
};

/** The error an API response stands for. */
export function errorFromResponse(status: number, body: unknown, headers: Headers): CertyneoError {
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  const requestId = headers.get("x-request-id") ?? undefined;
  const message = error?.message ?? `The API answered ${status}.`;
  const details = { status, ...(error && { error }), ...(requestId && { requestId }) };
  if (status === 429) {
    const retryAfter = Number(headers.get("retry-after"));
    return new RateLimitError(
      message,
      details,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  const Type =
    (error?.type && BY_TYPE[error.type]) || (status >= 500 ? ApiError : InvalidRequestError);
  return new Type(message, details);
}
