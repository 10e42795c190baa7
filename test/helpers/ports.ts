import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * The kernel's ephemeral range: where `listen(0)` and outgoing connections take their ports.
 * A port told to a child process is chosen below it, so that no test's receiver or client can
 * take it between the choice and the child's `listen` (that race once made another file's webhook
 * receiver answer a child's health check).
 */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/);
    const start = Number(low);
    if (Number.isInteger(start) && start > 11_000) return start;
  } catch {
    // Not Linux: the IANA range's start.
  }
  return 49_152;
}

const FIRST = 10_000;
const END = ephemeralStart();

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 right now, for a process that must be told its port. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = FIRST + Math.floor(Math.random() * (END - FIRST));
    if (await listensOn(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and ${END}`);
}
