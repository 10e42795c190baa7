import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { checkDestination } from "../../src/webhooks/address-policy.js";
import { postJson } from "../../src/webhooks/post.js";

describe("posting a webhook to the checked address", () => {
  let port = 0;
  const seen: { host: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      seen.push({ host: req.headers.host, body });
      res.writeHead(req.url === "/moved" ? 302 : 204, { location: "https://elsewhere.example/" });
      res.end();
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("connects to the pinned address, whatever the name would resolve to now", async () => {
    // `.invalid` never resolves (RFC 6761): only the pinned address can be reached.
    const url = new URL(`http://hooks.certyneo.invalid:${port}/hook`);
    const result = await postJson(url, {
      body: '{"ok":true}',
      headers: { "content-type": "application/json" },
      timeoutMs: 2000,
      addresses: [{ address: "127.0.0.1", family: 4 }],
    });
    assert.equal(result.status, 204);
    assert.deepEqual(seen.at(-1), { host: `hooks.certyneo.invalid:${port}`, body: '{"ok":true}' });
    await assert.rejects(
      postJson(url, { body: "{}", headers: {}, timeoutMs: 2000, addresses: null }),
      /ENOTFOUND|EAI_AGAIN/,
      "without pinning, the name is looked up (and here does not resolve)",
    );
  });

  it("reports a redirect without following it", async () => {
    const result = await postJson(new URL(`http://127.0.0.1:${port}/moved`), {
      body: "{}",
      headers: {},
      timeoutMs: 2000,
      addresses: [{ address: "127.0.0.1", family: 4 }],
    });
    assert.deepEqual(result, { status: 302, location: "https://elsewhere.example/" });
  });

  it("gives the addresses to pin, or why the destination is refused", async () => {
    assert.deepEqual(await checkDestination(new URL("https://127.0.0.1/"), false), {
      refused: "the host resolves to a private, loopback or link-local address (127.0.0.1)",
    });
    assert.deepEqual(await checkDestination(new URL("https://93.184.215.14/"), false), {
      addresses: [{ address: "93.184.215.14", family: 4 }],
    });
    assert.deepEqual(await checkDestination(new URL("http://127.0.0.1/"), true), {
      addresses: null,
    });
    assert.deepEqual(await checkDestination(new URL("https://x.certyneo.invalid/"), false), {
      refused: "the host x.certyneo.invalid does not resolve",
    });
  });
});
