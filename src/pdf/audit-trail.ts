import { type EmbeddedFont, layoutText, PDF, type PDFPage, rgb } from "@libpdf/core";
import { fontBytes } from "./fonts.js";

export interface AuditTrailEvent {
  sequence: number;
  createdAt: string;
  type: string;
  actor: string;
  ip: string | null;
  userAgent: string | null;
  details: string[];
  hash: string;
}

export interface AuditTrailData {
  envelope: {
    id: string;
    subject: string;
    status: string;
    accountName: string;
    accountId: string;
    environment: string;
    createdAt: string;
    sentAt: string | null;
    completedAt: string | null;
  };
  /** Final once the envelope has ended; provisional before, and marked so on every page. */
  final: boolean;
  documents: { name: string; pages: number; originalSha256: string; signedSha256: string | null }[];
  recipients: {
    name: string;
    email: string;
    role: string;
    auth: string;
    status: string;
    actedAt: string | null;
  }[];
  events: AuditTrailEvent[];
  generatedAt: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const MUTED = rgb(0.35, 0.35, 0.35);
const PROVISIONAL = rgb(0.75, 0.1, 0.1);

/** Writes lines top to bottom, starting a new page when one is full. */
class Writer {
  private page!: PDFPage;
  private y = 0;
  pages = 0;

  constructor(
    private readonly pdf: PDF,
    private readonly fonts: Record<"regular" | "bold" | "mono", EmbeddedFont>,
    private readonly header: string,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.pdf.addPage({ width: A4.width, height: A4.height });
    this.pages++;
    this.page.drawText(this.header, {
      x: MARGIN,
      y: A4.height - 30,
      size: 7,
      font: this.fonts.regular,
      color: MUTED,
    });
    this.y = A4.height - MARGIN - 10;
  }

  space(points: number): void {
    this.y -= points;
  }

  text(
    text: string,
    options: {
      size?: number;
      font?: "regular" | "bold" | "mono";
      indent?: number;
      color?: ReturnType<typeof rgb>;
    } = {},
  ): void {
    const size = options.size ?? 9;
    const font = this.fonts[options.font ?? "regular"];
    const indent = options.indent ?? 0;
    const lineHeight = size * 1.35;
    const { lines } = layoutText(text, font, size, A4.width - 2 * MARGIN - indent, lineHeight);
    for (const line of lines) {
      if (this.y - lineHeight < MARGIN) this.newPage();
      this.y -= lineHeight;
      this.page.drawText(line.text, {
        x: MARGIN + indent,
        y: this.y,
        size,
        font,
        ...(options.color && { color: options.color }),
      });
    }
  }

  heading(text: string): void {
    this.space(8);
    this.text(text, { size: 12, font: "bold" });
    this.space(2);
  }
}

/** The envelope's evidence, as a PDF a court or an auditor can read without Certyneo. */
export async function renderAuditTrail(data: AuditTrailData): Promise<Uint8Array> {
  const pdf = PDF.create();
  const fonts = {
    regular: pdf.embedFont(fontBytes("DejaVuSans")),
    bold: pdf.embedFont(fontBytes("DejaVuSans-Bold")),
    mono: pdf.embedFont(fontBytes("DejaVuSansMono")),
  };
  const status = data.final
    ? "FINAL"
    : "PROVISIONAL — the envelope has not ended; this trail will grow";
  const writer = new Writer(pdf, fonts, `Certyneo audit trail · ${data.envelope.id} · ${status}`);
  const { envelope } = data;

  writer.text("Audit trail", { size: 18, font: "bold" });
  writer.text(data.final ? "Final" : "Provisional: the envelope has not ended yet.", {
    size: 10,
    font: "bold",
    ...(!data.final && { color: PROVISIONAL }),
  });
  writer.space(6);
  for (const [label, value] of [
    ["Envelope", envelope.id],
    ["Subject", envelope.subject],
    ["Status", envelope.status],
    ["Account", `${envelope.accountName} (${envelope.accountId})`],
    ["Environment", envelope.environment === "live" ? "live" : "test — not legally binding"],
    ["Created", envelope.createdAt],
    ["Sent", envelope.sentAt ?? "—"],
    ["Completed", envelope.completedAt ?? "—"],
    ["Trail generated", data.generatedAt],
  ] as const) {
    writer.text(`${label}: ${value}`);
  }

  writer.heading("Documents");
  for (const document of data.documents) {
    writer.text(`${document.name} — ${document.pages} page${document.pages === 1 ? "" : "s"}`, {
      font: "bold",
    });
    writer.text(`SHA-256 of the original: ${document.originalSha256}`, {
      font: "mono",
      size: 8,
      indent: 10,
    });
    writer.text(`SHA-256 of the signed file: ${document.signedSha256 ?? "— (not sealed)"}`, {
      font: "mono",
      size: 8,
      indent: 10,
    });
  }

  writer.heading("Recipients");
  for (const recipient of data.recipients) {
    writer.text(`${recipient.name} <${recipient.email}>`, { font: "bold" });
    writer.text(
      `Role: ${recipient.role} · Authentication: ${recipient.auth} · Status: ${recipient.status}${recipient.actedAt ? ` at ${recipient.actedAt}` : ""}`,
      { indent: 10 },
    );
  }

  writer.heading("Events (UTC)");
  for (const event of data.events) {
    writer.space(3);
    writer.text(`#${event.sequence}  ${event.createdAt}  ${event.type}`, { font: "bold" });
    writer.text(`Actor: ${event.actor}${event.ip ? ` · IP: ${event.ip}` : ""}`, { indent: 10 });
    if (event.userAgent) writer.text(`User agent: ${event.userAgent}`, { indent: 10, size: 8 });
    for (const detail of event.details) writer.text(detail, { indent: 10, size: 8 });
    writer.text(`Chain hash: ${event.hash}`, { font: "mono", size: 7, indent: 10, color: MUTED });
  }

  writer.heading("How to check this trail");
  writer.text(
    "Each event's chain hash is SHA-256 of the previous event's hash (64 zeros before the first event), a line feed, and the event's canonical JSON: its fields id, envelopeId, sequence, type, recipientId, actorType, actorId, ip, userAgent, data and createdAt, with object keys sorted at every depth. Changing, removing or reordering any event changes every hash after it. The hashes here must match those Certyneo keeps; the SHA-256 of each signed file must match the file you hold. This PDF is itself sealed with the platform certificate: a PDF reader shows whether it was changed after sealing.",
  );
  return pdf.save({ subsetFonts: true });
}
