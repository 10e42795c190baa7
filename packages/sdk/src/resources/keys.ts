import { type ListOptions, PageIterator } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type { ApiKey, ApiKeyList, ApiKeyWithSecret, ListApiKeysParams } from "../types.js";

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

  list({ signal, timeoutMs, maxRetries, ...query }: ListOptions<ListApiKeysParams> = {}) {
    return new PageIterator<ApiKey>((after) =>
      this.transport.json<ApiKeyList>({
        method: "GET",
        path: "/api/v1/keys",
        query: { ...query, after: after ?? query.after },
        ...{ signal, timeoutMs, maxRetries },
      }),
    );
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
