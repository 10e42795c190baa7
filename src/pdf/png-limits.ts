import { crc32, inflateSync } from "node:zlib";

/**
 * Bounded checks of a PNG before anything decodes it. A PNG of a few hundred kilobytes can declare
 * an image of gigabytes, or carry a zlib stream that inflates a thousandfold: decoding first and
 * asking questions afterwards lets one request take seconds of the main thread and hundreds of
 * megabytes. Here the chunk structure is read and checked (signature, IHDR first and well formed,
 * chunk CRCs, a bounded number of chunks, IEND last), the declared size is compared with the
 * limits, and only then is the image data inflated, with an output bound: it may not inflate to
 * more than its declared dimensions. Pure computation on the bytes given, no I/O.
 */

export interface PngLimits {
  /** Largest accepted width, and height, in pixels. */
  readonly maxDimension: number;
  /** Largest decoded image (width × height × bytes per decoded pixel), in bytes. */
  readonly maxDecodedBytes: number;
  /** Largest total of compressed image data (all IDAT chunks), in bytes. */
  readonly maxCompressedBytes: number;
  /** Most chunks in the file, IHDR and IEND included. */
  readonly maxChunks: number;
}

export const DEFAULT_PNG_LIMITS: PngLimits = {
  maxDimension: 4000,
  maxDecodedBytes: 16 * 1024 * 1024,
  maxCompressedBytes: 1024 * 1024,
  maxChunks: 1000,
};

/**
 * The most any configuration may allow: the sealing step re-checks every image against these, so
 * that it never decodes an image beyond them, whatever was configured when it was accepted.
 */
export const PNG_HARD_LIMITS: PngLimits = {
  maxDimension: 10_000,
  maxDecodedBytes: 64 * 1024 * 1024,
  maxCompressedBytes: 16 * 1024 * 1024,
  maxChunks: 10_000,
};

export interface PngFacts {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  /** Width × height × bytes per decoded pixel. */
  readonly decodedBytes: number;
}

/** `too_large`: a limit refused it; `invalid`: it is not a well-formed PNG we can draw. */
export class PngRejectedError extends Error {
  constructor(
    readonly reason: "invalid" | "too_large",
    message: string,
  ) {
    super(message);
    this.name = "PngRejectedError";
  }
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bit depths the PNG specification allows for each colour type. */
const BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Samples per pixel in the file (a palette index is one sample). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Bytes of one decoded pixel per 8-bit sample: a palette image is expanded to RGB plus alpha. */
const DECODED_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 4, 4: 2, 6: 4 };
const MAX_UINT31 = 2 ** 31 - 1;

function invalid(message: string): PngRejectedError {
  return new PngRejectedError("invalid", message);
}

