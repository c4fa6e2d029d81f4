const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url without padding: returns undefined unless `text` is the canonical
 * encoding of exactly `length` bytes (so two spellings of one key cannot both pass).
 */
export function decodeBase64url(text: string, length: number): Uint8Array | undefined {
  if (text.length !== Math.ceil((length * 4) / 3) || !B64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== length || bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
