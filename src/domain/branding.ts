import { contrastRatio, MIN_CONTRAST } from "./contrast.js";
import { CertyneoError } from "./errors.js";

/** A logo is shown small: a few hundred kilobytes and pixels are plenty. */
export const LOGO_MAX_BYTES = 200 * 1024;
export const LOGO_MAX_DIMENSION = 2000;

const HEX = /^#[0-9a-fA-F]{6}$/;

/** `#rrggbb`, lower-cased, readable with white text on it: or 422 with what to do. */
export function checkAccentColor(color: string): string {
  if (!HEX.test(color)) {
    throw new CertyneoError(
      "invalid_request",
      "parameter_invalid",
      "accentColor is a colour written #rrggbb, e.g. #1746c2.",
      "accentColor",
    );
  }
  const ratio = contrastRatio(color, "#ffffff");
  if (ratio < MIN_CONTRAST) {
    throw new CertyneoError(
      "unprocessable",
      "accent_color_low_contrast",
      `${color} on white, or white on ${color}, has a contrast of ${ratio.toFixed(2)}:1; buttons and links need ${MIN_CONTRAST}:1 to stay readable. Choose a darker colour.`,
      "accentColor",
    );
  }
  return color.toLowerCase();
}

/** Width and height from a PNG's header, or a JPEG's first frame header; null if neither. */
export function imageSize(
  bytes: Buffer,
): { type: "png" | "jpeg"; width: number; height: number } | null {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (
    bytes.length >= 24 &&
    bytes.subarray(0, 8).equals(PNG) &&
    bytes.toString("latin1", 12, 16) === "IHDR"
  )
    return { type: "png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  // JPEG: walk the segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return {
        type: "jpeg",
        height: bytes.readUInt16BE(at + 5),
        width: bytes.readUInt16BE(at + 7),
      };
    at += 2 + length;
  }
  return null;
}

/**
 * A logo given as a `data:` URL: a PNG or JPEG of at most LOGO_MAX_BYTES and LOGO_MAX_DIMENSION
 * pixels a side (checked from its header, before anything decodes it). Answers the URL as stored.
 */
export function checkLogo(dataUrl: string): string {
  const refuse = (message: string) =>
    new CertyneoError("unprocessable", "logo_invalid", message, "logo");
  const image = logoImage(dataUrl);
  if (!image) throw refuse("The logo is a PNG or JPEG image, as a data:image/png;base64,… URL.");
  const { content: bytes, contentType } = image;
  if (bytes.length > LOGO_MAX_BYTES)
    throw refuse(`The logo is ${bytes.length} bytes; at most ${LOGO_MAX_BYTES} are accepted.`);
  const size = imageSize(bytes);
  if (!size || `image/${size.type}` !== contentType)
    throw refuse(`The logo's bytes are not a ${contentType} image.`);
  if (
    size.width < 1 ||
    size.height < 1 ||
    size.width > LOGO_MAX_DIMENSION ||
    size.height > LOGO_MAX_DIMENSION
  )
    throw refuse(
      `The logo is ${size.width}×${size.height} pixels; at most ${LOGO_MAX_DIMENSION} a side.`,
    );
  return `data:${contentType};base64,${bytes.toString("base64")}`;
}

/** A stored logo's type and bytes (it was checked by `checkLogo` when set); null if unreadable. */
export function logoImage(dataUrl: string): { contentType: string; content: Buffer } | null {
  const match = /^data:(image\/(?:png|jpeg));base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  return match ? { contentType: match[1]!, content: Buffer.from(match[2]!, "base64") } : null;
}
