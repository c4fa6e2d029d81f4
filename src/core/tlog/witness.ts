import { RegistryError } from '../errors.js';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { type Cosigner, cosign } from './cosignature.js';
import { decodeUtf8, parseDecimal, parseHashBase64 } from './encoding.js';
import { EMPTY_ROOT, hashEquals } from './hash.js';
import {
  checkNote,
  formatSignatureLine,
  MAX_NOTE_BYTES,
  type Note,
  type NoteSignature,
  parseNote,
} from './note.js';
import type { NoteVerifier } from './note-keys.js';
import { verifyConsistency } from './proof-verify.js';

/** tlog-witness: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_CONSISTENCY_LINES = 63;
/** The old size line, 63 base64 hashes with their newlines, the empty line and a bounded note. */
export const MAX_ADD_CHECKPOINT_BYTES = 32 + MAX_CONSISTENCY_LINES * 45 + 1 + MAX_NOTE_BYTES;

/** SPEC §4 `witness/<origin>`: the size and root of the last checkpoint this witness cosigned. */
export interface WitnessState {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/** An add-checkpoint request body, parsed (tlog-witness "add-checkpoint"). */
export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  readonly note: Note;
  readonly checkpoint: Checkpoint;
}

/**
 * Parses an add-checkpoint body (attacker-controlled): "an old size line, zero or more
 * consistency proof lines, and an empty line, followed by a checkpoint", each line ending in
 * a newline; `old <size>` with "no leading zeroes"; at most 63 proof lines of base64 hashes.
 * Anything malformed (the checkpoint included) is BadRequest: without an origin, none of the
 * ordered answers of SPEC §13 applies.
 */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest {
  if (body.length > MAX_ADD_CHECKPOINT_BYTES)
    throw new RegistryError('BadRequest', 'add-checkpoint body too long');
  const text = decodeUtf8(body, 'add-checkpoint body');
  const lines = text.split('\n', MAX_CONSISTENCY_LINES + 3);
  const [first = ''] = lines;
  if (!first.startsWith('old '))
    throw new RegistryError('BadRequest', 'add-checkpoint body must start with `old <size>`');
  const oldSize = parseDecimal(first.slice('old '.length), 'old size');
  const proof: Uint8Array[] = [];
  let at = 1;
  for (;;) {
    const line = lines[at++];
    if (line === undefined)
      throw new RegistryError('BadRequest', 'add-checkpoint: no empty line before the checkpoint');
    if (line === '') break;
    if (proof.length === MAX_CONSISTENCY_LINES) {
      throw new RegistryError('BadRequest', `more than ${MAX_CONSISTENCY_LINES} consistency proof lines`);
    }
    proof.push(parseHashBase64(line, `consistency proof line ${proof.length + 1}`));
  }
  const consumed = lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0);
  const note = parseNote(text.slice(consumed));
  return { oldSize, proof, note, checkpoint: parseCheckpoint(note.text) };
}

export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';
const TEXT = 'text/plain; charset=utf-8';

export type WitnessAnswer =
  | {
      readonly status: 200;
      readonly contentType: string;
      /** The cosignature line(s) to answer (tlog-witness: "a sequence of one or more note signature lines"). */
      readonly body: string;
      readonly cosignature: NoteSignature;
      /** The state to store durably, atomically with the check, before answering. */
      readonly state: WitnessState;
    }
  | { readonly status: 400 | 403 | 404 | 409 | 422; readonly contentType: string; readonly body: string };

export interface AddCheckpointInput {
  readonly request: AddCheckpointRequest;
  /** `WITNESS_LOGS`: the log keys trusted for each origin. */
  readonly logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  /** The stored state for the request's origin; undefined when it never cosigned that log. */
  readonly state: WitnessState | undefined;
  readonly cosigner: Cosigner;
  /** The time to put in the cosignature, POSIX seconds (the caller's clock: core has none). */
  readonly now: number;
}

const refuse = (status: 400 | 403 | 404 | 422, body: string): WitnessAnswer => ({
  status,
  contentType: TEXT,
  body: `${body}\n`,
});

/**
 * tlog-witness v1.0.0 add-checkpoint as SPEC §13 orders it; the first failing rule answers:
 * 404 unknown origin, 403 no trusted signature, 400 old size above the checkpoint's, 409
 * `old` not the latest cosigned size (or the same size with another root), 422 a consistency
 * proof that fails. Otherwise the checkpoint is cosigned at `now` and becomes the state.
 */
export function addCheckpoint(input: AddCheckpointInput): WitnessAnswer {
  const { request, state, cosigner, now } = input;
  const { checkpoint, oldSize, proof, note } = request;
  // "If the checkpoint origin is unknown, the witness MUST respond with a 404 Not Found".
  const keys = input.logs.get(checkpoint.origin);
  if (keys === undefined) return refuse(404, `unknown log origin ${JSON.stringify(checkpoint.origin)}`);
  // "it MUST ignore signatures from unknown keys ... If none of the signatures verify against
  // any of the trusted public keys, the witness MUST respond with a 403 Forbidden"; a trusted
  // key's failing signature rejects the note too (signed-note: clients SHOULD reject it).
  const check = checkNote(note, keys);
  if (check.verified.length === 0 || check.failed.length > 0)
    return refuse(403, 'no valid signature by a trusted log key');
  // "The old size MUST be equal to or lower than the checkpoint size. Otherwise ... 400".
  if (oldSize > checkpoint.size)
    return refuse(400, `old size ${oldSize} is above the checkpoint size ${checkpoint.size}`);
  // "the old size matches the size of the latest checkpoint it cosigned ... (or zero if it
  // never cosigned ...). If it doesn't match ... 409 Conflict. The response body MUST consist of
  // the tree size of the latest cosigned checkpoint in decimal, followed by a newline".
  const latest = state?.size ?? 0;
  const conflict: WitnessAnswer = { status: 409, contentType: SIZE_CONTENT_TYPE, body: `${latest}\n` };
  if (oldSize !== latest) return conflict;
  // "If the old size matches the checkpoint size, the witness MUST check that the root hashes
  // are also identical. If they don't match ... 409 Conflict."
  if (
    state !== undefined &&
    oldSize === checkpoint.size &&
    !hashEquals(state.rootHash, checkpoint.rootHash)
  ) {
    return conflict;
  }
  // "If the Merkle Consistency Proof doesn't verify, the witness MUST respond with a 422". An
  // empty tree has one root (RFC 9162 §2.1.1: MTH({}) = HASH()), so a size-0 checkpoint with
  // another root fails here too.
  const oldRoot = state?.rootHash ?? EMPTY_ROOT;
  const consistent =
    (checkpoint.size > 0 || hashEquals(checkpoint.rootHash, EMPTY_ROOT)) &&
    verifyConsistency(oldSize, checkpoint.size, proof, oldRoot, checkpoint.rootHash);
  if (!consistent)
    return refuse(422, `consistency proof from ${oldSize} to ${checkpoint.size} does not verify`);
  const cosignature = cosign(note.text, cosigner, now);
  return {
    status: 200,
    contentType: TEXT,
    body: formatSignatureLine(cosignature),
    cosignature,
    state: { size: checkpoint.size, rootHash: checkpoint.rootHash },
  };
}
