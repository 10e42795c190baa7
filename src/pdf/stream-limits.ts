import { constants, createUnzip, unzipSync } from "node:zlib";

/**
 * How much the compressed streams of a PDF expand, measured before the parser inflates them.
 *
 * @libpdf/core inflates (pako, without an output bound, twice on a damaged stream) the
 * cross-reference streams when it loads a file, and every object stream holding an object it
 * reads (the catalog and page tree at load; every reachable object when `PDF.merge` and a full
 * save copy a document; every object stream when it rebuilds a broken cross-reference table),
 * and keeps the inflated object streams for as long as the document is open. A few hundred
 * kilobytes of deflated zeros are hundreds of megabytes there. Page content, fonts and images are
 * not decoded when Certyneo stamps, merges or seals (their bytes are copied as they are), so only
 * the structural streams are measured: streams whose dictionary says `/Type /ObjStm` or
 * `/Type /XRef`, or has a `/W` array (the parser reads a cross-reference stream without /Type).
 *
 * Each one is decoded here with the filters the parser would apply (Flate streamed through
 * node:zlib in its gzip-or-zlib mode, since pako detects either and reads on past a gzip member;
 * LZW, RunLength, ASCIIHex, ASCII85 bounded in place), counting the output and keeping none of
 * it beyond an intermediate stage of a filter chain, and stopping as soon as a stream or
 * the whole file passes its bound. The scan is linear in the file size: stream keywords and
 * `endstream` positions are found once, and the input decoded across all streams is bounded too.
 */

export interface InflateLimits {
  /** Most bytes one stream may decode to. */
  readonly maxStreamBytes: number;
  /** Most bytes all the measured streams together may decode to. */
  readonly maxTotalBytes: number;
}

/** `limit`: the bound that was passed, in bytes. */
export type InflateVerdict =
  | { readonly exceeded: false }
  | { readonly exceeded: true; readonly limit: number };

class Exceeded extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

const MAX_DICT_DEPTH = 64;
/** An `obj` header is looked for among the last few before a `stream` keyword, no further. */
const MAX_HEADER_CANDIDATES = 8;
const INFLATE_CHUNK = 64 * 1024;
/** Most output inflated in one call, kept for a moment; beyond it, the stream is counted as it flows. */
const SYNC_INFLATE_BYTES = 4 * 1024 * 1024;

/**
 * Whether the structural streams of `bytes` decode to more than `limits` allow. Streams that fail
 * to decode are counted up to the failure and otherwise left to the parser.
 */
export async function checkInflatedSize(
  bytes: Buffer,
  limits: InflateLimits,
): Promise<InflateVerdict> {
  const budget = new Budget(limits, 2 * bytes.length + INFLATE_CHUNK);
  try {
    for (const stream of structuralStreams(bytes)) {
      budget.startStream();
      await decodeChain(bytes.subarray(stream.start, stream.end), stream.filters, budget);
    }
  } catch (error) {
    if (error instanceof Exceeded) return { exceeded: true, limit: error.limit };
    throw error;
  }
  return { exceeded: false };
}

class Budget {
  private streamBytes = 0;
  private totalBytes = 0;
  private inputBytes = 0;

  constructor(
    private readonly limits: InflateLimits,
    private readonly maxInputBytes: number,
  ) {}

  exceeded(): Exceeded {
    return new Exceeded(this.limits.maxTotalBytes);
  }

  startStream(): void {
    this.streamBytes = 0;
  }

  /** Room left for the current stream. */
  get room(): number {
    return Math.min(
      this.limits.maxStreamBytes - this.streamBytes,
      this.limits.maxTotalBytes - this.totalBytes,
    );
  }

  produced(n: number): void {
    this.streamBytes += n;
    this.totalBytes += n;
    if (this.totalBytes > this.limits.maxTotalBytes) throw new Exceeded(this.limits.maxTotalBytes);
    if (this.streamBytes > this.limits.maxStreamBytes) {
      throw new Exceeded(this.limits.maxStreamBytes);
    }
  }

  /** Input read by a decoder: only overlapping (crafted) streams read a byte twice. */
  consumed(n: number): void {
    this.inputBytes += n;
    if (this.inputBytes > this.maxInputBytes) throw this.exceeded();
  }
}

// ---------------------------------------------------------------------------------------------
// Finding the streams

