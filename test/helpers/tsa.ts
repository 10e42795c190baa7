import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

const CONFIG = `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = $dir/serial
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

export interface TestTsa {
  url: string;
  /** The authority's certificate (PEM), to verify its tokens. */
  certificateFile: string;
  /** While false, the authority answers 503, as one that is down. */
  up: boolean;
  requests: number;
  close(): Promise<void>;
}

/** A local RFC 3161 timestamp authority: `openssl ts -reply` behind a small HTTP server. */
export async function startTestTsa(): Promise<TestTsa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-tsa-"));
  await writeFile(path.join(dir, "tsa.cnf"), CONFIG);
  await writeFile(path.join(dir, "serial"), "01\n");
  await exec(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "tsa.key",
      "-out",
      "tsa.pem",
      "-days",
      "30",
      "-subj",
      "/CN=Certyneo Test TSA",
      "-addext",
      "extendedKeyUsage=critical,timeStamping",
    ],
    { cwd: dir },
  );
  const state = { up: true, requests: 0 };
  let counter = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      state.requests++;
      if (!state.up) {
        response.writeHead(503).end();
        return;
      }
      const id = ++counter;
      try {
        await writeFile(path.join(dir, `q${id}.tsq`), Buffer.concat(chunks));
        await exec(
          "openssl",
          ["ts", "-reply", "-config", "tsa.cnf", "-queryfile", `q${id}.tsq`, "-out", `r${id}.tsr`],
          { cwd: dir },
        );
        const reply = await readFile(path.join(dir, `r${id}.tsr`));
        response.writeHead(200, { "content-type": "application/timestamp-reply" }).end(reply);
      } catch {
        response.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    certificateFile: path.join(dir, "tsa.pem"),
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
    },
    get requests() {
      return state.requests;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
