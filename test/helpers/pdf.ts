import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PDF } from "@libpdf/core";
import { sealPdf } from "../../src/pdf/seal.js";
import { loadPlatformPki } from "../../src/pki/platform-pki.js";

export type PageSpec = "a4" | "letter" | "legal" | { width: number; height: number };

/** A real PDF with the given pages, each with a line of text. */
export async function makePdf(pages: PageSpec[] = ["a4"]): Promise<Buffer> {
  const pdf = PDF.create();
  for (const [index, spec] of pages.entries()) {
    const page = pdf.addPage(typeof spec === "string" ? { size: spec } : spec);
    page.drawText(`Contrat de prestation - page ${index + 1}`, {
      x: 72,
      y: page.height - 72,
      size: 14,
    });
  }
  return Buffer.from(await pdf.save());
}

/** A PDF whose pages carry /Rotate, as scanners and some editors write them. */
export async function makeRotatedPdf(rotations: (0 | 90 | 180 | 270)[]): Promise<Buffer> {
  const pdf = PDF.create();
  for (const rotation of rotations) {
    const page = pdf.addPage({ size: "a4" });
    page.drawText(`Rotated ${rotation}`, { x: 72, y: 770, size: 14 });
    if (rotation) page.setRotation(rotation);
  }
  return Buffer.from(await pdf.save());
}

export async function makeEncryptedPdf(): Promise<Buffer> {
  const pdf = PDF.create();
  pdf.addPage({ size: "a4" });
  pdf.setProtection({ userPassword: "secret", ownerPassword: "owner" });
  return Buffer.from(await pdf.save());
}

/** Files that are not acceptable PDFs, each with the error code it must get. */
export async function badFiles(): Promise<
  { label: string; bytes: Buffer; status: number; code: string }[]
> {
  const good = await makePdf(["a4", "a4"]);
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
  return [
    { label: "zero bytes", bytes: Buffer.alloc(0), status: 422, code: "document_empty" },
    { label: "random bytes", bytes: random, status: 415, code: "document_not_pdf" },
    {
      label: "a PNG",
      bytes: Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
      status: 415,
      code: "document_not_pdf",
    },
    {
      label: "plain text",
      bytes: Buffer.from("Contrat de prestation\n"),
      status: 415,
      code: "document_not_pdf",
    },
    {
      label: "truncated",
      bytes: good.subarray(0, Math.floor(good.length / 2)),
      status: 422,
      code: "document_corrupt",
    },
    {
      label: "a PDF header followed by garbage",
      bytes: Buffer.concat([Buffer.from("%PDF-1.7\n"), random, Buffer.from("\n%%EOF\n")]),
      status: 422,
      code: "document_corrupt",
    },
    {
      label: "encrypted",
      bytes: await makeEncryptedPdf(),
      status: 422,
      code: "document_encrypted",
    },
  ];
}

/**
 * A PDF sealed (PAdES B-LTA) by another platform: its own root, seal and timestamp authority,
 * made in a directory of its own and forgotten.
 */
export async function sealedElsewhere(organization: string): Promise<Uint8Array> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-other-pki-"));
  try {
    const other = await loadPlatformPki({
      dataDir,
      secret: Buffer.alloc(32, 9),
      organization,
      publicUrl: "https://other.example",
    });
    return await sealPdf(await makePdf(["a4"]), {
      signer: other.signer,
      evidence: await other.evidence(),
      reason: "Sealed elsewhere",
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
