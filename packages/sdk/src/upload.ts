/** What `documents.upload` takes: a file's path (Node), its bytes, a Blob or File, or a stream. */
export type UploadSource =
  | string
  | Blob
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

export interface UploadBody {
  body: FormData | ReadableStream<Uint8Array>;
  contentType?: string;
}

const basename = (path: string) => path.split(/[\\/]/).pop() || "document.pdf";

/**
 * The multipart body of an upload. A path is read by Node as the request goes (`openAsBlob`),
 * a stream is sent as it is read: neither is held in memory whole.
 */
export async function uploadBody(
  source: UploadSource,
  name: string | undefined,
): Promise<UploadBody> {
  if (typeof source === "string") {
    // Node only: a file on disk, read as it is sent.
    // A specifier in a variable: bundlers for the browser leave this Node-only import alone.
    const fs = "node:fs";
    const { openAsBlob } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fs)) as {
      openAsBlob(path: string, options?: { type?: string }): Promise<Blob>;
    };
    const blob = await openAsBlob(source, { type: "application/pdf" });
    return { body: form(blob, name ?? basename(source)) };
  }
  if (source instanceof Blob) {
    const fileName = (source as Partial<File>).name;
    return { body: form(source, name ?? (fileName || "document.pdf")) };
  }
  if (source instanceof Uint8Array)
    return {
      body: form(
        new Blob([source as Uint8Array<ArrayBuffer>], { type: "application/pdf" }),
        name ?? "document.pdf",
      ),
    };
  return streamedForm(source, name ?? "document.pdf");
}

function form(file: Blob, name: string): FormData {
  const data = new FormData();
  data.append("file", file, name);
  return data;
}

/** multipart/form-data written around a stream, as it is read. */
function streamedForm(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  name: string,
): UploadBody {
  const boundary = `certyneo-${globalThis.crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const safeName = name.replace(/["\r\n\\]/g, "_");
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const chunks: AsyncIterable<Uint8Array> =
    source instanceof ReadableStream ? iterate(source) : source;
  const iterator = chunks[Symbol.asyncIterator]();
  let started = false;
  // Pulled as fetch sends it: a chunk is read from the source only when the last one is gone.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
        return;
      }
      const { done, value } = await iterator.next();
      if (!done) {
        controller.enqueue(value);
        return;
      }
      controller.enqueue(tail);
      controller.close();
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
