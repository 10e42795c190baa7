import type { CallOptions, Transport } from "../transport.js";
import type { Settings as AccountSettings, SandboxReset, UpdateSettingsRequest } from "../types.js";

/** Who is told what, reminders and expiry, for the key's environment. */
export class Settings {
  constructor(private readonly transport: Transport) {}

  get(options: CallOptions = {}): Promise<AccountSettings> {
    return this.transport.json({ method: "GET", path: "/api/v1/settings", ...options });
  }

  update(changes: UpdateSettingsRequest, options: CallOptions = {}): Promise<AccountSettings> {
    return this.transport.json({
      method: "PATCH",
      path: "/api/v1/settings",
      body: changes,
      ...options,
    });
  }

  /**
   * Deletes every test-environment object of the account (envelopes, documents, webhooks,
   * events); the live environment, keys, people and settings stay. An owner's dashboard session
   * only: an API key is refused.
   */
  resetSandbox(options: CallOptions = {}): Promise<SandboxReset> {
    return this.transport.json({ method: "POST", path: "/api/v1/sandbox/reset", ...options });
  }
}
