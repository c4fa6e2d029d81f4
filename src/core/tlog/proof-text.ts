import { RegistryError } from '../errors.js';
import { type OpenedCheckpoint, openCheckpoint } from './checkpoint.js';
import { decodeBase64, encodeBase64, parseDecimal, parseHashBase64 } from './encoding.js';
import { HASH_SIZE } from './hash.js';
import { MAX_NOTE_BYTES } from './note.js';
import type { NoteVerifier } from './note-keys.js';
import { verifyInclusion } from './proof-verify.js';

/** c2sp.org/tlog-proof: "The first line MUST be the string `c2sp.org/tlog-proof@v1`." */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** An inclusion proof in a tree of at most 2^63 leaves has at most 63 hashes. */
export const MAX_INCLUSION_HASHES = 63;
/** Bounds the opaque `extra` data (unauthenticated, application-specific). */
export const MAX_EXTRA_BYTES = 4096;
const MAX_PROOF_TEXT = MAX_NOTE_BYTES + 8192;

/** A tlog-proof: an entry's index, its inclusion proof, the signed checkpoint verbatim, and extra data. */
export interface TlogProof {
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** The signed note (with its cosignatures), as the log served it. */
  readonly checkpoint: string;
  readonly extra?: Uint8Array;
}

/**
 * c2sp.org/tlog-proof "Format": the header line, an optional `extra <base64>` line, `index
 * <N>`, one base64 hash per line "starting from the leaf's sibling hash up to the root's child
 * hash", an empty line, then "the checkpoint issued by the log ... verbatim".
 */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0)
    throw new RegistryError('BadRequest', 'tlog-proof index');
  if (p.proof.length > MAX_INCLUSION_HASHES || p.proof.some((h) => h.length !== HASH_SIZE)) {
    throw new RegistryError('BadRequest', 'tlog-proof hashes');
  }
  const extra = p.extra === undefined ? '' : `extra ${encodeBase64(p.extra)}\n`;
  const hashes = p.proof.map((h) => `${encodeBase64(h)}\n`).join('');
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${hashes}\n${p.checkpoint}`;
}

/**
 * Parses a tlog-proof strictly (attacker-controlled): bounded in size and in hash lines, each
 * hash base64 of 32 bytes. The checkpoint is returned as text; `verifyTlogProof` checks it.
 */
export function parseTlogProof(text: string): TlogProof {
  if (text.length > MAX_PROOF_TEXT) throw new RegistryError('BadRequest', 'tlog-proof too long');
  const lines = text.split('\n', 3 + MAX_INCLUSION_HASHES + 1);
  let at = 0;
  const next = (): string => lines[at++] ?? '';
  if (next() !== TLOG_PROOF_HEADER)
    throw new RegistryError('BadRequest', `tlog-proof must start with ${TLOG_PROOF_HEADER}`);
  let line = next();
  let extra: Uint8Array | undefined;
  if (line.startsWith('extra ')) {
    extra = decodeBase64(line.slice('extra '.length), MAX_EXTRA_BYTES);
    if (extra === undefined) throw new RegistryError('BadRequest', 'tlog-proof extra is not base64');
    line = next();
  }
  if (!line.startsWith('index ')) throw new RegistryError('BadRequest', 'tlog-proof has no index line');
  const index = parseDecimal(line.slice('index '.length), 'tlog-proof index');
  const proof: Uint8Array[] = [];
  for (;;) {
    if (at >= lines.length) throw new RegistryError('BadRequest', 'tlog-proof has no checkpoint');
    line = next();
    if (line === '') break;
    if (proof.length === MAX_INCLUSION_HASHES)
      throw new RegistryError('BadRequest', 'tlog-proof: too many hashes');
    proof.push(parseHashBase64(line, `tlog-proof hash ${proof.length}`));
  }
  // The checkpoint is everything after the empty line, verbatim.
  const consumed = lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0);
  const checkpoint = text.slice(consumed);
  if (checkpoint.length === 0) throw new RegistryError('BadRequest', 'tlog-proof has no checkpoint');
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * c2sp.org/tlog-proof "Verifying a tlog proof", steps 2 and 4 (step 1, the leaf hash, is the
 * caller's; step 3, witness policy, uses `verifiedCosignatures` on the returned note): the
 * checkpoint must verify under the log's keys for `origin`, and the inclusion proof must bind
 * `leaf` at the index to its root. BadSignature otherwise.
 */
export function verifyTlogProof(
  p: TlogProof,
  leaf: Uint8Array,
  logKeys: readonly NoteVerifier[],
  origin: string,
): OpenedCheckpoint {
  const opened = openCheckpoint(p.checkpoint, logKeys, origin);
  const { size, rootHash } = opened.checkpoint;
  if (!verifyInclusion(p.index, size, leaf, p.proof, rootHash)) {
    throw new RegistryError(
      'BadSignature',
      `inclusion proof of index ${p.index} in tree ${size} does not verify`,
    );
  }
  return opened;
}
