// Colour contrast as WCAG 2.x defines it: shared by the API, which refuses an accent colour too
// light to read, and the dashboard, which says so while the colour is being chosen.

/** The colour of our own buttons and links, when an account sets none. */
export const DEFAULT_ACCENT = "#1746c2";
/** WCAG AA for normal text: white on the accent (buttons), the accent on white (links). */
export const MIN_CONTRAST = 4.5;

/** Relative luminance of an sRGB colour written `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours written `#rrggbb`, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
