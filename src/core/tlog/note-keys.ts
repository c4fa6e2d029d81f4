import { createHash } from 'node:crypto';
import { encodeBase64url } from '../base64url.js';
import { RegistryError } from '../errors.js';
import { type SigningKey, signBytes } from '../keys.js';
import { signatureProblem } from '../signature.js';
import { encodeSignerId } from '../signer-id.js';
import { bytesOf, concatBytes, decodeBase64, encodeBase64 } from './encoding.js';

/** signed-note "Signature types": 0x01 Ed25519 over the note text. */
export const SIG_TYPE_ED25519 = 0x01;
/** signed-note / tlog-cosignature: 0x04 timestamped Ed25519 checkpoint cosignatures. */
export const SIG_TYPE_COSIGNATURE = 0x04;

const ED25519_PUBLIC_KEY = 32;
const ED25519_SIGNATURE = 64;

/** One key a note can be checked against (signed-note "Verifier keys"). */
export interface NoteVerifier {
  readonly name: string;
  /** The uint32 key ID, from the first four bytes of each of its signatures (big-endian). */
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
  /** Whether `signature` (the bytes after the key ID) signs `text` (the note text). */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** One key that signs notes: the signature bytes it returns follow the key ID on the line. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/**
 * signed-note "Format": "Key names MUST be non-empty and MUST NOT contain any Unicode spaces
 * or plus (U+002B) characters"; control characters are refused with them (no note may hold
 * one) and names are bounded so a signature line stays small.
 */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_KEY_NAME &&
    !/[\p{White_Space}+]/u.test(name) &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    !/[\u0000-\u001f]/.test(name)
  );
}

export const MAX_KEY_NAME = 256;

/**
 * signed-note "Signatures": "key ID = SHA-256(key name || 0x0A || signature type || public
 * key)[:4]", read as a big-endian uint32.
 */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(bytesOf(name))
    .update(new Uint8Array([0x0a, type]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

export function keyIdBytes(keyId: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, keyId);
  return out;
}

const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/** signed-note "Verifier keys": `<key name>+hex(32-bit key ID)+base64(signature type || public key)`. */
export function encodeVkey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name))
    throw new RegistryError('BadRequest', `invalid note key name ${JSON.stringify(name)}`);
  const material = concatBytes(new Uint8Array([type]), publicKey);
  return `${name}+${hex8(computeKeyId(name, type, publicKey))}+${encodeBase64(material)}`;
}

export interface ParsedVkey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/**
 * Parses a vkey strictly (operator or network input): a valid name, eight lowercase hex
 * digits, and base64 of a type byte with a 32-byte Ed25519 key of type 0x01 or 0x04 ("The key
 * name and ID MUST match those used in the signatures": the ID must be the one the name, type
 * and key give).
 */
export function parseVkey(vkey: string): ParsedVkey {
  // The base64 part may itself hold `+`; the name and the hex ID cannot.
  const first = vkey.length <= MAX_KEY_NAME + 64 ? vkey.indexOf('+') : -1;
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, first + 9);
  const material = vkey.slice(first + 10);
  if (first < 0 || vkey[first + 9] !== '+' || !isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) {
    throw new RegistryError('BadRequest', 'not a vkey (<name>+<hex key ID>+<base64 key>)');
  }
  const bytes = decodeBase64(material, 1 + ED25519_PUBLIC_KEY);
  const type = bytes?.[0];
  if (
    bytes?.length !== 1 + ED25519_PUBLIC_KEY ||
    (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE)
  ) {
    throw new RegistryError('BadRequest', 'vkey: not an Ed25519 (0x01) or cosignature (0x04) key');
  }
  const publicKey = bytes.slice(1);
  const keyId = Number.parseInt(idHex, 16);
  if (keyId !== computeKeyId(name, type, publicKey)) {
    throw new RegistryError('BadRequest', 'vkey: key ID does not match the name and key');
  }
  return { name, keyId, type, publicKey };
}

/**
 * Strict RFC 8032 Ed25519 verification, the same as descriptor signatures (SPEC §2: canonical
 * S, no small-order keys), so a note cannot pass here with bytes a descriptor check refuses.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE || publicKey.length !== ED25519_PUBLIC_KEY) return false;
  const sig = {
    signer_id: encodeSignerId(publicKey),
    alg: 'ed25519',
    sig: encodeBase64url(signature),
    ts: 0,
  };
  return signatureProblem(sig, message) === null;
}

/** signed-note "Ed25519 signatures": a type 0x01 verifier of the note text. */
export function noteVerifier(vkey: string): NoteVerifier {
  const key = parseVkey(vkey);
  if (key.type !== SIG_TYPE_ED25519) throw new RegistryError('BadRequest', 'vkey: not an Ed25519 (0x01) key');
  return ed25519Verifier(key.name, key.publicKey);
}

export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_ED25519, publicKey),
    type: SIG_TYPE_ED25519,
    publicKey,
    verify: (text, signature) => verifyEd25519(publicKey, text, signature),
  };
}

/** An Ed25519 note signer (SPEC §13: the log signs checkpoints with `LOG_KEY`, key name = origin). */
export function noteSigner(name: string, key: SigningKey): NoteSigner {
  if (!isValidKeyName(name))
    throw new RegistryError('BadRequest', `invalid note key name ${JSON.stringify(name)}`);
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_ED25519, key.publicKey),
    sign: (text) => signBytes(text, key),
  };
}
