/** Enough of MIME (RFC 2045–2047) to read what nodemailer writes: parts, encodings, headers. */
export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  to: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
  /** Parts shown inside the HTML (`cid:`), by Content-ID, with the multipart they sit in. */
  inline: { cid: string; contentType: string; content: Buffer; within: string }[];
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : "";
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(part: Part): Buffer {
  const encoding = part.headers.get("content-transfer-encoding")?.toLowerCase();
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64");
  if (encoding === "quoted-printable") {
    const bytes = part.body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    return Buffer.from(bytes, "latin1");
  }
  return Buffer.from(part.body, "utf8");
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) decoded. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            "latin1",
          ).toString("utf8"),
    );
}

function param(header: string | undefined, name: string): string | undefined {
  const match = new RegExp(`${name}\\*?="?([^";]+)"?`, "i").exec(header ?? "");
  return match?.[1] && decodeHeader(match[1]);
}

export function parseMail(raw: string): ParsedMail {
  const top = splitPart(raw);
  const mail: ParsedMail = {
    headers: top.headers,
    subject: decodeHeader(top.headers.get("subject") ?? ""),
    to: top.headers.get("to") ?? "",
    text: "",
    html: "",
    attachments: [],
    inline: [],
  };
  const visit = (part: Part, within = "") => {
    const type = part.headers.get("content-type") ?? "text/plain";
    const boundary = param(type, "boundary");
    if (type.toLowerCase().startsWith("multipart/") && boundary) {
      const sections = part.body.split(`--${boundary}`).slice(1);
      for (const section of sections) {
        if (section.startsWith("--")) break;
        visit(splitPart(section.replace(/^\r?\n/, "")), type.split(";")[0]!.trim());
      }
      return;
    }
    const disposition = part.headers.get("content-disposition") ?? "";
    if (disposition.startsWith("attachment")) {
      mail.attachments.push({
        filename: param(disposition, "filename") ?? param(type, "name") ?? "",
        contentType: type.split(";")[0]!.trim(),
        content: decodeBody(part),
      });
    } else if (part.headers.has("content-id")) {
      mail.inline.push({
        cid: part.headers.get("content-id")!.replace(/^<|>$/g, ""),
        contentType: type.split(";")[0]!.trim(),
        content: decodeBody(part),
        within,
      });
    } else if (type.startsWith("text/html")) mail.html = decodeBody(part).toString("utf8");
    else if (type.startsWith("text/plain")) mail.text = decodeBody(part).toString("utf8");
  };
  visit(top);
  return mail;
}
