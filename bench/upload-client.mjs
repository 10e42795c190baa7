// The uploader of bench/uploads.ts, in its own process: `node bench/upload-client.mjs '<json>'`
// with `url`, `key`, `file` (a PDF on disk), `count` and `concurrency`; uploads the file `count`
// times as multipart/form-data, `concurrency` at a time, and prints each upload's status and
// duration (ms) as one JSON line.

import { readFile } from "node:fs/promises";

const { url, key, file, count, concurrency } = JSON.parse(process.argv[2] ?? "{}");
// The body is built once, as curl -F would send it: the client's own cost stays out of the
// figures (undici's FormData streams a file several times slower than the server reads it).
const boundary = "----certyneo-bench-boundary";
const body = Buffer.concat([
  Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  ),
  await readFile(file),
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);
const uploads = [];
let next = 0;
async function lane() {
  while (next < count) {
    next += 1;
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/documents`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body,
    });
    await response.arrayBuffer();
    uploads.push({ status: response.status, ms: performance.now() - started });
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
process.stdout.write(`${JSON.stringify(uploads)}\n`);
