import type { CallOptions, Transport } from "../transport.js";
import type { DashboardSession, Environment, SignInLinkSent, SignInRequest } from "../types.js";

/**
 * The dashboard's sign-in, for a browser: the session lives in an HttpOnly cookie, and its
 * CSRF token (in every answer) goes to `new Certyneo({ csrfToken })` for the calls that follow.
 */
export class Session {
  constructor(private readonly transport: Transport) {}

  /** With an email and a password, or the token of an emailed link. */
  signIn(request: SignInRequest, options: CallOptions = {}): Promise<DashboardSession> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/session",
      body: request,
      apiKey: false,
      ...options,
    });
  }

  /** Emails a one-time sign-in link, if the email belongs to someone (the answer is the same). */
  requestLink(email: string, options: CallOptions = {}): Promise<SignInLinkSent> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/session/link",
      body: { email },
      apiKey: false,
      ...options,
    });
  }

  get(options: CallOptions = {}): Promise<DashboardSession> {
    return this.transport.json({ method: "GET", path: "/api/v1/session", ...options });
  }

  switchEnvironment(
    environment: Environment,
    options: CallOptions = {},
  ): Promise<DashboardSession> {
    return this.transport.json({
      method: "PATCH",
      path: "/api/v1/session",
      body: { environment },
      ...options,
    });
  }

  async signOut(options: CallOptions = {}): Promise<void> {
    await this.transport.send({ method: "DELETE", path: "/api/v1/session", ...options });
  }
}
