import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../test/helpers/core-fixtures.js';
import { isRegistryError } from '../errors.js';
import { bytesOf } from './encoding.js';
import {
  checkNote,
  formatSignatureLine,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  parseNote,
  signNote,
  verifyNote,
} from './note.js';
import {
  computeKeyId,
  ed25519Verifier,
  encodeVkey,
  isValidKeyName,
  noteSigner,
  noteVerifier,
  parseVkey,
  SIG_TYPE_COSIGNATURE,
  SIG_TYPE_ED25519,
  verifyEd25519,
} from './note-keys.js';

// c2sp.org/signed-note v1.0.0 "Verifier keys / Example".
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

function badRequest(f: () => unknown, message: RegExp): void {
  try {
    f();
    expect.unreachable();
  } catch (err) {
    expect(isRegistryError(err, 'BadRequest')).toBe(true);
    expect((err as Error).message).toMatch(message);
  }
}

describe('the example of the signed-note specification', () => {
  it('verifies under its vkey', () => {
    const v = noteVerifier(SPEC_VKEY);
    expect(v.keyId).toBe(0x530d903a);
    const check = verifyNote(parseNote(bytesOf(SPEC_NOTE)), [v]);
    expect(check.verified).toHaveLength(1);
    expect(parseNote(SPEC_NOTE).text).toBe('This is an example message.\n');
    expect(encodeVkey(v.name, v.type, v.publicKey)).toBe(SPEC_VKEY);
  });

  it('fails once any byte of the text changes', () => {
    const v = noteVerifier(SPEC_VKEY);
    expect(() => verifyNote(parseNote(SPEC_NOTE.replace('example', 'exampel')), [v])).toThrow(
      /does not verify/,
    );
  });
});

