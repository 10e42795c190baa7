import { type Color, PDF, type PDFPage, rgb } from "@libpdf/core";
import { GENESIS_HASH, type StoredChainedEvent } from "../domain/event-chain.js";
import { displayText, quotedUserText } from "../domain/user-text.js";
import { embedFontChains, type FontChain } from "./fonts.js";
import { makeArchival } from "./pdfa.js";
import { StructureTree } from "./structure-tree.js";

/** A line about an event: the platform's words, and a user's text after them when there is one. */
export interface AuditTrailDetail {
  label: string;
  userText?: string;
}

export interface AuditTrailEvent {
  id: string;
  sequence: number;
  createdAt: string;
  type: string;
  /** Who acted (the platform's words: "recipient rcp_… <email>", "API key key_…"), and a recipient's name. */
  actor: { kind: string; name?: string };
  ip: string | null;
  userAgent: string | null;
  details: AuditTrailDetail[];
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
  /** The events exactly as chained (`events.json`, embedded): what the chain's hashes are of. */
  chain: readonly StoredChainedEvent[];
  generatedAt: string;
  /** The platform's public verification page (`/verify` under `PUBLIC_URL`). */
  verifyUrl: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const MUTED = rgb(0.35, 0.35, 0.35);
const PROVISIONAL = rgb(0.75, 0.1, 0.1);
/** User-supplied values: quoted, oblique and in this colour, never like the platform's lines. */
const USER_INK = rgb(0.04, 0.16, 0.44);
/** Before each line a user's value wraps onto. */
const CONTINUED = "↳";

type FontName = "regular" | "bold" | "mono" | "user";

/** Writes lines top to bottom, starting a new page when one is full. */
class Writer {
  private page!: PDFPage;
  private y = 0;
  pages = 0;
  /** Headings and paragraphs in reading order: the PDF is tagged. */
  readonly structure = new StructureTree();

  constructor(
    private readonly pdf: PDF,
    private readonly fonts: Record<FontName, FontChain>,
    private readonly header: string,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.pdf.addPage({ width: A4.width, height: A4.height });
    this.pages++;
    this.structure.artifact(this.page, () =>
      this.draw(this.header, {
        x: MARGIN,
        y: A4.height - 30,
        size: 7,
        font: "regular",
        color: MUTED,
      }),
    );
    this.y = A4.height - MARGIN - 10;
  }

  /** Every piece of text goes through here. */
  private draw(
    text: string,
    options: { x: number; y: number; size: number; font: FontName; color?: Color | undefined },
  ): void {
    // Run by run: DejaVu for what it has, the fallback (Chinese, Japanese) for the rest.
    let x = options.x;
    for (const run of this.fonts[options.font].runs(text)) {
      this.page.drawText(run.text, {
        x,
        y: options.y,
        size: options.size,
        font: run.font,
        ...(options.color && { color: options.color }),
      });
      x += run.font.widthOfTextAtSize(run.text, options.size);
    }
  }

  private lineHeight(size: number): number {
    return size * 1.35;
  }

  /** Moves to the next line, on a new page when this one is full. */
  private nextLine(size: number): number {
    const lineHeight = this.lineHeight(size);
    if (this.y - lineHeight < MARGIN) this.newPage();
    this.y -= lineHeight;
    return this.y;
  }

  space(points: number): void {
    this.y -= points;
  }

  /** The platform's own words: a paragraph, unless `tag` says it is a heading. */
  text(
    text: string,
    options: { size?: number; font?: FontName; indent?: number; color?: Color; tag?: string } = {},
  ): void {
    const size = options.size ?? 9;
    const font = options.font ?? "regular";
    const indent = options.indent ?? 0;
    const width = A4.width - 2 * MARGIN - indent;
    this.structure.begin(options.tag ?? "P");
    for (const line of this.fonts[font].layout(text, size, width).lines) {
      const y = this.nextLine(size);
      this.structure.marked(this.page, () =>
        this.draw(line.text, { x: MARGIN + indent, y, size, font, color: options.color }),
      );
    }
    this.structure.end();
  }

  /**
   * `Label: “value”`: the label is the platform's; the value, written by a user, is one line of
   * visible text, quoted, oblique and coloured, and wraps under itself, never at the margin. Each
   * line it wraps onto starts with the platform's continuation mark, so that no line of user text
   * can start like one of the platform's, whatever words fall at its start.
   */
  field(label: string, value: string, options: { size?: number; indent?: number } = {}): void {
    const size = options.size ?? 9;
    const x = MARGIN + (options.indent ?? 0);
    const prefix = `${label}: `;
    const valueX = x + this.fonts.regular.widthOfTextAtSize(prefix, size);
    const markX = valueX - this.fonts.regular.widthOfTextAtSize(`${CONTINUED} `, size);
    const width = A4.width - MARGIN - valueX;
    const { lines } = this.fonts.user.layout(quotedUserText(value), size, width);
    this.structure.begin("P");
    for (const [index, line] of lines.entries()) {
      const y = this.nextLine(size);
      this.structure.marked(this.page, () => {
        if (index === 0) this.draw(prefix, { x, y, size, font: "regular" });
        else this.draw(CONTINUED, { x: markX, y, size, font: "regular", color: MUTED });
        this.draw(line.text, { x: valueX, y, size, font: "user", color: USER_INK });
      });
    }
    this.structure.end();
  }

