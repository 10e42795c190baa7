import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // Times are printed in UTC whatever the machine's zone, so tests can compare them.
    execFile(command, args, { env: { ...process.env, TZ: "UTC" } }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Writes `bytes` to a temporary file for a command-line validator, and cleans up after. */
export async function withFile<T>(
  bytes: Uint8Array,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-pdf-"));
  try {
    const file = path.join(dir, "document.pdf");
    await writeFile(file, bytes);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Poppler's pdftotext: the text a reader copies out of the file (`flags` such as `-layout`). */
export function pdftotext(bytes: Uint8Array, ...flags: string[]): Promise<string> {
  return withFile(bytes, async (file) => (await run("pdftotext", [...flags, file, "-"])).output);
}

/** Poppler's pdfsig: what any reader built on NSS says of the signatures. */
export function pdfsig(bytes: Uint8Array, nssDir?: string): Promise<string> {
  return withFile(
    bytes,
    async (file) =>
      (await run("pdfsig", [...(nssDir ? ["-nssdir", `sql:${nssDir}`] : []), file])).output,
  );
}

export interface SignatureStructure {
  field: string;
  type: string;
  subFilter: string;
  M: string | null;
  widgetInAnnots: boolean;
  certifies: boolean;
  transforms: { method: string; P: number | null; V: string | null }[];
  signedAttributes: string[];
  unsignedAttributes: string[];
  /** SHA-256 (hex) of the bytes its /ByteRange covers: what a document timestamp imprints. */
  rangeDigest: string;
  /** SHA-256 (hex) of the CMS signature value: what a signature timestamp imprints. */
  signatureValueDigest: string;
  coversWholeFile: boolean;
}

export interface PdfSignatures {
  signatures: SignatureStructure[];
  perms: boolean;
  dss: { certs: number; crls: number; ocsps: number };
}

/**
 * The signatures of a PDF as pikepdf and asn1crypto read them (Debian's python3, independent of
 * our code): `helpers/signature-structure.py`. With `dumpDir`, the CMS of each signature
 * (`sig-N.der`), its timestamp token (`sig-N-tst.der`) and the DSS's certificates and CRLs
 * (`dss-certs-N.der`, `dss-crls-N.der`) are written there.
 */
export function signatureStructure(bytes: Uint8Array, dumpDir?: string): Promise<PdfSignatures> {
  return withFile(bytes, async (file) => {
    const script = fileURLToPath(new URL("./signature-structure.py", import.meta.url));
    const { code, output } = await run("/usr/bin/python3", [
      script,
      file,
      ...(dumpDir ? [dumpDir] : []),
    ]);
    if (code !== 0) throw new Error(output);
    return JSON.parse(output);
  });
}

/**
 * What makes a PDF archival (PDF/A-3b: XMP identification and its agreement with the document
 * information, the output intent's ICC profile checked against LittleCMS's sRGB, associated files,
 * embedded fonts) and tagged (its structure elements in order), as pikepdf and Pillow read them:
 * `helpers/archival-structure.py`.
 */
export function archivalStructure(bytes: Uint8Array): Promise<any> {
  return withFile(bytes, async (file) => {
    const script = fileURLToPath(new URL("./archival-structure.py", import.meta.url));
    const { code, output } = await run("/usr/bin/python3", [script, file]);
    if (code !== 0) throw new Error(output);
    return JSON.parse(output);
  });
}

/**
 * `openssl ts -verify` of both timestamps of a B-LTA seal that `signatureStructure` dumped to
 * `dumpDir`: the signature's token over its signature value, the document timestamp over the
 * bytes it covers. Answers OpenSSL's output for each, to match "Verification: OK" against.
 */
export async function verifyTimestamps(
  dumpDir: string,
  { signatures }: PdfSignatures,
  trust: { caFile: string; untrusted?: string },
): Promise<string[]> {
  const [seal, documentTimestamp] = signatures;
  const checks: [string, string][] = [
    ["sig-0-tst.der", seal!.signatureValueDigest],
    ["sig-1.der", documentTimestamp!.rangeDigest],
  ];
  return Promise.all(
    checks.map(async ([token, digest]) => {
      const verified = await run("openssl", [
        "ts",
        "-verify",
        "-token_in",
        "-in",
        path.join(dumpDir, token),
        "-digest",
        digest,
        "-CAfile",
        trust.caFile,
        ...(trust.untrusted ? ["-untrusted", trust.untrusted] : []),
      ]);
      return `${token}: ${verified.output}`;
    }),
  );
}

export function qpdfCheck(bytes: Uint8Array): Promise<{ code: number; output: string }> {
  return withFile(bytes, (file) => run("qpdf", ["--check", file]));
}

/** An NSS database that trusts `rootPem`, as a user who imported the root would have. */
export async function nssTrusting(
  rootPem: string,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "certyneo-nss-"));
  const root = path.join(dir, "root.pem");
  await writeFile(root, rootPem);
  await run("certutil", ["-N", "-d", `sql:${dir}`, "--empty-password"]);
  const added = await run("certutil", [
    "-A",
    "-d",
    `sql:${dir}`,
    "-n",
    "certyneo-root",
    // Trusted to sign documents (the email/document column) only: never TLS servers, never code.
    "-t",
    ",C,",
    "-i",
    root,
  ]);
  if (added.code !== 0) throw new Error(added.output);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export { run };
