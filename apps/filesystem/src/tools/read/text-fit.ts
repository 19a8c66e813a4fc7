/** Bytes `value` takes as JSON. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Bytes `text` takes inside a JSON string, escapes included, quotes excluded. */
export const jsonTextBytes = (text: string): number => jsonBytes(text) - 2;

/**
 * Where to cut `bytes[0, end)` so that no UTF-8 character is split: before a trailing lead byte
 * whose continuation bytes lie beyond `end`. Invalid sequences are left to the decoder.
 */
export function utf8Boundary(bytes: Uint8Array, end: number): number {
  let start = end - 1;
  while (start >= 0 && end - start <= 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start -= 1;
  if (start < 0 || end - start > 4) return end;
  const lead = bytes[start] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > end ? start : end;
}

/** The longest prefix of `text` whose JSON string body takes at most `maxBytes`, never splitting a surrogate pair. */
export function fitText(text: string, maxBytes: number): string {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonTextBytes(text.slice(0, middle)) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  const code = text.charCodeAt(low - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? low - 1 : low);
}