  heading(text: string): void {
    this.space(8);
    this.text(text, { size: 12, font: "bold", tag: "H2" });
    this.space(2);
  }
}

/** The envelope's evidence, as a PDF a court or an auditor can read without Certyneo. */
export async function renderAuditTrail(data: AuditTrailData): Promise<Uint8Array> {
  const pdf = PDF.create();
  const fonts = embedFontChains(pdf, {
    regular: "DejaVuSans",
    bold: "DejaVuSans-Bold",
    mono: "DejaVuSansMono",
    user: "DejaVuSans-Oblique",
  });
  const status = data.final
    ? "FINAL"
    : "PROVISIONAL — the envelope has not ended; this trail will grow";
  const writer = new Writer(pdf, fonts, `Certyneo audit trail · ${data.envelope.id} · ${status}`);
  const { envelope } = data;

  writer.text("Audit trail", { size: 18, font: "bold", tag: "H1" });
  writer.text(data.final ? "Final" : "Provisional: the envelope has not ended yet.", {
    size: 10,
    font: "bold",
    ...(!data.final && { color: PROVISIONAL }),
  });
  writer.space(6);
  writer.text(`Envelope: ${envelope.id}`);
  writer.field("Subject", envelope.subject);
  writer.text(`Status: ${envelope.status}`);
  writer.field("Account", envelope.accountName);
  writer.text(`Account id: ${envelope.accountId}`);
  for (const [label, value] of [
    ["Environment", envelope.environment === "live" ? "live" : "test — not legally binding"],
    ["Created", envelope.createdAt],
    ["Sent", envelope.sentAt ?? "—"],
    ["Completed", envelope.completedAt ?? "—"],
    ["Trail generated", data.generatedAt],
  ] as const) {
    writer.text(`${label}: ${value}`);
  }

  const head = data.chain.at(-1)?.hash ?? GENESIS_HASH;
  writer.text(`Events: ${data.chain.length} · chain head (the last event's hash):`);
  writer.text(head, { font: "mono", size: 8, indent: 10 });

  writer.heading("Documents");
  for (const document of data.documents) {
    writer.space(3);
    writer.field("Document", document.name);
    writer.text(`${document.pages} page${document.pages === 1 ? "" : "s"}`, { indent: 10 });
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
    writer.space(3);
    writer.field("Recipient", recipient.name);
    writer.field("Email", recipient.email, { indent: 10 });
    writer.text(
      `Role: ${recipient.role} · Authentication: ${recipient.auth} · Status: ${recipient.status}${recipient.actedAt ? ` at ${recipient.actedAt}` : ""}`,
      { indent: 10 },
    );
  }

  writer.heading("Events (UTC)");
  for (const event of data.events) {
    writer.space(3);
    writer.text(`#${event.sequence}  ${event.createdAt}  ${event.type}`, { font: "bold" });
    writer.text(`Event id: ${event.id}`, { font: "mono", size: 7, indent: 10, color: MUTED });
    writer.text(`Actor: ${event.actor.kind}${event.ip ? ` · IP: ${displayText(event.ip)}` : ""}`, {
      indent: 10,
    });
    if (event.actor.name !== undefined)
      writer.field("Actor's name", event.actor.name, { indent: 10, size: 8 });
    if (event.userAgent) writer.field("User agent", event.userAgent, { indent: 10, size: 8 });
    for (const detail of event.details) {
      if (detail.userText === undefined) writer.text(detail.label, { indent: 10, size: 8 });
      else writer.field(detail.label, detail.userText, { indent: 10, size: 8 });
    }
    writer.text(`Chain hash: ${event.hash}`, { font: "mono", size: 7, indent: 10, color: MUTED });
  }

  writer.heading("How to check this trail");
  writer.text(
    "Each event's chain hash is SHA-256 of the previous event's hash (64 zeros before the first event), a line feed, and the event's canonical JSON: its fields id, envelopeId, sequence, type, recipientId, actorType, actorId, ip, userAgent, data and createdAt, with object keys sorted at every depth. Changing, removing or reordering any event changes every hash after it. The hashes here must match those Certyneo keeps; the SHA-256 of each signed file must match the file you hold. This PDF is itself sealed with the platform certificate: a PDF reader shows whether it was changed after sealing.",
  );
  writer.text(
    "The events are attached to this PDF as they were chained (events.json, inside the sealed bytes): Certyneo's verify-audit-trail.mjs (docs/ of its source; Node.js alone) recomputes every hash from this file and prints the chain head above.",
  );
  writer.text(
    `Anyone can also check this PDF and the signed documents at ${data.verifyUrl}: the page tells whether this platform sealed a file, whether it changed since, for which envelope and signers, and recomputes this trail's attached chain.`,
  );
  pdf.addAttachment("events.json", Buffer.from(`${JSON.stringify(data.chain, null, 2)}\n`), {
    description: "The envelope's events, exactly as hash-chained",
    mimeType: "application/json",
    createdAt: new Date(data.generatedAt),
    modifiedAt: new Date(data.generatedAt),
  });
  writer.structure.write(pdf);
  const archival = makeArchival(pdf, {
    title: `Audit trail of envelope ${envelope.id}`,
    author: "Certyneo",
    subject: `Events, recipients and documents of envelope ${envelope.id} (${status})`,
    language: "en",
    producer: "Certyneo",
    created: new Date(data.generatedAt),
  });
  return pdf.save({ subsetFonts: true, ...archival });
}