type Value =
  | { kind: "name"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ref"; num: number; gen: number }
  | { kind: "array"; items: Value[] }
  | { kind: "dict"; entries: Map<string, Value> }
  | { kind: "other" };

interface Filter {
  readonly name: string;
  readonly params: Map<string, Value> | undefined;
}

interface FoundStream {
  readonly start: number;
  readonly end: number;
  readonly filters: Filter[];
}

const STREAM = Buffer.from("stream");
const ENDSTREAM = Buffer.from("endstream");
const OBJ = Buffer.from("obj");
const PLAIN_INTEGER_OBJECT =
  /(?<![0-9])(\d+)[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+obj[\0\t\n\f\r ]*\+?(\d+)[\0\t\n\f\r ]+endobj/g;
const LOOSE_MARKER = /\/(?:ObjStm|XRef|W)(?![^\0\t\n\f\r ()<>[\]{}/%])|#/;

function* structuralStreams(bytes: Buffer): Generator<FoundStream> {
  const endstreams = endstreamPositions(bytes);
  let integers: Map<string, number[]> | undefined;
  const headers = objectHeaderEnds(bytes);
  let previousEnd = 0;
  let previousKeyword = -1;
  let header = 0;
  for (let k = bytes.indexOf(STREAM); k !== -1; k = bytes.indexOf(STREAM, k + 6)) {
    if (k > 0 && isRegular(bytes[k - 1]!)) continue;
    if (k + 6 < bytes.length && isRegular(bytes[k + 6]!)) continue;
    let start = k + 6;
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    while (header < headers.length && headers[header]! < k) header++;
    const windowStart = k >= previousEnd ? previousEnd : previousKeyword + 6;
    previousKeyword = k;
    const dict = streamDictionary(bytes, headers, header, windowStart, k);
    let filters: Filter[];
    if (dict) {
      if (!isStructural(dict)) {
        previousEnd = Math.max(previousEnd, firstAfter(endstreams, start) ?? bytes.length);
        continue;
      }
      filters = filterChain(dict);
    } else {
      // Unreadable here, perhaps readable by the parser: measured as deflated if it looks
      // structural (a name escape may hide its type).
      if (!LOOSE_MARKER.test(bytes.toString("latin1", windowStart, k))) continue;
      filters = [{ name: "FlateDecode", params: undefined }];
    }
    // The data the parser reads: /Length bytes if `endstream` follows them, else up to the first
    // `endstream`. An indirect /Length may be any value given to that object in the file (or, in
    // an object stream, anything): every candidate is covered by decoding up to the furthest.
    const candidates = [firstAfter(endstreams, start) ?? bytes.length];
    const length = dict?.get("Length");
    if (length?.kind === "number") {
      if (endstreamAt(bytes, start + length.value)) candidates.push(start + length.value);
    } else if (length?.kind === "ref") {
      // The whole file as text, only for a structural stream with an indirect length.
      integers ??= plainIntegerObjects(bytes.toString("latin1"));
      const values = integers.get(`${length.num} ${length.gen}`);
      if (values) {
        for (const value of values) {
          if (endstreamAt(bytes, start + value)) candidates.push(start + value);
        }
      } else {
        candidates.push(endstreams.at(-1) ?? bytes.length);
      }
    }
    const end = Math.max(...candidates);
    previousEnd = Math.max(previousEnd, end);
    if (filters.length > 0) yield { start, end, filters };
  }
}

function isStructural(dict: Map<string, Value>): boolean {
  const type = dict.get("Type");
  if (type?.kind === "name" && (type.value === "ObjStm" || type.value === "XRef")) return true;
  return dict.get("W")?.kind === "array";
}

/** As the parser reads them: a direct name or array of direct names, and their parameters. */
function filterChain(dict: Map<string, Value>): Filter[] {
  const filter = dict.get("Filter");
  const names =
    filter?.kind === "name"
      ? [filter.value]
      : filter?.kind === "array"
        ? filter.items.flatMap((item) => (item.kind === "name" ? [item.value] : []))
        : [];
  const parms = dict.get("DecodeParms");
  const params =
    parms?.kind === "dict"
      ? [parms.entries]
      : parms?.kind === "array"
        ? parms.items.map((item) => (item.kind === "dict" ? item.entries : undefined))
        : [];
  return names.map((name, i) => ({ name, params: params[i] }));
}

/**
 * The dictionary of the stream whose keyword is at `keyword`: read from the `N G obj` header
 * before it (the last one, or an earlier one if a string of the dictionary holds something like a
 * header), when it ends right before the keyword.
 */
function streamDictionary(
  bytes: Buffer,
  headers: number[],
  before: number,
  windowStart: number,
  keyword: number,
): Map<string, Value> | undefined {
  for (let i = before - 1; i >= Math.max(0, before - MAX_HEADER_CANDIDATES); i--) {
    const from = headers[i]!;
    if (from < windowStart) break;
    const reader = new Reader(bytes, from, keyword);
    try {
      const value = reader.value(0);
      if (value?.kind === "dict" && reader.atEnd()) return value.entries;
    } catch {
      // Not this header.
    }
  }
  return undefined;
}

function plainIntegerObjects(text: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  PLAIN_INTEGER_OBJECT.lastIndex = 0;
  for (let m = PLAIN_INTEGER_OBJECT.exec(text); m !== null; m = PLAIN_INTEGER_OBJECT.exec(text)) {
    const key = `${Number(m[1])} ${Number(m[2])}`;
    const list = found.get(key) ?? [];
    list.push(Number(m[3]));
    found.set(key, list);
  }
  return found;
}

/**
 * Where each `N G obj` header ends (the position after `obj`), in order: every `obj` keyword
 * followed by white-space, a delimiter or the end, and preceded by white-space, digits,
 * white-space and digits. Found with `indexOf`, which skips the bytes of images and fonts far
 * faster than a regular expression walks them.
 */
export function objectHeaderEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let at = bytes.indexOf(OBJ); at !== -1; at = bytes.indexOf(OBJ, at + 3)) {
    const after = at + 3;
    if (after < bytes.length && isRegular(bytes[after]!)) continue;
    let i = at - 1;
    let ok = true;
    for (let part = 0; part < 2 && ok; part++) {
      const spaceEnd = i;
      while (i >= 0 && isWhitespace(bytes[i]!)) i--;
      const digitsEnd = i;
      while (i >= 0 && isDigit(bytes[i]!)) i--;
      ok = i < spaceEnd && digitsEnd < spaceEnd && i < digitsEnd;
    }
    if (ok) ends.push(after);
  }
  return ends;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/**
 * Where each `endstream` keyword starts, in order: each `stream` preceded by `end`. `indexOf`
 * finds a needle of up to six bytes several times faster than a longer one (measured on a 25 MB
 * scan: 9 ms for `stream`, 31 ms for `endstream`), and `stream` cannot overlap itself, so this
 * finds exactly what looking for `endstream` would.
 */
export function endstreamPositions(bytes: Buffer): number[] {
  const found: number[] = [];
  for (let at = bytes.indexOf(STREAM, 3); at !== -1; at = bytes.indexOf(STREAM, at + 6)) {
    if (bytes[at - 3] === 0x65 && bytes[at - 2] === 0x6e && bytes[at - 1] === 0x64) {
      found.push(at - 3);
    }
  }
  return found;
}

/** The first position in the sorted `list` at or after `from`. */
function firstAfter(list: number[], from: number): number | undefined {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]! < from) low = middle + 1;
    else high = middle;
  }
  return list[low];
}

