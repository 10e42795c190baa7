/** Bytes `start` to `end` of a file, both included, as HTTP's `Range` counts them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a `Range` header asks of a file: a range, the whole file (`null`), or nothing it has. */
export type RequestedRange = ByteRange | null | "unsatisfiable";

/**
 * The one range of bytes a `Range` header asks for (RFC 9110, 14.1.2): `bytes=a-b`, `bytes=a-`,
 * `bytes=-n`. Anything else, several ranges included, is answered with the whole file, which the
 * RFC allows; a range that starts past the end is `"unsatisfiable"` (416).
 */
export function requestedRange(header: string, size: number): RequestedRange {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const [first, last] = [match[1]!, match[2]!];
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}
