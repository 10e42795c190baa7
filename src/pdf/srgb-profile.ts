/**
 * An ICC (v2.1) display profile of sRGB (IEC 61966-2-1): its primaries adapted to D50 (Bradford)
 * and its tone curve sampled at 1,024 points. What a PDF/A output intent names for the device RGB
 * colours we draw with; made here rather than shipped as a binary file.
 */
export function srgbProfile(): Uint8Array {
  const curve = curveTag(1024, srgbToLinear);
  const tags: [string, Uint8Array][] = [
    ["desc", descriptionTag("sRGB IEC61966-2.1")],
    ["cprt", textTag("No copyright, use freely")],
    ["wtpt", xyzTag(0.9642, 1.0, 0.8249)],
    ["rXYZ", xyzTag(0.4361, 0.2225, 0.0139)],
    ["gXYZ", xyzTag(0.3851, 0.7169, 0.0971)],
    ["bXYZ", xyzTag(0.1431, 0.0606, 0.7141)],
    ["rTRC", curve],
    ["gTRC", curve],
    ["bTRC", curve],
  ];
  // The three tone curves share one tag's bytes, as the format allows.
  const distinct = [...new Set(tags.map(([, data]) => data))];
  const tableSize = 4 + 12 * tags.length;
  const offsets = new Map<Uint8Array, number>();
  let offset = 128 + tableSize;
  for (const data of distinct) {
    offsets.set(data, offset);
    offset += align4(data.length);
  }
  const profile = Buffer.alloc(offset);
  // Header (ICC.1:2001-04, 6.1).
  profile.writeUInt32BE(offset, 0);
  profile.writeUInt32BE(0x02100000, 8); // version 2.1
  profile.write("mntrRGB XYZ ", 12, "latin1");
  for (const [i, value] of [2026, 1, 1, 0, 0, 0].entries())
    profile.writeUInt16BE(value, 24 + 2 * i);
  profile.write("acsp", 36, "latin1");
  profile.writeUInt32BE(0, 64); // perceptual
  writeXyz(profile, 68, 0.9642, 1.0, 0.8249); // the PCS illuminant, D50
  // Tag table.
  profile.writeUInt32BE(tags.length, 128);
  for (const [i, [signature, data]] of tags.entries()) {
    const at = 132 + 12 * i;
    profile.write(signature, at, "latin1");
    profile.writeUInt32BE(offsets.get(data)!, at + 4);
    profile.writeUInt32BE(data.length, at + 8);
  }
  for (const data of distinct) profile.set(data, offsets.get(data)!);
  return new Uint8Array(profile);
}

/** The sRGB transfer function, from encoded value to linear light. */
function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function s15Fixed16(value: number): number {
  return Math.round(value * 65536);
}

function writeXyz(buffer: Buffer, at: number, x: number, y: number, z: number): void {
  buffer.writeInt32BE(s15Fixed16(x), at);
  buffer.writeInt32BE(s15Fixed16(y), at + 4);
  buffer.writeInt32BE(s15Fixed16(z), at + 8);
}

function xyzTag(x: number, y: number, z: number): Uint8Array {
  const tag = Buffer.alloc(20);
  tag.write("XYZ ", 0, "latin1");
  writeXyz(tag, 8, x, y, z);
  return tag;
}

function curveTag(points: number, f: (v: number) => number): Uint8Array {
  const tag = Buffer.alloc(12 + 2 * points);
  tag.write("curv", 0, "latin1");
  tag.writeUInt32BE(points, 8);
  for (let i = 0; i < points; i++)
    tag.writeUInt16BE(Math.round(f(i / (points - 1)) * 65535), 12 + 2 * i);
  return tag;
}

function textTag(text: string): Uint8Array {
  const tag = Buffer.alloc(8 + text.length + 1);
  tag.write("text", 0, "latin1");
  tag.write(text, 8, "latin1");
  return tag;
}

/** textDescriptionType: the ASCII description, no Unicode or ScriptCode one. */
function descriptionTag(text: string): Uint8Array {
  const ascii = text.length + 1;
  const tag = Buffer.alloc(12 + ascii + 4 + 4 + 2 + 1 + 67);
  tag.write("desc", 0, "latin1");
  tag.writeUInt32BE(ascii, 8);
  tag.write(text, 12, "latin1");
  return tag;
}
