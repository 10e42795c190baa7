import { Branding } from "./resources/branding.js";
import { Documents } from "./resources/documents.js";
import { Envelopes } from "./resources/envelopes.js";
import { Keys } from "./resources/keys.js";
import { Session } from "./resources/session.js";
import { Settings } from "./resources/settings.js";
import { Signing } from "./resources/signing.js";
import { Users } from "./resources/users.js";
import { Verifier } from "./resources/verification.js";
import { Webhooks } from "./resources/webhooks.js";
import { Transport } from "./transport.js";

export interface CertyneoOptions {
  /** `sk_test_…` or `sk_live_…`. Default: the CERTYNEO_API_KEY environment variable. */
  apiKey?: string;
  /** Your instance. Default: CERTYNEO_URL, else http://localhost:3000. */
  baseUrl?: string;
  /** Retries of a call refused with 429, or failed on the way where repeating it is safe. Default 2. */
  maxRetries?: number;
  /** Per attempt, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  /** Another fetch (a proxy's, a test's). Default: the global one. */
  fetch?: typeof fetch;
  /** Sent as User-Agent where the runtime allows it. */
  userAgent?: string;
  /**
   * In a browser signed in to the dashboard, instead of an API key: the session's CSRF token
   * (from `session.get()`), which changes carry; the browser sends the session cookie.
   */
  csrfToken?: string;
}

const environment = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

/**
 * The Certyneo API. `new Certyneo({ apiKey, baseUrl })`, then `documents`, `envelopes`,
 * `webhooks`, `keys`, `settings`, `users`, `session` (the dashboard's), `signing` (the
 * recipient's side) and `verification` (anyone's).
 */
export class Certyneo {
  readonly documents: Documents;
  readonly envelopes: Envelopes;
  readonly webhooks: Webhooks;
  readonly keys: Keys;
  readonly settings: Settings;
  /** What recipients see of the account: name, colour, logo. */
  readonly branding: Branding;
  readonly signing: Signing;
  /** The people who sign in to the account's dashboard. */
  readonly users: Users;
  /** The dashboard's sign-in, for a browser. */
  readonly session: Session;
  /** What any PDF proves, checked by the platform (no API key needed). */
  readonly verification: Verifier;

  constructor(options: CertyneoOptions = {}) {
    const transport = new Transport({
      apiKey: options.apiKey ?? environment("CERTYNEO_API_KEY"),
      baseUrl: options.baseUrl ?? environment("CERTYNEO_URL") ?? "http://localhost:3000",
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      userAgent: options.userAgent,
      csrfToken: options.csrfToken,
    });
    this.documents = new Documents(transport);
    this.envelopes = new Envelopes(transport);
    this.webhooks = new Webhooks(transport);
    this.keys = new Keys(transport);
    this.settings = new Settings(transport);
    this.branding = new Branding(transport);
    this.signing = new Signing(transport);
    this.users = new Users(transport);
    this.session = new Session(transport);
    this.verification = new Verifier(transport);
  }
}
