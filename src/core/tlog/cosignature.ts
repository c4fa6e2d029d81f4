import { RegistryError } from '../errors.js';
import { type SigningKey, signBytes } from '../keys.js';
import { bytesOf, concatBytes } from './encoding.js';
import { checkNote, type Note, type NoteSignature } from './note.js';
import {
  computeKeyId,
  encodeVkey,
  isValidKeyName,
  type NoteVerifier,
  parseVkey,
  SIG_TYPE_COSIGNATURE,
  verifyEd25519,
} from './note-keys.js';

/** tlog-cosignature v1.0.1: "The signature MUST be a 72-byte `timestamped_signature` structure." */
export const COSIGNATURE_BYTES = 72;

/**
 * tlog-cosignature "Signed message": "two newline (U+000A) terminated lines (one header line and
 * one timestamp line) followed by the whole note body of the cosigned checkpoint": the header
 * `cosignature/v1`, then `time <POSIX seconds, no leading zeroes>`.
 */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  return bytesOf(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RegistryError('BadRequest', 'cosignature timestamp is not a non-negative safe integer');
  }
}

/** tlog-cosignature "Format": "SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]". */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return computeKeyId(name, SIG_TYPE_COSIGNATURE, publicKey);
}

/** A witness's vkey: signature type 0x04 and its 32-byte Ed25519 key. */
export function encodeWitnessVkey(name: string, publicKey: Uint8Array): string {
  return encodeVkey(name, SIG_TYPE_COSIGNATURE, publicKey);
}

/** A cosigner: the witness's name and its Ed25519 key (`WITNESS_KEY`, SPEC §13). */
export interface Cosigner {
  readonly name: string;
  readonly key: SigningKey;
}

/**
 * Cosigns a checkpoint's note text at `timestamp` (POSIX seconds): the signature line's bytes
 * are key ID ‖ timestamp as a big-endian u64 ‖ the Ed25519 signature of the signed message
 * (tlog-cosignature: "serialized in sequence, with the timestamp encoded in big-endian order").
 */
export function cosign(checkpointText: string, cosigner: Cosigner, timestamp: number): NoteSignature {
  if (!isValidKeyName(cosigner.name)) {
    throw new RegistryError('BadRequest', `invalid witness name ${JSON.stringify(cosigner.name)}`);
  }
  const sig = signBytes(cosignatureMessage(checkpointText, timestamp), cosigner.key);
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setBigUint64(0, BigInt(timestamp));
  return {
    name: cosigner.name,
    keyId: cosignatureKeyId(cosigner.name, cosigner.key.publicKey),
    signature: concatBytes(ts, sig),
  };
}

/**
 * The timestamp a cosignature claims, or undefined when it is not 72 bytes or claims more
 * than 2^53 - 1 (tlog-cosignature: "It MUST NOT exceed 2^63 - 1"; this registry's clocks need
 * far less, so larger values are refused rather than rounded).
 */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== COSIGNATURE_BYTES) return undefined;
  const ts = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  return ts <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ts) : undefined;
}

/** A note verifier of a witness's cosignatures (type 0x04) over checkpoint text. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  return {
    name,
    keyId: cosignatureKeyId(name, publicKey),
    type: SIG_TYPE_COSIGNATURE,
    publicKey,
    verify: (text, signature) => {
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      const message = concatBytes(bytesOf(`cosignature/v1\ntime ${timestamp}\n`), text);
      return verifyEd25519(publicKey, message, signature.subarray(8));
    },
  };
}

/** Parses a witness vkey (operator configuration): it must be of type 0x04. */
export function witnessVerifier(vkey: string): NoteVerifier {
  const key = parseVkey(vkey);
  if (key.type !== SIG_TYPE_COSIGNATURE) {
    throw new RegistryError('BadRequest', 'witness vkey: not a cosignature (0x04) key');
  }
  return cosignatureVerifier(key.name, key.publicKey);
}

/** One cosignature that verified: who made it and when it says it did. */
export interface VerifiedCosignature {
  readonly name: string;
  readonly timestamp: number;
  readonly signature: NoteSignature;
}

/**
 * The cosignatures on a note that verify under `witnesses`, one per witness key (the newest
 * when a witness signed twice). Lines from unknown keys are ignored and failing lines of known
 * witnesses do not count (tlog-witness: "The client MUST ignore any cosignatures from unknown
 * keys"); quorum policy is the caller's (SPEC §13 `WITNESS_QUORUM`).
 */
export function verifiedCosignatures(note: Note, witnesses: readonly NoteVerifier[]): VerifiedCosignature[] {
  const best = new Map<NoteVerifier, VerifiedCosignature>();
  for (const { signature, verifier } of checkNote(note, witnesses).verified) {
    const timestamp = cosignatureTimestamp(signature.signature) ?? 0;
    const prior = best.get(verifier);
    if (prior === undefined || prior.timestamp < timestamp) {
      best.set(verifier, { name: signature.name, timestamp, signature });
    }
  }
  return [...best.values()];
}
