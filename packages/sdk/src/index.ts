export { Certyneo, type CertyneoOptions } from "./client.js";
export { Download } from "./download.js";
export {
  ApiError,
  AuthenticationError,
  CertyneoError,
  ConnectionError,
  type ErrorBody,
  IdempotencyError,
  InvalidRequestError,
  PermissionError,
  RateLimitError,
  TimeoutError,
  WebhookVerificationError,
} from "./errors.js";
export { type Page, PageIterator } from "./pagination.js";
export type { CallOptions } from "./transport.js";
export type * from "./types.js";
export type { UploadSource } from "./upload.js";
export { type VerifyOptions, verifyWebhook } from "./webhooks-verify.js";
