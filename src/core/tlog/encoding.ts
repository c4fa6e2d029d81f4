import { RegistryError } from '../errors.js';
import { HASH_SIZE } from './hash.js';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Strict standard base64 (RFC 4648 §4, as C2SP signed-note and tlog-checkpoint use it),
 * canonical only, of at most `maxBytes` bytes. Undefined when `text` is anything else; the
 * length is bounded before anything is decoded (attacker-controlled input).
 */
export function decodeBase64(text: string, maxBytes: number): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || text.length > Math.ceil(maxBytes / 3) * 4) {
    return undefined;
  }
  if (!B64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > maxBytes || bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A base64 SHA-256 hash (a checkpoint's root, a proof line); BadRequest naming `what` otherwise. */
export function parseHashBase64(text: string, what: string): Uint8Array {
  const bytes = decodeBase64(text, HASH_SIZE);
  if (bytes === undefined || bytes.length !== HASH_SIZE) {
    throw new RegistryError('BadRequest', `${what}: not the base64 of a 32-byte hash`);
  }
  return bytes;
}

/**
 * "ASCII decimal with no leading zeroes" (tlog-checkpoint, tlog-witness, tlog-proof), within
 * JavaScript's safe integers: a tree size past 2^53 - 1 is refused rather than rounded.
 */
export function parseDecimal(text: string, what: string): number {
  if (text.length > 16 || !DECIMAL.test(text)) {
    throw new RegistryError('BadRequest', `${what}: not a decimal without leading zeroes`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RegistryError('BadRequest', `${what}: too large`);
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes to text, refusing invalid UTF-8 (signed-note: "Signed notes MUST be valid UTF-8"). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new RegistryError('BadRequest', `${what}: not valid UTF-8`);
  }
}

export function bytesOf(text: string): Uint8Array {
  const b = Buffer.from(text, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
