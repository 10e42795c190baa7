import { type ListOptions, listAt } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type { ApiKey, ApiKeyWithSecret, ListApiKeysParams } from "../types.js";

/** API keys of the calling key's account and environment. */
export class Keys {
  constructor(private readonly transport: Transport) {}

  /** A new key; its `secret` is shown only in this answer. */
  create({ name, ...options }: { name?: string } & CallOptions = {}): Promise<ApiKeyWithSecret> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/keys",
      body: name === undefined ? {} : { name },
      ...options,
    });
  }

  list(options: ListOptions<ListApiKeysParams> = {}) {
    return listAt<ApiKey>(this.transport, "/api/v1/keys", options);
  }

  /** Revokes at once: the key's next request is refused, on every instance. */
  revoke(id: string, options: CallOptions = {}): Promise<ApiKey> {
    return this.transport.json({
      method: "DELETE",
      path: `/api/v1/keys/${encodeURIComponent(id)}`,
      ...options,
    });
  }
}
