import { Download } from "./download.js";
import { CertyneoError, ConnectionError, errorFromResponse, TimeoutError } from "./errors.js";

export interface TransportOptions {
  apiKey: string | undefined;
  /** In a browser signed in to the dashboard: the session's CSRF token, sent with changes. */
  csrfToken: string | undefined;
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  fetch: typeof fetch;
  userAgent: string | undefined;
}

/** Per call: what every method of the SDK takes last. */
export interface CallOptions {
  /** Cancels the call (and its retries). */
  signal?: AbortSignal;
  /** This call's timeout per attempt, in milliseconds. */
  timeoutMs?: number;
  /** This call's retries (429, network errors and 5xx where it is safe to repeat). */
  maxRetries?: number;
  /** For a POST: your own key, to make a retry of yours safe too. Default: one per call. */
  idempotencyKey?: string;
}

export interface Call extends CallOptions {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: object | undefined;
  /** JSON, or a body fetch takes as it is (FormData, a stream). */
  body?: unknown;
  /** The body's type, when it is not JSON or FormData (which say their own). */
  contentType?: string;
  /** The signer API authenticates by the token in its path, not by the API key. */
  apiKey?: boolean;
}

/** The longest wait a `Retry-After` is honoured for before the 429 is thrown instead. */
const MAX_RETRY_AFTER_S = 60;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** 0.5 s, 1 s, 2 s… up to 8 s, with jitter, between attempts that did not say how long to wait. */
const backoff = (attempt: number) =>
  Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);

/** Sends calls to the API: authentication, JSON, timeouts, retries with one idempotency key. */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  /** The response of a call that succeeded (2xx); anything else is thrown as a CertyneoError. */
  async send(call: Call): Promise<Response> {
    const url = this.url(call.path, call.query);
    const authenticated = call.apiKey !== false;
    const headers: Record<string, string> = { accept: "application/json" };
    if (authenticated && this.options.apiKey) {
      headers.authorization = `Bearer ${this.options.apiKey}`;
    } else if (authenticated && this.options.csrfToken !== undefined) {
      // The browser sends the session cookie; a change also proves it comes from our page.
      if (call.method !== "GET") headers["x-csrf-token"] = this.options.csrfToken;
    } else if (authenticated) {
      throw new CertyneoError("No API key: pass apiKey or set CERTYNEO_API_KEY.");
    }
    if (this.options.userAgent) headers["user-agent"] = this.options.userAgent;
    // One key for every attempt of this call: the server runs it at most once.
    const idempotencyKey =
      authenticated && call.method === "POST"
        ? (call.idempotencyKey ?? globalThis.crypto.randomUUID())
        : undefined;
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    // A stream is read as it is sent: it cannot be sent again.
    const streamed = call.body instanceof ReadableStream;
    let body: RequestInit["body"];
    if (streamed || call.body instanceof FormData) body = call.body as RequestInit["body"];
    else if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers["content-type"] = "application/json";
    }
    if (call.contentType) headers["content-type"] = call.contentType;

    // Safe to repeat after a failure on the way: reads, replacing updates and deletes, and POSTs
    // carrying an idempotency key. A 429 was refused before any work: always safe.
    const repeatable = !streamed && (call.method !== "POST" || idempotencyKey !== undefined);
    const maxRetries = call.maxRetries ?? this.options.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(call.timeoutMs ?? this.options.timeoutMs);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await this.options.fetch(url, {
          method: call.method,
          headers,
          body,
          signal,
          ...(streamed && { duplex: "half" }),
        } as RequestInit);
      } catch (cause) {
        if (call.signal?.aborted) throw call.signal.reason;
        const error = timeout.aborted
          ? new TimeoutError(
              `No answer from ${url} within ${call.timeoutMs ?? this.options.timeoutMs} ms.`,
              {},
              { cause },
            )
          : new ConnectionError(
              `Could not reach ${url}: ${(cause as Error).message}`,
              {},
              { cause },
            );
        if (!repeatable || attempt >= maxRetries) throw error;
        await sleep(backoff(attempt), call.signal);
        continue;
      }
      if (response.ok) return response;
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const error = errorFromResponse(response.status, parsed, response.headers);
      if (attempt < maxRetries && !streamed) {
        if (response.status === 429) {
          const wait = Number(response.headers.get("retry-after"));
          if (Number.isFinite(wait) && wait <= MAX_RETRY_AFTER_S) {
            await sleep(Math.max(wait, 0) * 1000, call.signal);
            continue;
          }
        } else if (response.status >= 500 && repeatable) {
          await sleep(backoff(attempt), call.signal);
          continue;
        }
      }
      throw error;
    }
  }

  /** A call's answer as a file (a PDF). */
  async download(call: Call): Promise<Download> {
    return new Download(await this.send(call));
  }

  /** A call's JSON answer. */
  async json<T>(call: Call): Promise<T> {
    return (await (await this.send(call)).json()) as T;
  }

  private url(path: string, query: object | undefined): string {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, "") + path);
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    return url.href;
  }
}
