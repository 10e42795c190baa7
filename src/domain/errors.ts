/**
 * The kinds of failure a use case can report. The HTTP layer maps each kind to a status and an
 * error `type`; the domain and services never speak HTTP.
 */
export type ErrorKind =
  | "invalid_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "unsupported_media_type"
  | "range_not_satisfiable"
  | "unprocessable"
  | "rate_limited"
  | "unavailable"
  | "idempotency_in_progress"
  | "idempotency_mismatch";

export class CertyneoError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable snake_case identifier that clients can branch on. */
    readonly code: string,
    message: string,
    /** The request parameter at fault, when there is one. */
    readonly param?: string,
  ) {
    super(message);
    this.name = "CertyneoError";
  }
}

/** 429 `rate_limit_exceeded`; the HTTP layer turns `retryAfterSeconds` into `Retry-After`. */
export class RateLimitedError extends CertyneoError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", "rate_limit_exceeded", message);
  }
}

export function notFound(resource: string, id: string): CertyneoError {
  const label = resource.replaceAll("_", " ");
  return new CertyneoError(
    "not_found",
    `${resource}_not_found`,
    `No ${label} with id "${id}".`,
    "id",
  );
}

/** 403 `role_insufficient`: a person whose role is `role` may not do `what` in the account. */
export function roleInsufficient(role: string, what: string): CertyneoError {
  return new CertyneoError(
    "forbidden",
    "role_insufficient",
    `Your role in the account (${role}) cannot ${what}.`,
  );
}
