// Signature pictures as the API takes them: a PNG cut to the ink, within the size limit.
/** The largest signature picture accepted from the recipient's disk, before it is reduced. */
const UPLOAD_MAX_BYTES = 5 * 1024 * 1024;
/** The API's limit on the PNG we send, with room for the data: URL's base64. */
const PNG_MAX_CHARS = 1_300_000;

/** The canvas cut to what is drawn on it, with a small margin: the mark fills its field. */
export function trimmed(source) {
  const { width, height } = source;
  const pixels = source.getContext("2d").getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[(y * width + x) * 4 + 3] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  if (right < 0) return null;
  const margin = 4;
  left = Math.max(0, left - margin);
  top = Math.max(0, top - margin);
  right = Math.min(width - 1, right + margin);
  bottom = Math.min(height - 1, bottom + margin);
  const out = document.createElement("canvas");
  out.width = right - left + 1;
  out.height = bottom - top + 1;
  out
    .getContext("2d")
    .drawImage(source, left, top, out.width, out.height, 0, 0, out.width, out.height);
  return out;
}

/** A PNG data: URL the API accepts, reduced until it fits its limit. */
export function pngWithinLimit(canvas) {
  let current = canvas;
  for (;;) {
    const url = current.toDataURL("image/png");
    if (url.length <= PNG_MAX_CHARS || current.width < 50) return url;
    const smaller = document.createElement("canvas");
    smaller.width = Math.floor(current.width * 0.7);
    smaller.height = Math.floor(current.height * 0.7);
    smaller.getContext("2d").drawImage(current, 0, 0, smaller.width, smaller.height);
    current = smaller;
  }
}

/** A photo or scan of a signature: reduced, its paper made transparent, cut to the ink. */
export async function uploadedSignature(file) {
  if (!/^image\/(png|jpeg)$/.test(file.type)) throw new Error("uploadUnreadable");
  if (file.size > UPLOAD_MAX_BYTES) throw new Error("uploadTooLarge");
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("uploadUnreadable");
  }
  const scale = Math.min(1, 1200 / bitmap.width, 600 / bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const data = image.data;
  for (let i = 0; i < data.length; i += 4) {
    const light = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    if (light > 215) data[i + 3] = 0;
  }
  context.putImageData(image, 0, 0);
  const cut = trimmed(canvas);
  if (!cut) throw new Error("uploadUnreadable");
  return pngWithinLimit(cut);
}
