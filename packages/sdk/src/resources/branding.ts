import type { CallOptions, Transport } from "../transport.js";
import type { Branding as AccountBranding, UpdateBrandingRequest } from "../types.js";

/** What recipients see of the account: display name, accent colour, logo. */
export class Branding {
  constructor(private readonly transport: Transport) {}

  get(options: CallOptions = {}): Promise<AccountBranding> {
    return this.transport.json({ method: "GET", path: "/api/v1/branding", ...options });
  }

  /** Each given value replaces the current one; null removes it. */
  update(changes: UpdateBrandingRequest, options: CallOptions = {}): Promise<AccountBranding> {
    return this.transport.json({
      method: "PATCH",
      path: "/api/v1/branding",
      body: changes,
      ...options,
    });
  }
}
