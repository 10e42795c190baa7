// A piscina thread of bench/background.ts: `@libpdf/core` signing one PDF bare, `count` times a
// task, as the baseline of the sealing throughput with several threads.
import { PDF, type Signer } from "@libpdf/core";
import type { LongTermEvidence } from "../src/pki/evidence.js";
import { loadPlatformPki } from "../src/pki/platform-pki.js";

export interface BareSignTask {
  pdf: Uint8Array;
  /** The platform PKI the main thread created, loaded again here. */
  pki: { dataDir: string; secret: Uint8Array };
  count: number;
}

let loaded: Promise<{ signer: Signer; evidence: LongTermEvidence }> | undefined;

async function load(files: BareSignTask["pki"]) {
  const pki = await loadPlatformPki({
    dataDir: files.dataDir,
    secret: Buffer.from(files.secret),
    organization: "Bench",
    publicUrl: "http://127.0.0.1:3000",
  });
  return { signer: pki.signer, evidence: await pki.evidence() };
}

export default async function signBare({ pdf: bytes, pki, count }: BareSignTask): Promise<void> {
  loaded ??= load(pki);
  const { signer, evidence } = await loaded;
  for (let i = 0; i < count; i++) await signOnce(bytes, signer, evidence);
}

/** `PDF.load` and `sign` at the level the product seals at: the baseline of the sealing. */
export async function signOnce(
  bytes: Uint8Array,
  signer: Signer,
  evidence: LongTermEvidence,
): Promise<void> {
  const pdf = await PDF.load(bytes);
  await pdf.sign({
    signer,
    subFilter: "ETSI.CAdES.detached",
    digestAlgorithm: "SHA-256",
    level: "B-LTA",
    timestampAuthority: evidence.timestampAuthority,
    revocationProvider: evidence.revocation(),
  });
}