describe('key names and vkeys', () => {
  it.each([
    ['', false],
    ['example.com/log', true],
    ['a+b', false],
    ['a b', false],
    ['a\u00a0b', false],
    ['a\u2003b', false],
    ['a\u0085b', false],
    ['a\u0001b', false],
    ['x'.repeat(257), false],
    ['ünïcode/名前', true],
  ])('%j is valid: %s', (name, valid) => {
    expect(isValidKeyName(name)).toBe(valid);
  });

  it('computes the key ID over name, newline, type and key', () => {
    const pub = key(0).publicKey;
    expect(computeKeyId('a', SIG_TYPE_ED25519, pub)).not.toBe(computeKeyId('a', SIG_TYPE_COSIGNATURE, pub));
    expect(parseVkey(encodeVkey('a', SIG_TYPE_COSIGNATURE, pub)).type).toBe(SIG_TYPE_COSIGNATURE);
  });

  it.each([
    ['two parts', 'example.com/foo+530d903a'],
    ['four parts', `${SPEC_VKEY}+x`],
    ['a bad name', SPEC_VKEY.replace('example.com/foo', 'a b')],
    ['upper-case hex', SPEC_VKEY.replace('530d903a', '530D903A')],
    ['a wrong key ID', SPEC_VKEY.replace('530d903a', '530d903b')],
    ['a short key', 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U0='],
    ['an unknown type', encodeVkey('a', 0x02, key(0).publicKey)],
    ['padding junk', `${SPEC_VKEY}=`],
    ['a huge input', `${'a'.repeat(400)}+530d903a+AA==`],
  ])('refuses a vkey with %s', (_, vkey) => {
    badRequest(() => parseVkey(vkey), /vkey/);
  });

  it('builds only Ed25519 log verifiers from a log vkey', () => {
    badRequest(() => noteVerifier(encodeVkey('w', SIG_TYPE_COSIGNATURE, key(0).publicKey)), /0x01/);
    badRequest(() => encodeVkey('a+b', SIG_TYPE_ED25519, key(0).publicKey), /key name/);
    badRequest(() => noteSigner('a b', key(0)), /key name/);
  });

  it('verifies Ed25519 strictly (lengths checked first)', () => {
    const msg = bytesOf('m');
    const sig = noteSigner('k', key(0)).sign(msg);
    expect(verifyEd25519(key(0).publicKey, msg, sig)).toBe(true);
    expect(verifyEd25519(key(0).publicKey, msg, sig.subarray(1))).toBe(false);
    expect(verifyEd25519(key(0).publicKey.subarray(1), msg, sig)).toBe(false);
    expect(verifyEd25519(new Uint8Array(32), msg, sig)).toBe(false);
  });
});

const text = fc
  // biome-ignore lint/suspicious/noControlCharactersInRegex: note text without control characters
  .array(fc.stringMatching(/^[^\u0000-\u001f]{0,40}$/), { minLength: 1, maxLength: 6 })
  .map((lines) => `${lines.join('\n')}\n`);

describe('signing and verifying notes', () => {
  const alice = noteSigner('alice.example/log', key(1));
  const bob = noteSigner('bob.example/log', key(2));
  const aliceV = ed25519Verifier(alice.name, key(1).publicKey);
  const bobV = ed25519Verifier(bob.name, key(2).publicKey);

  it('round-trips any text, keeping unknown signatures but not trusting them (property)', () => {
    fc.assert(
      fc.property(text, (t) => {
        const note = parseNote(signNote(t, [alice, bob]));
        expect(note.text).toBe(t);
        const check = verifyNote(note, [aliceV]);
        expect(check.verified.map((v) => v.signature.name)).toEqual([alice.name]);
        expect(check.unknown.map((s) => s.name)).toEqual([bob.name]);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a tampered text or signature byte (property)', () => {
    fc.assert(
      fc.property(text, fc.nat(), (t, at) => {
        const signed = bytesOf(signNote(t, [alice]));
        const tampered = new Uint8Array(signed);
        const i = at % tampered.length;
        tampered[i] = (tampered[i] as number) ^ 0x01;
        let ok = false;
        try {
          verifyNote(parseNote(tampered), [aliceV]);
          ok = true;
        } catch (err) {
          expect(isRegistryError(err)).toBe(true);
        }
        expect(ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('ignores a signature sharing only the name or only the key ID with a known key', () => {
    const signed = signNote('hello\n', [alice]);
    const sameName = ed25519Verifier(alice.name, key(3).publicKey);
    expect(checkNote(parseNote(signed), [sameName]).unknown).toHaveLength(1);
    const note = parseNote(signed);
    const sig = note.signatures[0];
    if (sig === undefined) throw new Error('no signature');
    const sameId = { ...aliceV, name: 'other.example/log' };
    expect(checkNote(note, [sameId]).unknown).toHaveLength(1);
    expect(() => verifyNote(note, [sameId])).toThrow(/no signature from a known key/);
  });

  it('rejects the whole note when a known key fails, even beside a good one', () => {
    const good = signNote('hello\n', [alice]);
    const forged = formatSignatureLine({ name: bob.name, keyId: bob.keyId, signature: new Uint8Array(64) });
    const note = parseNote(good + forged);
    expect(checkNote(note, [aliceV, bobV]).failed).toHaveLength(1);
    try {
      verifyNote(note, [aliceV, bobV]);
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'BadSignature')).toBe(true);
    }
  });

  it('keeps extra signature lines after its own', () => {
    const extra = { name: 'w.example', keyId: 7, signature: new Uint8Array([1, 2, 3]) };
    const note = parseNote(signNote('x\n', [alice], [extra]));
    expect(note.signatures.map((s) => s.name)).toEqual([alice.name, 'w.example']);
    expect(parseNote(signNote('x\n', [], [extra])).signatures).toHaveLength(1);
    expect(() => signNote('x\n', [])).toThrow(/needs a signature/);
    badRequest(() => signNote('x\n', [{ ...alice, name: 'a b' }]), /key name/);
  });

  it('refuses text without a final newline or with a control character', () => {
    badRequest(() => signNote('x', [alice]), /newline/);
    badRequest(() => signNote('x\ty\n', [alice]), /control character/);
  });
});

describe('parsing notes (attacker-controlled)', () => {
  const good = signNote('a\n\nb\n', [noteSigner('k', key(0))]);
  const line = good.slice(good.lastIndexOf('\n\n') + 2);

  it('splits at the last empty line', () => {
    expect(parseNote(good).text).toBe('a\n\nb\n');
  });

  it.each([
    ['too large', `${'a'.repeat(MAX_NOTE_BYTES)}\n\n${line}`, /over/],
    ['invalid UTF-8', new Uint8Array([0x61, 0xff, 0x0a]), /UTF-8/],
    ['no final newline', good.slice(0, -1), /newline/],
    ['a carriage return', good.replace('a\n', 'a\r\n'), /control/],
    ['no blank line', 'a\n— k AAAAAAA=\n', /no blank line/],
    ['no signature', 'a\n\n', /malformed/],
    ['a hyphen for the dash', good.replace('\u2014', '-'), /malformed/],
    ['two spaces', good.replace('\u2014 k', '\u2014  k'), /malformed/],
    ['a plus in the name', good.replace('\u2014 k', '\u2014 k+'), /malformed/],
    ['bad base64', good.replace(/ [A-Za-z0-9+/=]+\n$/, ' !!!!\n'), /base64/],
    ['a four-byte signature', 'a\n\n\u2014 k AAAAAA==\n', /base64/],
    ['too many signatures', `a\n\n${line.repeat(MAX_NOTE_SIGNATURES + 1)}`, /more than/],
  ])('refuses %s', (_, input, message) => {
    badRequest(() => parseNote(input), message);
  });

  it('accepts the sixteen signatures the specification requires', () => {
    expect(parseNote(`a\n\n${line.repeat(16)}`).signatures).toHaveLength(16);
  });
});
