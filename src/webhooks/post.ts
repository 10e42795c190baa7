import type { LookupAddress, LookupOptions } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

export interface PostResult {
  status: number;
  location: string | undefined;
}

export class PostTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** A `lookup` that answers with addresses checked beforehand, whatever DNS would say now. */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return ((
    _hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const usable = options.family
      ? addresses.filter((a) => a.family === options.family)
      : addresses;
    const first = usable[0];
    if (!first) {
      callback(
        Object.assign(new Error("no checked address of this family"), { code: "ENOTFOUND" }),
        "",
      );
      return;
    }
    if (options.all) callback(null, [...usable]);
    else callback(null, first.address, first.family);
  }) as LookupFunction;
}

/**
 * POSTs `body` and resolves with the status, without following redirects or reading the answer.
 * With `addresses`, the connection goes to one of them (TLS still checks the host name).
 */
export function postJson(
  url: URL,
  options: {
    body: string;
    headers: Record<string, string>;
    timeoutMs: number;
    addresses: readonly LookupAddress[] | null;
  },
): Promise<PostResult> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "POST",
        headers: { ...options.headers, "Content-Length": Buffer.byteLength(options.body) },
        // A fresh connection each time: a pooled one would skip the lookup below.
        agent: false,
        ...(options.addresses && { lookup: pinnedLookup(options.addresses) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        resolve({ status: response.statusCode ?? 0, location: response.headers.location });
        // The answer's body is not read; a late abort of it is no failure of the delivery.
        response.on("error", () => {});
        response.resume();
      },
    );
    request.on("error", (error) => {
      reject(
        error.name === "AbortError"
          ? new PostTimeoutError(`timed out after ${options.timeoutMs} ms`)
          : error,
      );
    });
    request.end(options.body);
  });
}
