// Reading source files: Python source is UTF-8 (PEP 3120); anything else is refused with a
// clear reason rather than analysed as mojibake.
export class NotUtf8Error extends Error {}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    const text = decoder.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new NotUtf8Error('not valid UTF-8');
  }
}

/** A file with NUL bytes is binary, not Python source. */
export function looksBinary(bytes: Uint8Array): boolean {
  const limit = Math.min(bytes.length, 8000);
  for (let i = 0; i < limit; i++) if (bytes[i] === 0) return true;
  return false;
}
