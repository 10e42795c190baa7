import { Certyneo, CertyneoError, type DashboardSession } from "@certyneo/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/**
 * A client of the public API, authenticated by the session cookie and its CSRF token.
 * `onSessionEnded` runs when the API answers 401: the session was revoked, or timed out.
 */
export function clientFor(csrfToken: string, onSessionEnded: () => void = () => {}): Certyneo {
  return new Certyneo({
    baseUrl: location.origin,
    csrfToken,
    maxRetries: 1,
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, credentials: "same-origin" });
      if (response.status === 401 && !String(input).endsWith("/api/v1/session")) onSessionEnded();
      return response;
    },
  });
}

/** Before sign-in: only the session calls, which need no token. */
export const anonymous = clientFor("");

export interface SignedIn {
  session: DashboardSession;
  api: Certyneo;
  /** After a change of environment or profile. */
  setSession(session: DashboardSession): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SignedIn | null>(null);

export function useSignedIn(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSignedIn outside a signed-in page");
  return value;
}

/** Whether the role may manage the account (keys, webhooks, settings, people). */
export function isAdmin(session: DashboardSession): boolean {
  return session.user.role === "owner" || session.user.role === "admin";
}

/** What to show of an error: the API's own message, or a network failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof CertyneoError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export function isSessionEnded(error: unknown): boolean {
  return error instanceof CertyneoError && error.status === 401;
}
