// Big enough for any page but the longest: UTF-8 takes at most three bytes per UTF-16 unit.
const scratch = Buffer.allocUnsafeSlow(1 << 18);

/**
 * The text's UTF-8 bytes, in one pass over it. `Buffer.from` passes twice — it measures the
 * length, then encodes — and a page's text is a string of many pieces in two-byte form (any `€`
 * makes it so), slow to walk: written into a buffer that is surely big enough, then copied out at
 * its size, it takes a quarter less time (measured on the balance page, 10 → 7.5 µs).
 */
export function utf8(text: string): Buffer<ArrayBuffer> {
  if (text.length * 3 > scratch.length) return Buffer.from(text);
  const length = scratch.write(text);
  const bytes = Buffer.allocUnsafe(length);
  scratch.copy(bytes, 0, 0, length);
  return bytes;
}
