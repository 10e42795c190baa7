import type { Download } from "../download.js";
import { type ListOptions, listAt } from "../pagination.js";
import type { CallOptions, Transport } from "../transport.js";
import type { DeletedDocument, Document, ListDocumentsParams } from "../types.js";
import { type UploadSource, uploadBody } from "../upload.js";

const path = (id: string) => `/api/v1/documents/${encodeURIComponent(id)}`;

/** PDFs to be signed. */
export class Documents {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads a PDF: a path (Node), bytes, a Blob or File, or a stream. `name` defaults to the
   * file's. A stream cannot be sent twice, so its upload is not retried.
   */
  async upload(
    file: UploadSource,
    { name, ...options }: { name?: string } & CallOptions = {},
  ): Promise<Document> {
    const { body, contentType } = await uploadBody(file, name);
    if (name && body instanceof FormData) body.append("name", name);
    return this.transport.json({
      method: "POST",
      path: "/api/v1/documents",
      body,
      ...(contentType && { contentType }),
      ...options,
    });
  }

  list(options: ListOptions<ListDocumentsParams> = {}) {
    return listAt<Document>(this.transport, "/api/v1/documents", options);
  }

  get(id: string, options: CallOptions = {}): Promise<Document> {
    return this.transport.json({ method: "GET", path: path(id), ...options });
  }

  delete(id: string, options: CallOptions = {}): Promise<DeletedDocument> {
    return this.transport.json({ method: "DELETE", path: path(id), ...options });
  }

  /** The original PDF. */
  async download(id: string, options: CallOptions = {}): Promise<Download> {
    return this.transport.download({ method: "GET", path: `${path(id)}/content`, ...options });
  }
}
