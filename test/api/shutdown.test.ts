import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { closeServer } from "../../src/http/closing-connections.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * A server with a route whose answer starts at once and ends when the test says: a download
 * still streaming when the server begins to close.
 */
async function serverWithHeldAnswer(): Promise<{ t: TestServer; release: () => void }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const t = await startTestServer({
    beforeListen: (server) => {
      server.get("/test/held", (_request, reply) => {
        const body = new PassThrough();
        void held.then(() => body.end("last bytes"));
        body.write("first bytes, ");
        return reply.type("text/plain").header("content-length", 23).send(body);
      });
    },
  });
  return { t, release };
}

/** A keep-alive client on a socket of its own: what it received, and whether the server closed it. */
function keepAliveClient(url: string, path: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (received += chunk));
  const closedByServer = new Promise<void>((resolve) => socket.on("end", resolve));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
  const until = async (text: string) => {
    while (!received.includes(text)) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { socket, closedByServer, until, received: () => received };
}

/** Fails rather than waiting out the keep-alive timeout (72 s) that the bug would take. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still waiting after 20 s`)), 20_000);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe("closing the server", () => {
  it("closes a keep-alive connection as soon as the answer it was sending is done", async () => {
    const { t, release } = await serverWithHeldAnswer();
    const client = keepAliveClient(t.url, "/test/held");
    try {
      await client.until("first bytes");
      const closing = t.server.close();
      // Node has closed the connections idle by then; this one is still answering.
      while (t.server.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
      // The answer in flight is not cut: the client gets all of it, then the server hangs up.
      release();
      await within(client.closedByServer, "the connection");
      assert.match(client.received(), /^HTTP\/1\.1 200 /);
      assert.match(client.received(), /keep-alive/i, "the answer began as a keep-alive one");
      assert.match(client.received(), /first bytes, .*last bytes/s);
      await within(closing, "the close");
    } finally {
      client.socket.destroy();
      release();
      await t.close();
    }
  });

  it("cuts a connection still answering once the grace period is over (serve's SIGTERM)", async () => {
    const { t, release } = await serverWithHeldAnswer();
    const client = keepAliveClient(t.url, "/test/held");
    try {
      await client.until("first bytes");
      await within(closeServer(t.server, 200), "the close");
      await within(client.closedByServer, "the connection");
      assert.doesNotMatch(client.received(), /last bytes/, "the answer was cut, not finished");
    } finally {
      client.socket.destroy();
      release();
      await t.close();
    }
  });
});
