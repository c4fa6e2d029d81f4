import { RegistryError } from '../errors.js';
import { encodeBase64, parseDecimal, parseHashBase64 } from './encoding.js';
import { HASH_SIZE } from './hash.js';
import { type Note, type NoteCheck, parseNote, signNote, verifyNote } from './note.js';
import type { NoteSigner, NoteVerifier } from './note-keys.js';

/** A tree head (c2sp.org/tlog-checkpoint v1.0.0 "Note text"). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** "Any following lines are extension lines, opaque and OPTIONAL ... MUST be non-empty." */
  readonly extensions: readonly string[];
}

/** Bounds the lines of a checkpoint body; the note around it is bounded by MAX_NOTE_BYTES. */
export const MAX_CHECKPOINT_LINES = 64;

/** The note text: `<origin>\n<size>\n<base64 root>\n`, then any extension lines. */
export function formatCheckpoint(cp: Checkpoint): string {
  assertCheckpoint(cp);
  return [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions]
    .map((l) => `${l}\n`)
    .join('');
}

function assertCheckpoint(cp: Checkpoint): void {
  if (cp.origin.length === 0 || cp.origin.includes('\n'))
    throw new RegistryError('BadRequest', 'checkpoint origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new RegistryError('BadRequest', 'checkpoint size');
  if (cp.rootHash.length !== HASH_SIZE) throw new RegistryError('BadRequest', 'checkpoint root is 32 bytes');
  if (cp.extensions.some((l) => l.length === 0 || l.includes('\n'))) {
    throw new RegistryError('BadRequest', 'checkpoint extension lines are non-empty single lines');
  }
}

/**
 * Parses a checkpoint's note text strictly (tlog-checkpoint "Note text"): at least three
 * non-empty lines, a non-empty origin, the size "with no leading zeroes", the root as base64 of
 * 32 bytes, then non-empty extension lines; each line ends in a newline.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new RegistryError('BadRequest', 'checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n', MAX_CHECKPOINT_LINES + 1);
  if (lines.length > MAX_CHECKPOINT_LINES)
    throw new RegistryError('BadRequest', 'checkpoint has too many lines');
  const [origin = '', size = '', root = '', ...extensions] = lines;
  if (lines.length < 3) throw new RegistryError('BadRequest', 'checkpoint has fewer than three lines');
  if (origin.length === 0) throw new RegistryError('BadRequest', 'checkpoint origin is empty');
  if (extensions.some((l) => l.length === 0)) {
    throw new RegistryError('BadRequest', 'checkpoint extension line is empty');
  }
  return {
    origin,
    size: parseDecimal(size, 'checkpoint size'),
    rootHash: parseHashBase64(root, 'checkpoint root hash'),
    extensions,
  };
}

/**
 * SPEC §13: the log signs each checkpoint as a signed note with `LOG_KEY`, key name = origin
 * (tlog-checkpoint: "The log's key name in its signature line SHOULD match the origin line").
 */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  if (signer.name !== cp.origin) throw new RegistryError('Internal', 'the log key name must be the origin');
  return signNote(formatCheckpoint(cp), [signer]);
}

export interface OpenedCheckpoint {
  readonly note: Note;
  readonly checkpoint: Checkpoint;
  readonly check: NoteCheck;
}

/**
 * Parses and verifies a signed checkpoint (attacker-controlled) against the log's keys: the
 * note must verify (BadSignature otherwise, signed-note), then its text must be a checkpoint
 * whose origin is `origin` when one is expected. Signatures by other keys (cosignatures) stay
 * in `note` and `check.unknown` for the caller to check with witness keys.
 */
export function openCheckpoint(
  input: Uint8Array | string,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): OpenedCheckpoint {
  const note = parseNote(input);
  const check = verifyNote(note, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new RegistryError(
      'BadSignature',
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the log's`,
    );
  }
  return { note, checkpoint, check };
}
