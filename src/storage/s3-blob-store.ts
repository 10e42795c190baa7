import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { GetObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";
import type { ByteRange } from "../domain/byte-range.js";
import { BlobMissingError, type BlobStore, SHA256_HEX, type StagedBlob } from "./blob-store.js";
import type { StagedFile } from "./staging.js";

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every object's key, e.g. `certyneo/` to share a bucket. */
  prefix: string;
  /** A path-style endpoint (`http://host/bucket/key`), as most S3-compatible servers want. */
  forcePathStyle: boolean;
  /** Staging on this host's disk, as every store does. */
  stagingDir: string;
}

interface Sdk {
  s3: typeof import("@aws-sdk/client-s3");
  Upload: typeof import("@aws-sdk/lib-storage").Upload;
  client: S3Client;
}

/** Parts of a multipart upload: the file is read and sent 8 MB at a time, 2 parts at once. */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * Blobs as objects of an S3-compatible bucket, `<prefix>ab/cd/<sha256>`, shared by every host.
 * Staged on local disk like any store, then streamed to the bucket (multipart beyond 8 MB); read
 * as streams, byte ranges included. The endpoint, region and credentials come from the AWS SDK's
 * standard configuration (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, instance roles…).
 */
export class S3BlobStore implements BlobStore {
  private sdk: Promise<Sdk> | undefined;

  constructor(private readonly options: S3BlobStoreOptions) {}

  /**
   * The AWS SDK and a client, loaded at the first operation: the SDK is large, and a thread may
   * hold the store without ever using it (the envelope writer's).
   */
  private loaded(): Promise<Sdk> {
    this.sdk ??= (async () => {
      const [s3, storage] = await Promise.all([
        import("@aws-sdk/client-s3"),
        import("@aws-sdk/lib-storage"),
      ]);
      const client = new s3.S3Client({ forcePathStyle: this.options.forcePathStyle });
      return { s3, Upload: storage.Upload, client };
    })();
    return this.sdk;
  }

  get stagingDir(): string {
    return this.options.stagingDir;
  }

  adopt(staged: StagedFile): StagedBlob {
    return {
      ...staged,
      commit: async () => {
        if (!(await this.exists(staged.sha256))) {
          const { Upload, client } = await this.loaded();
          await new Upload({
            client,
            params: {
              Bucket: this.options.bucket,
              Key: this.key(staged.sha256),
              Body: createReadStream(staged.file),
              ContentType: "application/octet-stream",
            },
            partSize: PART_BYTES,
            queueSize: 2,
          }).done();
        }
        await rm(staged.file, { force: true });
      },
      discard: () => rm(staged.file, { force: true }),
    };
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const { s3, client } = await this.loaded();
    try {
      const object = await client.send(
        new s3.GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(sha256),
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      return object.Body as Readable;
    } catch (error) {
      throw missing(s3, sha256, error);
    }
  }

  async read(sha256: string): Promise<Buffer> {
    const { s3, client } = await this.loaded();
    let object: GetObjectCommandOutput;
    try {
      object = await client.send(
        new s3.GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }),
      );
    } catch (error) {
      throw missing(s3, sha256, error);
    }
    // One buffer of the object's size, filled as its bytes arrive.
    const whole = Buffer.allocUnsafe(object.ContentLength ?? 0);
    let offset = 0;
    for await (const chunk of object.Body as Readable) {
      (chunk as Buffer).copy(whole, offset);
      offset += (chunk as Buffer).length;
    }
    if (offset !== whole.length) throw new Error(`${sha256}: ${offset} of ${whole.length} bytes`);
    return whole;
  }

  async delete(sha256: string): Promise<void> {
    const { s3, client } = await this.loaded();
    await client.send(
      new s3.DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }),
    );
  }

  private async exists(sha256: string): Promise<boolean> {
    const { s3, client } = await this.loaded();
    try {
      await client.send(
        new s3.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }),
      );
      return true;
    } catch (error) {
      if (missing(s3, sha256, error) instanceof BlobMissingError) return false;
      throw error;
    }
  }

  private key(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return `${this.options.prefix}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }
}

function missing(s3: Sdk["s3"], sha256: string, error: unknown): unknown {
  const status =
    error instanceof s3.S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const name = (error as { name?: string }).name;
  return status === 404 || name === "NoSuchKey" || name === "NotFound"
    ? new BlobMissingError(sha256, { cause: error })
    : error;
}
