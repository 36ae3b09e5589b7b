/**
 * Strict UTF-8 decoding. TextDecoder with `fatal` rejects invalid sequences (overlongs, surrogates,
 * truncated sequences) but does not say where; the slow locator below only runs on that error path.
 */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export type Utf8Result = { ok: true; text: string } | { ok: false; byteOffset: number };

export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  try {
    return { ok: true, text: STRICT_UTF8.decode(bytes) };
  } catch {
    return { ok: false, byteOffset: firstInvalidUtf8Byte(bytes) };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b === 0xe0) [length, min] = [3, 0xa0];
    else if (b === 0xed)
      [length, min, max] = [3, 0x80, 0x9f]; // no UTF-16 surrogates
    else if (b >= 0xe1 && b <= 0xef) [length, min] = [3, 0x80];
    else if (b === 0xf0) [length, min] = [4, 0x90];
    else if (b === 0xf4)
      [length, min, max] = [4, 0x80, 0x8f]; // nothing above U+10FFFF
    else if (b >= 0xf1 && b <= 0xf3) [length, min] = [4, 0x80];
    else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const [lo, hi] = k === 1 ? [min, max] : [0x80, 0xbf];
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += length;
  }
  return bytes.length;
}
