import { RegistryError } from '../../core/index.js';
import {
  bytesOf,
  type Checkpoint,
  cosignatureTimestamp,
  formatCheckpoint,
  type NoteSignature,
  type NoteSigner,
  parseCheckpoint,
  parseNote,
  signNote,
} from '../../core/tlog/index.js';

/** A note signer whose signature is computed off the event loop. */
export interface AsyncNoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Promise<Uint8Array>;
}

/**
 * One checkpoint the log signed (SPEC §13) and the cosignatures collected for it so far. The
 * note text carries no timestamp, so the same key over the same tree gives the same bytes
 * (Ed25519 is deterministic): cluster instances that sign one size sign one note.
 */
export class SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly text: string;
  readonly logSignature: NoteSignature;
  /** When this process (or the one before it) signed it, Unix ms. */
  readonly signedAt: number;
  readonly #cosignatures = new Map<string, NoteSignature>();

  constructor(
    checkpoint: Checkpoint,
    logSignature: NoteSignature,
    signedAt: number,
    cosignatures: readonly NoteSignature[] = [],
  ) {
    this.checkpoint = checkpoint;
    this.text = formatCheckpoint(checkpoint);
    this.logSignature = logSignature;
    this.signedAt = signedAt;
    for (const c of cosignatures) this.#cosignatures.set(c.name, c);
  }

  static sign(checkpoint: Checkpoint, signer: NoteSigner, signedAt: number): SignedCheckpoint {
    const note = parseNote(signNote(formatCheckpoint(checkpoint), [signer]));
    const sig = note.signatures[0];
    if (sig === undefined) throw new RegistryError('Internal', 'signed checkpoint without a signature');
    return new SignedCheckpoint(checkpoint, sig, signedAt);
  }

  /**
   * The same signature as `sign` (RFC 8032 Ed25519 is deterministic), made by node:crypto on
   * libuv's thread pool: the engine's thread keeps preparing the next batch meanwhile.
   */
  static async signAsync(
    checkpoint: Checkpoint,
    signer: AsyncNoteSigner,
    signedAt: number,
  ): Promise<SignedCheckpoint> {
    const text = formatCheckpoint(checkpoint);
    const signature = await signer.sign(bytesOf(text));
    return new SignedCheckpoint(checkpoint, { name: signer.name, keyId: signer.keyId, signature }, signedAt);
  }

  /** Restores one from `meta/checkpoint`: the first signature line is the log's, the rest cosignatures. */
  static parse(note: string, signedAt: number): SignedCheckpoint {
    const parsed = parseNote(note);
    const [log, ...cosignatures] = parsed.signatures;
    if (log === undefined) throw new RegistryError('StoreUnavailable', 'meta/checkpoint has no signature');
    return new SignedCheckpoint(parseCheckpoint(parsed.text), log, signedAt, cosignatures);
  }

  get size(): number {
    return this.checkpoint.size;
  }

  get cosignatures(): NoteSignature[] {
    return [...this.#cosignatures.values()];
  }

  /** Keeps the newest cosignature line per witness name. */
  addCosignature(sig: NoteSignature): void {
    const prior = this.#cosignatures.get(sig.name);
    const t = (s: NoteSignature) => cosignatureTimestamp(s.signature) ?? 0;
    if (prior === undefined || t(prior) <= t(sig)) this.#cosignatures.set(sig.name, sig);
  }

  /** Newest cosignature time, POSIX seconds (undefined without any). */
  get newestCosignature(): number | undefined {
    let newest: number | undefined;
    for (const c of this.#cosignatures.values()) {
      const t = cosignatureTimestamp(c.signature);
      if (t !== undefined && (newest === undefined || t > newest)) newest = t;
    }
    return newest;
  }

  /** The signed note as served: the log's signature, then every cosignature. */
  note(): string {
    return signNote(this.text, [], [this.logSignature, ...this.#cosignatures.values()]);
  }
}