function endstreamAt(bytes: Buffer, at: number): boolean {
  if (!Number.isInteger(at) || at < 0 || at > bytes.length) return false;
  let i = at;
  while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
  return bytes.subarray(i, i + ENDSTREAM.length).equals(ENDSTREAM);
}

/** PDF white-space (ISO 32000 7.2.3). */
export function isWhitespace(byte: number): boolean {
  return (
    byte === 0x20 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x09 ||
    byte === 0x0c ||
    byte === 0x00
  );
}

const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

function isRegular(byte: number): boolean {
  return !isWhitespace(byte) && !DELIMITERS.has(byte);
}

type Token =
  | { type: "dict-start" | "dict-end" | "array-start" | "array-end" | "string" }
  | { type: "name"; value: string }
  | { type: "word"; value: string };

/** Just enough of the PDF object syntax to read a stream dictionary, between two offsets. */
class Reader {
  private buffered: Token[] = [];

  constructor(
    private readonly bytes: Buffer,
    private at: number,
    private readonly end: number,
  ) {}

  atEnd(): boolean {
    return this.buffered.length === 0 && this.peek() === undefined;
  }

  value(depth: number): Value | undefined {
    if (depth > MAX_DICT_DEPTH) throw new Error("too deep");
    const token = this.next();
    if (!token) return undefined;
    switch (token.type) {
      case "dict-start": {
        const entries = new Map<string, Value>();
        for (;;) {
          const key = this.next();
          if (!key) throw new Error("unterminated dictionary");
          if (key.type === "dict-end") return { kind: "dict", entries };
          if (key.type !== "name") throw new Error("not a key");
          const value = this.value(depth + 1);
          if (!value) throw new Error("no value");
          entries.set(key.value, value);
        }
      }
      case "array-start": {
        const items: Value[] = [];
        for (;;) {
          const item = this.peek();
          if (!item) throw new Error("unterminated array");
          if (item.type === "array-end") {
            this.next();
            return { kind: "array", items };
          }
          const value = this.value(depth + 1);
          if (value) items.push(value);
        }
      }
      case "name":
        return { kind: "name", value: token.value };
      case "word": {
        const number = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(token.value) ? Number(token.value) : NaN;
        if (Number.isNaN(number)) return { kind: "other" };
        if (/^\d+$/.test(token.value)) {
          const [gen, r] = [this.peek(0), this.peek(1)];
          if (gen?.type === "word" && /^\d+$/.test(gen.value) && r?.type === "word") {
            if (r.value === "R") {
              this.next();
              this.next();
              return { kind: "ref", num: number, gen: Number(gen.value) };
            }
          }
        }
        return { kind: "number", value: number };
      }
      case "string":
        return { kind: "other" };
      default:
        throw new Error("unexpected token");
    }
  }

