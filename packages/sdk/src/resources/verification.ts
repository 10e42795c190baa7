import type { CallOptions, Transport } from "../transport.js";
import type { Verification } from "../types.js";
import { type UploadSource, uploadBody } from "../upload.js";

/** What a PDF proves: anyone may ask, without an API key. */
export class Verifier {
  constructor(private readonly transport: Transport) {}

  /**
   * Checks a PDF (a path in Node, bytes, a Blob or File, or a stream) against this platform: its
   * signatures and timestamps, whether the platform sealed it and nothing changed since, for
   * which envelope and signers, its PAdES level. The server keeps nothing.
   */
  async verify(file: UploadSource, options: CallOptions = {}): Promise<Verification> {
    const { body, contentType } = await uploadBody(file, undefined);
    return this.transport.json({
      method: "POST",
      path: "/api/v1/verify",
      body,
      apiKey: false,
      ...(contentType && { contentType }),
      ...options,
    });
  }
}
