import type { CopyOut } from "../db/copy-out.js";
import { SHA256_HEX } from "./blob-store.js";

/**
 * The rows of `COPY (SELECT seq, data FROM stored_blob_chunks …) TO STDOUT (FORMAT binary)`, in
 * PostgreSQL's binary copy format: a signature, flags and a header extension; then each row as
 * its field count and each field as its length and its bytes; a count of -1 ends it. Each `data`
 * is a view into `output`, not a copy.
 */

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

export class CopyFormatError extends Error {}

export function chunkRows(output: Buffer): { seq: number; data: Buffer }[] {
  let at = 0;
  const take = (n: number): Buffer => {
    if (n < 0 || at + n > output.length) throw new CopyFormatError("the COPY output is cut short");
    at += n;
    return output.subarray(at - n, at);
  };
  if (!take(SIGNATURE.length).equals(SIGNATURE))
    throw new CopyFormatError("not PostgreSQL's binary COPY format");
  take(4); // flags
  take(take(4).readUInt32BE(0)); // header extension
  const rows: { seq: number; data: Buffer }[] = [];
  for (;;) {
    const fields = take(2).readInt16BE(0);
    if (fields === -1) return rows;
    if (fields !== 2) throw new CopyFormatError(`a row of ${fields} fields, not (seq, data)`);
    if (take(4).readInt32BE(0) !== 4) throw new CopyFormatError("seq is not an integer");
    const seq = take(4).readInt32BE(0);
    rows.push({ seq, data: take(take(4).readInt32BE(0)) });
  }
}

/** The bytes of chunk `seq` of the stored file `sha256`, copied out as bytes (not hex text). */
export async function copyChunk(
  copyOut: CopyOut,
  sha256: string,
  seq: number,
): Promise<Buffer | undefined> {
  // The hash and the number are written in the statement (COPY takes no parameters): checked.
  if (!SHA256_HEX.test(sha256) || !Number.isSafeInteger(seq)) return undefined;
  const rows = chunkRows(
    await copyOut(
      `copy (select seq, data from stored_blob_chunks where sha256 = '${sha256}' and seq = ${seq}) to stdout (format binary)`,
    ),
  );
  return rows[0]?.data;
}