  private next(): Token | undefined {
    return this.buffered.shift() ?? this.read();
  }

  private peek(ahead = 0): Token | undefined {
    while (this.buffered.length <= ahead) {
      const token = this.read();
      if (!token) return undefined;
      this.buffered.push(token);
    }
    return this.buffered[ahead];
  }

  private read(): Token | undefined {
    const { bytes, end } = this;
    for (;;) {
      while (this.at < end && isWhitespace(bytes[this.at]!)) this.at++;
      if (this.at >= end) return undefined;
      if (bytes[this.at] !== 0x25) break;
      while (this.at < end && bytes[this.at] !== 0x0a && bytes[this.at] !== 0x0d) this.at++;
    }
    const byte = bytes[this.at]!;
    if (byte === 0x3c && bytes[this.at + 1] === 0x3c) {
      this.at += 2;
      return { type: "dict-start" };
    }
    if (byte === 0x3e && bytes[this.at + 1] === 0x3e) {
      this.at += 2;
      return { type: "dict-end" };
    }
    if (byte === 0x5b || byte === 0x5d) {
      this.at++;
      return { type: byte === 0x5b ? "array-start" : "array-end" };
    }
    if (byte === 0x3c) {
      const close = bytes.subarray(this.at, end).indexOf(0x3e);
      if (close === -1) throw new Error("unterminated hex string");
      this.at += close + 1;
      return { type: "string" };
    }
    if (byte === 0x28) {
      let nesting = 0;
      for (; this.at < end; this.at++) {
        const c = bytes[this.at]!;
        if (c === 0x5c) this.at++;
        else if (c === 0x28) nesting++;
        else if (c === 0x29 && --nesting === 0) {
          this.at++;
          return { type: "string" };
        }
      }
      throw new Error("unterminated string");
    }
    if (byte === 0x2f) {
      let name = "";
      for (this.at++; this.at < end && isRegular(bytes[this.at]!); this.at++) {
        const c = bytes[this.at]!;
        const hex = c === 0x23 ? bytes.toString("latin1", this.at + 1, this.at + 3) : "";
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
          name += String.fromCharCode(Number.parseInt(hex, 16));
          this.at += 2;
        } else {
          name += String.fromCharCode(c);
        }
      }
      return { type: "name", value: name };
    }
    if (!isRegular(byte)) throw new Error("unexpected delimiter");
    const from = this.at;
    while (this.at < end && isRegular(bytes[this.at]!)) this.at++;
    return { type: "word", value: bytes.toString("latin1", from, this.at) };
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding, counted

/** Where a decoder writes: counts everything, keeps it only for the next filter of a chain. */
class Sink {
  private readonly chunks: Buffer[] = [];
  private pending: number[] = [];

