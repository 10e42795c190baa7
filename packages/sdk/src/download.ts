/** A PDF the API sends: read it as bytes, or pipe its stream without holding it in memory. */
export class Download {
  /** The file name the API proposes (Content-Disposition). */
  readonly fileName: string | undefined;
  /** Bytes, when the API says. */
  readonly size: number | undefined;

  constructor(private readonly response: Response) {
    const disposition = response.headers.get("content-disposition") ?? "";
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
    this.fileName = encoded
      ? decodeURIComponent(encoded)
      : /filename="([^"]*)"/i.exec(disposition)?.[1];
    const length = Number(response.headers.get("content-length"));
    this.size = Number.isFinite(length) && length > 0 ? length : undefined;
  }

  /** The bytes as they arrive, once. */
  get body(): ReadableStream<Uint8Array> {
    if (!this.response.body) throw new Error("This download has no body.");
    return this.response.body;
  }

  /** The whole file in memory. */
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.response.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    return this.response.blob();
  }
}
