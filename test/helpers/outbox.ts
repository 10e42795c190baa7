import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parseMail } from "./mime.js";

/** The messages written to a data directory's outbox, oldest first. */
export async function outboxEmails(
  dataDir: string,
): Promise<{ to: string; subject: string; raw: string }[]> {
  const dir = path.join(dataDir, "outbox");
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".eml"))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(path.join(dir, file), "utf8");
      const header = (name: string) =>
        new RegExp(`^${name}: (.*)$`, "mi").exec(raw)?.[1]?.trim() ?? "";
      return { to: header("To"), subject: header("Subject"), raw };
    }),
  );
}

export async function outboxSms(dataDir: string): Promise<{ to: string; text: string }[]> {
  const dir = path.join(dataDir, "outbox", "sms");
  const files = (await readdir(dir).catch(() => [] as string[])).sort();
  return Promise.all(
    files.map(async (file) => JSON.parse(await readFile(path.join(dir, file), "utf8"))),
  );
}

/** The 6-digit code of the latest email sent to `to`. */
export async function latestCode(dataDir: string, to: string): Promise<string> {
  const mine = (await outboxEmails(dataDir)).filter((m) => m.to.includes(to));
  const last = mine.at(-1);
  const code = last && /\b(\d{6})\b/.exec(parseMail(last.raw).text)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}