  constructor(
    private readonly budget: Budget,
    private readonly keep: boolean,
  ) {}

  chunk(data: Buffer): void {
    this.budget.produced(data.length);
    if (this.keep) this.chunks.push(data);
  }

  run(byte: number, count: number): void {
    this.budget.produced(count);
    if (this.keep) {
      this.flush();
      this.chunks.push(Buffer.alloc(count, byte));
    }
  }

  byte(value: number): void {
    this.budget.produced(1);
    if (this.keep) {
      this.pending.push(value);
      if (this.pending.length >= 4096) this.flush();
    }
  }

  bytes(data: Uint8Array): void {
    this.budget.produced(data.length);
    if (this.keep) {
      this.flush();
      this.chunks.push(Buffer.from(data));
    }
  }

  result(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }

  private flush(): void {
    if (this.pending.length > 0) {
      this.chunks.push(Buffer.from(this.pending));
      this.pending = [];
    }
  }
}

async function decodeChain(data: Buffer, filters: Filter[], budget: Budget): Promise<void> {
  let input = data;
  for (const [index, filter] of filters.entries()) {
    const sink = new Sink(budget, index < filters.length - 1);
    switch (filter.name) {
      case "FlateDecode":
        await inflateCounted(input, sink, budget);
        predictor(filter.params, budget);
        break;
      case "LZWDecode":
        lzw(input, sink, budget, filter.params);
        predictor(filter.params, budget);
        break;
      case "RunLengthDecode":
        runLength(input, sink, budget);
        break;
      case "ASCIIHexDecode":
        asciiHex(input, sink, budget);
        break;
      case "ASCII85Decode":
        ascii85(input, sink, budget);
        break;
      case "DCTDecode":
        // Passed on as it is.
        continue;
      case "CCITTFaxDecode":
        // Expands by parameters the file chooses; never used for an object or xref stream.
        throw budget.exceeded();
      default:
        // The parser refuses it (an unknown filter, or one it does not decode).
        return;
    }
    input = sink.result();
  }
}

async function inflateCounted(data: Buffer, sink: Sink, budget: Budget): Promise<void> {
  // Most streams are small: inflated at once, bounded. Larger, damaged or over the bound: streamed.
  let small: { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
  try {
    small = unzipSync(data, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: Math.max(1, Math.min(budget.room, SYNC_INFLATE_BYTES)),
      info: true,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  } catch {
    small = undefined;
  }
  if (small) {
    budget.consumed(small.engine.bytesWritten);
    sink.chunk(small.buffer);
    return;
  }
  return inflateStreamed(data, sink, budget);
}

function inflateStreamed(data: Buffer, sink: Sink, budget: Budget): Promise<void> {
  return new Promise((resolve, reject) => {
    // A truncated stream yields what it has, as the parser's fallback does.
    const inflate = createUnzip({
      finishFlush: constants.Z_SYNC_FLUSH,
      chunkSize: INFLATE_CHUNK,
    });
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      try {
        budget.consumed(inflate.bytesWritten);
      } catch (exceeded) {
        error ??= exceeded;
      }
      if (error) reject(error);
      else resolve();
    };
    inflate.on("data", (chunk: Buffer) => {
      try {
        sink.chunk(chunk);
      } catch (error) {
        inflate.destroy();
        settle(error);
      }
    });
    inflate.on("end", () => settle());
    // A damaged stream counts up to the damage: the parser's fallback inflates that far too.
    inflate.on("error", () => settle());
    inflate.on("close", () => settle());
    inflate.end(data);
  });
}

/** The predictor keeps a row of the declared width: no wider than a stream may be. */
function predictor(params: Map<string, Value> | undefined, budget: Budget): void {
  const number = (key: string, fallback: number) => {
    const value = params?.get(key);
    return value?.kind === "number" ? value.value : fallback;
  };
  if (number("Predictor", 1) <= 1) return;
  const row = Math.floor(
    (number("Columns", 1) * number("Colors", 1) * number("BitsPerComponent", 8) + 7) / 8,
  );
  if (row > budget.room) throw budget.exceeded();
}

/** LZW as the parser decodes it (9 to 12-bit codes, a 4096-entry table, EarlyChange). */
function lzw(data: Buffer, sink: Sink, budget: Budget, params: Map<string, Value> | undefined) {
  const early = params?.get("EarlyChange");
  const earlyChange = early?.kind === "number" ? early.value : 1;
  const table: Uint8Array[] = [];
  for (let i = 0; i < 256; i++) table.push(Uint8Array.of(i));
  table.push(new Uint8Array(0), new Uint8Array(0));
  let bit = 0;
  let codeLength = 9;
  let nextCode = 258;
  let previous: Uint8Array | null = null;
  const totalBits = data.length * 8;
  try {
    while (bit + codeLength <= totalBits) {
      let code = 0;
      for (let i = 0; i < codeLength; i++, bit++) {
        code = (code << 1) | ((data[bit >> 3]! >> (7 - (bit & 7))) & 1);
      }
      if (code === 257) break;
      if (code === 256) {
        table.length = 258;
        codeLength = 9;
        nextCode = 258;
        previous = null;
        continue;
      }
      let entry: Uint8Array;
      if (code < nextCode) entry = table[code]!;
      else if (code === nextCode && previous !== null) {
        entry = new Uint8Array(previous.length + 1);
        entry.set(previous);
        entry[previous.length] = previous[0]!;
      } else break;
      sink.bytes(entry);
      if (previous !== null && nextCode < 4096) {
        const added = new Uint8Array(previous.length + 1);
        added.set(previous);
        added[previous.length] = entry[0]!;
        table[nextCode++] = added;
        const threshold = earlyChange === 1 ? nextCode : nextCode - 1;
        if (threshold === 512 && codeLength < 10) codeLength = 10;
        else if (threshold === 1024 && codeLength < 11) codeLength = 11;
        else if (threshold === 2048 && codeLength < 12) codeLength = 12;
      }
      previous = entry;
    }
  } finally {
    budget.consumed(Math.ceil(bit / 8));
  }
}

function runLength(data: Buffer, sink: Sink, budget: Budget): void {
  let i = 0;
  try {
    while (i < data.length) {
      const length = data[i++]!;
      if (length === 128) break;
      if (length < 128) {
        const end = Math.min(data.length, i + length + 1);
        sink.bytes(data.subarray(i, end));
        i = end;
      } else {
        sink.run(data[i++] ?? 0, 257 - length);
      }
    }
  } finally {
    budget.consumed(i);
  }
}

function asciiHex(data: Buffer, sink: Sink, budget: Budget): void {
  const end = data.indexOf(0x3e);
  const digits = data.subarray(0, end === -1 ? data.length : end);
  budget.consumed(digits.length);
  let count = 0;
  for (const byte of digits) {
    if ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)) count++;
  }
  const out = Math.ceil(count / 2);
  if (out === 0) return;
  // Hex only halves: decoded (leniently, as the parser does) only when a next filter needs it.
  const hex = digits.toString("latin1").replace(/[^0-9A-Fa-f]/g, "");
  sink.bytes(Buffer.from(hex.length % 2 ? `${hex}0` : hex, "hex"));
}

function ascii85(data: Buffer, sink: Sink, budget: Budget): void {
  let group = 0;
  let count = 0;
  let i = 0;
  try {
    for (; i < data.length; i++) {
      const byte = data[i]!;
      if (byte <= 0x20) continue;
      if (byte === 0x7e) {
        if (data[i + 1] === 0x3e) break;
        continue;
      }
      if (byte === 0x7a) {
        if (count === 0) sink.run(0, 4);
        continue;
      }
      if (byte < 0x21 || byte > 0x75) continue;
      group = group * 85 + (byte - 0x21);
      if (++count === 5) {
        sink.bytes(
          Uint8Array.of(group >>> 24, (group >>> 16) & 255, (group >>> 8) & 255, group & 255),
        );
        group = 0;
        count = 0;
      }
    }
    if (count > 1) {
      for (let j = count; j < 5; j++) group = group * 85 + 84;
      const word = Uint8Array.of(
        group >>> 24,
        (group >>> 16) & 255,
        (group >>> 8) & 255,
        group & 255,
      );
      sink.bytes(word.subarray(0, count - 1));
    }
  } finally {
    budget.consumed(i);
  }
}
