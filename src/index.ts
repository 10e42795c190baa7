// What the certyneo package exports to other code: helpers for integrators.
export { signatureHeader, verifyWebhook, WebhookVerificationError } from "./webhooks/signature.js";
