import { decodeBase64url, encodeBase64url } from '../../src/core/base64url.js';

/** ℓ, the order of the ed25519 base point (RFC 8032 §5.1). */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

function bigintToLe(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The same signature with S replaced by S + ℓ: equal modulo ℓ, refused by strict RFC 8032. */
export function withSPlusL(sig: Uint8Array): Uint8Array {
  const out = new Uint8Array(sig);
  out.set(bigintToLe(leToBigint(sig.subarray(32)) + L, 32), 32);
  return out;
}

export function sPlusLBase64url(sig: string): string {
  const bytes = decodeBase64url(sig, 64);
  if (bytes === undefined) throw new Error('not a 64-byte base64url signature');
  return encodeBase64url(withSPlusL(bytes));
}

/** S as an integer (little-endian second half of the signature). */
export function sOf(sig: Uint8Array): bigint {
  return leToBigint(sig.subarray(32));
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const i = bit >> 3;
  out[i] = (out[i] ?? 0) ^ (1 << (bit & 7));
  return out;
}
