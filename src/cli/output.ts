import { displayText } from "../domain/user-text.js";

/**
 * Fixed-width columns for terminal listings. Cells hold users' text (account and key names): one
 * visible line each, so that no escape sequence or line break reaches the terminal.
 */
export function table(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((row) => row.map(displayText));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
