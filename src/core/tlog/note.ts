import { RegistryError } from '../errors.js';
import { bytesOf, concatBytes, decodeBase64, decodeUtf8, encodeBase64 } from './encoding.js';
import { isValidKeyName, keyIdBytes, type NoteSigner, type NoteVerifier } from './note-keys.js';

/** signed-note "Verifiers SHOULD apply a maximum limit ... but MUST accept at least up to 16 signatures". */
export const MAX_NOTE_SIGNATURES = 64;
/** Bounds the whole note before it is decoded: a checkpoint with 64 signatures fits many times. */
export const MAX_NOTE_BYTES = 64 * 1024;
/** Signature bytes after the key ID; room for post-quantum signatures ("nearly 5kB"). */
export const MAX_SIGNATURE_BYTES = 8192;

const EM_DASH = '\u2014';

/** One signature line: `— <key name> base64(32-bit key ID || signature)`. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature proper, after the four key ID bytes. */
  readonly signature: Uint8Array;
}

/** A parsed note: its text (with the final newline) and every signature line, known or not. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** signed-note "Signatures": the line for one signature, newline included. */
export function formatSignatureLine(sig: NoteSignature): string {
  return `${EM_DASH} ${sig.name} ${encodeBase64(concatBytes(keyIdBytes(sig.keyId), sig.signature))}\n`;
}

/** Refuses text that no verifier may accept: not ending in a newline, or with control characters. */
function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new RegistryError('BadRequest', 'note text must end with a newline');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: signed-note refuses them
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new RegistryError('BadRequest', 'note contains a control character other than newline');
  }
}

/**
 * signed-note "Format": "a text ending in newline (U+000A), followed by a blank line (only a
 * newline), followed by one or more signature lines", each signature by `signers` over the
 * note text. `extra` signature lines (e.g. cosignatures already collected) follow them.
 */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  extra: readonly NoteSignature[] = [],
): string {
  assertNoteText(text);
  const body = bytesOf(text);
  const lines = signers.map((s) => {
    if (!isValidKeyName(s.name))
      throw new RegistryError('BadRequest', `invalid note key name ${JSON.stringify(s.name)}`);
    return formatSignatureLine({ name: s.name, keyId: s.keyId, signature: s.sign(body) });
  });
  if (lines.length + extra.length === 0) throw new RegistryError('Internal', 'a note needs a signature');
  return `${text}\n${lines.join('')}${extra.map(formatSignatureLine).join('')}`;
}

/**
 * Parses a signed note (attacker-controlled): at most MAX_NOTE_BYTES, valid UTF-8, no control
 * character but newline; "the text is separated from the signatures by the last empty line";
 * then 1..MAX_NOTE_SIGNATURES lines `— <name> <base64>` with a valid key name and at least a
 * key ID and one signature byte. Signatures are not checked here (see `verifyNote`).
 */
export function parseNote(input: Uint8Array | string): Note {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_NOTE_BYTES) throw new RegistryError('BadRequest', `note over ${MAX_NOTE_BYTES} bytes`);
  const message = typeof input === 'string' ? input : decodeUtf8(input, 'note');
  assertNoteText(message);
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new RegistryError('BadRequest', 'note has no blank line before its signatures');
  const text = message.slice(0, split + 1);
  const lines = message.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new RegistryError('BadRequest', `note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  const parts = line.split(' ');
  const [dash, name = '', b64 = ''] = parts;
  if (parts.length !== 3 || dash !== EM_DASH || !isValidKeyName(name)) {
    throw new RegistryError('BadRequest', 'malformed note signature line');
  }
  const bytes = decodeBase64(b64, 4 + MAX_SIGNATURE_BYTES);
  if (bytes === undefined || bytes.length < 5) {
    throw new RegistryError('BadRequest', 'note signature is not base64 of a key ID and a signature');
  }
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return { name, keyId, signature: bytes.subarray(4) };
}

/** What each signature line of a note turned out to be against a set of known keys. */
export interface NoteCheck {
  /** Lines from a known key (name and key ID both match) whose signature verifies. */
  readonly verified: readonly { readonly signature: NoteSignature; readonly verifier: NoteVerifier }[];
  /** Lines from a known key whose signature does not verify. */
  readonly failed: readonly NoteSignature[];
  /** signed-note: "Verifiers MUST ignore signatures from unknown keys, even if they share a name
   * or ID (but not both) with a known key." Kept (e.g. to serve), never trusted. */
  readonly unknown: readonly NoteSignature[];
}

/** Sorts a note's signature lines by `verifiers`; never throws. */
export function checkNote(note: Note, verifiers: readonly NoteVerifier[]): NoteCheck {
  const text = bytesOf(note.text);
  const verified: { signature: NoteSignature; verifier: NoteVerifier }[] = [];
  const failed: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const signature of note.signatures) {
    // "If the key name and ID match a known key, verifiers MUST verify the signature."
    const verifier = verifiers.find((v) => v.name === signature.name && v.keyId === signature.keyId);
    if (verifier === undefined) unknown.push(signature);
    else if (verifier.verify(text, signature.signature)) verified.push({ signature, verifier });
    else failed.push(signature);
  }
  return { verified, failed, unknown };
}

/**
 * signed-note "Signatures": "If a signature from a known key fails to verify, clients SHOULD
 * reject the whole note. If no signature from a known key verifies successfully, clients MUST
 * reject the note." Both are BadSignature; otherwise the check is returned.
 */
export function verifyNote(note: Note, verifiers: readonly NoteVerifier[]): NoteCheck {
  const check = checkNote(note, verifiers);
  if (check.failed.length > 0) {
    const names = check.failed.map((s) => s.name).join(', ');
    throw new RegistryError('BadSignature', `note signature by ${names} does not verify`);
  }
  if (check.verified.length === 0) {
    throw new RegistryError('BadSignature', 'note has no signature from a known key');
  }
  return check;
}
