import type { CallOptions, Transport } from "./transport.js";

/** One page of a list, as the API answers it. */
export interface Page<T> {
  object: "list";
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/**
 * What every `list()` returns: awaited, the first page; iterated with `for await`, every item of
 * every page, fetched a page at a time as the loop goes.
 */
export class PageIterator<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  private first: Promise<Page<T>> | undefined;

  constructor(private readonly fetchPage: (after: string | undefined) => Promise<Page<T>>) {}

  // biome-ignore lint/suspicious/noThenProperty: awaiting a list gives its first page, by design.
  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.first ??= this.fetchPage(undefined);
    return this.first.then(onFulfilled, onRejected);
  }

  catch<B = never>(
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<Page<T> | B> {
    return this.then(undefined, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let after: string | undefined;
    do {
      const page = await this.fetchPage(after);
      yield* page.data;
      after = page.hasMore && page.nextCursor ? page.nextCursor : undefined;
    } while (after);
  }

  /** Every item of every page, in one array: for lists you know to be short. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}

export type ListOptions<P> = P & CallOptions;

/** The list at `path`: its query, and the call options every page is fetched with. */
export function listAt<T>(
  transport: Transport,
  path: string,
  { signal, timeoutMs, maxRetries, ...query }: ListOptions<{ after?: string }>,
): PageIterator<T> {
  return new PageIterator<T>((after) =>
    transport.json<Page<T>>({
      method: "GET",
      path,
      query: { ...query, after: after ?? query.after },
      ...(signal && { signal }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(maxRetries !== undefined && { maxRetries }),
    }),
  );
}