function tooLarge(message: string): PngRejectedError {
  return new PngRejectedError("too_large", message);
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/**
 * Checks `bytes` against `limits` and returns what it declares; throws `PngRejectedError`
 * otherwise. The work done is linear in the size of `bytes` plus at most the size the image
 * declares, which the limits bound.
 */
export function checkPng(bytes: Uint8Array, limits: PngLimits = DEFAULT_PNG_LIMITS): PngFacts {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw invalid("The image is not a PNG (no PNG signature).");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = SIGNATURE.length;
  let chunks = 0;
  let header: { width: number; height: number; bitDepth: number; colourType: number } | undefined;
  let palette = false;
  let compressedBytes = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (offset < bytes.length) {
    if (ended) throw invalid("The PNG has data after its IEND chunk.");
    if (++chunks > limits.maxChunks) {
      throw tooLarge(`The PNG has more than ${limits.maxChunks} chunks.`);
    }
    if (offset + 12 > bytes.length) throw invalid("The PNG is truncated (a chunk is cut short).");
    const length = view.getUint32(offset);
    if (length > MAX_UINT31 || offset + 12 + length > bytes.length) {
      throw invalid("The PNG is truncated (a chunk is longer than the file).");
    }
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw invalid("The PNG has a chunk with an invalid type.");
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const stored = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== stored) {
      throw invalid(`The PNG is damaged (the CRC of its ${type} chunk does not match).`);
    }
    offset += 12 + length;
    if (chunks === 1) {
      if (type !== "IHDR") throw invalid("The PNG does not start with its IHDR chunk.");
      header = readHeader(data, limits);
      continue;
    }
    switch (type) {
      case "IHDR":
        throw invalid("The PNG has more than one IHDR chunk.");
      case "PLTE":
        if (length === 0 || length % 3 !== 0 || length > 256 * 3 || palette || idat.length > 0) {
          throw invalid("The PNG has an invalid palette (PLTE chunk).");
        }
        palette = true;
        break;
      case "IDAT":
        compressedBytes += length;
        if (compressedBytes > limits.maxCompressedBytes) {
          throw tooLarge(
            `The PNG's compressed image data is larger than ${mib(limits.maxCompressedBytes)}.`,
          );
        }
        idat.push(data);
        break;
      case "IEND":
        if (length !== 0) throw invalid("The PNG's IEND chunk is not empty.");
        ended = true;
        break;
      default:
        // A critical chunk (upper-case first letter) we do not know cannot be skipped safely.
        if (type.charCodeAt(0) < 0x61) throw invalid(`The PNG has an unknown ${type} chunk.`);
    }
  }
  if (!header) throw invalid("The PNG has no IHDR chunk.");
  if (!ended) throw invalid("The PNG is truncated (no IEND chunk).");
  if (idat.length === 0) throw invalid("The PNG has no image data (IDAT chunk).");
  const { width, height, bitDepth, colourType } = header;
  if (colourType === 3 && !palette) throw invalid("The PNG is indexed but has no palette.");
  const rowBytes = 1 + Math.ceil((width * SAMPLES[colourType]! * bitDepth) / 8);
  const rawBytes = height * rowBytes;
  let raw: Buffer;
  try {
    // One byte more than the image needs: enough to tell "exactly right" from "too much".
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: rawBytes + 1 });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw invalid("The PNG's image data inflates to more than its dimensions declare.");
    }
    throw invalid("The PNG's image data is not a valid zlib stream.");
  }
  if (raw.length !== rawBytes) {
    throw invalid(
      raw.length < rawBytes
        ? "The PNG's image data is shorter than its dimensions declare."
        : "The PNG's image data inflates to more than its dimensions declare.",
    );
  }
  for (let row = 0; row < height; row++) {
    if (raw[row * rowBytes]! > 4) throw invalid("The PNG has a row with an unknown filter type.");
  }
  return {
    width,
    height,
    bitDepth,
    colourType,
    decodedBytes: width * height * DECODED_CHANNELS[colourType]! * (bitDepth === 16 ? 2 : 1),
  };
}

function readHeader(
  data: Uint8Array,
  limits: PngLimits,
): { width: number; height: number; bitDepth: number; colourType: number } {
  if (data.length !== 13) throw invalid("The PNG's IHDR chunk is not 13 bytes long.");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth, colourType, compression, filter, interlace] = data.subarray(8, 13);
  if (width === 0 || height === 0 || width > MAX_UINT31 || height > MAX_UINT31) {
    throw invalid(`The PNG declares an invalid size (${width}×${height}).`);
  }
  const depths = BIT_DEPTHS[colourType!];
  if (!depths) throw invalid(`The PNG has an invalid colour type (${colourType}).`);
  if (!depths.includes(bitDepth!)) {
    throw invalid(`The PNG has an invalid bit depth (${bitDepth}) for colour type ${colourType}.`);
  }
  if (compression !== 0 || filter !== 0) {
    throw invalid("The PNG declares an unknown compression or filter method.");
  }
  if (interlace !== 0) {
    throw invalid(
      interlace === 1
        ? "Interlaced PNG images are not supported: save the image without interlacing."
        : `The PNG has an invalid interlace method (${interlace}).`,
    );
  }
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw tooLarge(
      `The image is ${width}×${height} pixels; each side may be at most ${limits.maxDimension} pixels.`,
    );
  }
  const decoded = width * height * DECODED_CHANNELS[colourType!]! * (bitDepth === 16 ? 2 : 1);
  if (decoded > limits.maxDecodedBytes) {
    throw tooLarge(
      `The image is ${width}×${height} pixels, ${mib(decoded)} decoded; the limit is ${mib(limits.maxDecodedBytes)}.`,
    );
  }
  return { width, height, bitDepth: bitDepth!, colourType: colourType! };
}
