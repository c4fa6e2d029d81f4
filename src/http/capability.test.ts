import MacaroonsBuilder from 'macaroons.js/lib/MacaroonsBuilder.js';
import MacaroonsVerifier from 'macaroons.js/lib/MacaroonsVerifier.js';
import { describe, expect, it } from 'vitest';
import {
  handToken as hand,
  handSign,
  hmac,
  MACAROON_TEST_KEY as KEY,
  packet,
} from '../../test/helpers/macaroon-v1.js';
import { isRegistryError } from '../core/errors.js';
import {
  Authenticator,
  authorize,
  type Capability,
  MAX_CAVEATS,
  MAX_TOKEN_CHARS,
  mintToken,
  type Scope,
} from './capability.js';

const OTHER_KEY = 'a5'.repeat(32);
const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const auth = new Authenticator(KEY, () => NOW);
const bearer = (token: string): string => `Bearer ${token}`;
const accept = (token: string, a: Authenticator = auth): Capability => a.authenticate(bearer(token));
const reject = (token: string, a: Authenticator = auth) => expect(() => a.authenticate(bearer(token)));
/** The 32 signature bytes: the last packet is "002fsignature " + 32 bytes + "\n". */
const signatureOf = (token: string): Buffer => Buffer.from(token, 'base64url').subarray(-33, -1);

describe('Authenticator', () => {
  describe('constructor', () => {
    it.each([
      ['too short', 'ab'.repeat(31)],
      ['odd length', `${'ab'.repeat(32)}a`],
      ['not hex', 'zz'.repeat(32)],
      ['empty', ''],
    ])('throws BadRequest naming MACAROON_ROOT_KEY when %s', (_what, key) => {
      expect(() => new Authenticator(key)).toThrowRegistryError('BadRequest', 'MACAROON_ROOT_KEY');
    });
    it('accepts longer keys and upper-case hex', () => {
      expect(() => new Authenticator('AB'.repeat(64))).not.toThrow();
    });
  });

  describe('when the header is not a bearer token', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['Basic', 'Basic YWxpY2U6cGFzcw=='],
      ['Bearer alone', 'Bearer'],
      ['Bearer and a space', 'Bearer '],
      ['two tokens', `Bearer ${hand({ caveats: ['scope = registry:read'] })} x`],
      ['no space', `Bearer${hand({ caveats: ['scope = registry:read'] })}`],
    ])('throws Unauthorized: %s', (_what, header) => {
      expect(() => auth.authenticate(header)).toThrowRegistryError('Unauthorized');
    });
    it('reads the scheme case-insensitively', () => {
      expect(auth.authenticate(`bearer ${hand({ caveats: ['scope = registry:read'] })}`).identifier).toBe(
        'alice',
      );
    });
  });

  describe('when the token is not a macaroon', () => {
    it.each([
      ['not base64', 'not*base64!'],
      ['only padding', '===='],
      ['one character', 'A'],
      ['bad padding', 'QUJD='],
      ['too much padding', 'QUI==='],
      ['random bytes', Buffer.from('hello, this is not a macaroon at all').toString('base64url')],
      ['a truncated macaroon', hand({ caveats: ['scope = registry:read'] }).slice(0, -12)],
    ])('throws Unauthorized: %s', (_what, token) => {
      reject(token).toThrowRegistryError('Unauthorized');
    });

    it('rejects non-zero trailing base64 bits (one byte string, one spelling)', () => {
      const token = ['a', 'ab', 'abc']
        .map((identifier) => hand({ identifier, caveats: ['scope = registry:read'] }))
        .find((t) => t.length % 4 !== 0);
      if (token === undefined) throw new Error('one of three lengths leaves trailing bits');
      expect(accept(token).scopes).toHaveLength(1);
      const last = token.at(-1) ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? '';
      reject(token.slice(0, -1) + sibling).toThrowRegistryError('Unauthorized');
    });

    it.each([
      ['an unknown packet', [packet('nonce', 'x')]],
      ['a second identifier', [packet('identifier', 'mallory')]],
      ['an empty packet', [Buffer.from('0004')]],
    ])('rejects %s, which macaroons.js alone would skip', (_what, extra) => {
      reject(hand({ caveats: ['scope = registry:read'], extra })).toThrowRegistryError('Unauthorized');
    });

    it('rejects trailing bytes after the signature', () => {
      const { bytes } = handSign({ caveats: ['scope = registry:read'] });
      const trailing = Buffer.concat([bytes, Buffer.from('0004')]).toString('base64url');
      reject(trailing).toThrowRegistryError('Unauthorized');
    });

    it('rejects an identifier that is not UTF-8 (macaroons.js would decode it lossily)', () => {
      const identifier = Buffer.from([0x61, 0xff, 0xfe, 0x62]);
      reject(hand({ identifier, caveats: ['scope = registry:read'] })).toThrowRegistryError('Unauthorized');
    });

    it('rejects a token over MAX_TOKEN_CHARS', () => {
      const token = hand({ caveats: ['scope = registry:read', `kind = ${'k'.repeat(MAX_TOKEN_CHARS)}`] });
      reject(token).toThrowRegistryError('Unauthorized', 'too long');
    });

    it('accepts MAX_CAVEATS caveats and rejects one more', () => {
      const caveats = Array.from({ length: MAX_CAVEATS }, () => 'scope = registry:read');
      expect(accept(hand({ caveats })).scopes).toHaveLength(MAX_CAVEATS);
      reject(hand({ caveats: [...caveats, 'scope = registry:read'] })).toThrowRegistryError('Unauthorized');
    });
  });

  describe('when the token is a sound libmacaroons v1 macaroon', () => {
    it('accepts a hand-built token (interop) and returns its caveats', () => {
      const cap = accept(
        hand({
          identifier: 'ci-deployer',
          caveats: ['scope = registry:propose registry:apply', 'id-prefix = svc-', 'kind = service node'],
        }),
      );
      expect(cap).toEqual({
        identifier: 'ci-deployer',
        scopes: [['registry:propose', 'registry:apply']],
        idPrefixes: [['svc-']],
        kinds: [['service', 'node']],
        expiresAt: undefined,
      });
    });

    it('accepts padded base64url and standard base64 (pymacaroons) spellings', () => {
      // An identifier whose encoding has both `-`/`_` and needs padding.
      const { bytes } = handSign({ identifier: 'a?>~~~b', caveats: ['scope = registry:read'] });
      const std = bytes.toString('base64');
      expect(std).toMatch(/[+/]/);
      expect(std).toMatch(/=$/);
      for (const spelling of [
        std,
        std.replace(/=+$/, ''),
        bytes.toString('base64url'),
        std.replaceAll('+', '-').replaceAll('/', '_'),
      ]) {
        expect(accept(spelling).identifier).toBe('a?>~~~b');
      }
    });

    it('does not check the location (informational)', () => {
      expect(accept(hand({ location: '', caveats: ['scope = registry:read'] })).identifier).toBe('alice');
      expect(
        accept(hand({ location: 'https://elsewhere', caveats: ['scope = registry:read'] })).identifier,
      ).toBe('alice');
    });

    it('accepts a token with no caveats (authorize then forbids it)', () => {
      const cap = accept(hand({}));
      expect(cap.scopes).toEqual([]);
      expect(() => authorize(cap, { scope: 'registry:read' })).toThrowRegistryError('Forbidden');
    });
  });

  describe('when the token was tampered with', () => {
    const good = handSign({ caveats: ['scope = registry:read', 'kind = service'] });

    it('rejects a flipped signature byte', () => {
      const bytes = Buffer.from(good.bytes);
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
      reject(bytes.toString('base64url')).toThrowRegistryError('Unauthorized', 'signature');
    });
    it('rejects a caveat appended without re-signing', () => {
      const forged = Buffer.concat([
        good.bytes.subarray(0, -47),
        packet('cid', 'scope = registry:apply'),
        good.bytes.subarray(-47),
      ]);
      expect(forged.subarray(-47, -33).toString()).toBe('002fsignature ');
      reject(forged.toString('base64url')).toThrowRegistryError('Unauthorized', 'signature');
    });
    it('rejects a removed caveat (widening)', () => {
      const widened = Buffer.concat([
        packet('location', 'registry'),
        packet('identifier', 'alice'),
        packet('cid', 'scope = registry:read'),
        packet('signature', good.signature),
      ]);
      reject(widened.toString('base64url')).toThrowRegistryError('Unauthorized', 'signature');
    });
    it('rejects a changed identifier', () => {
      const renamed = Buffer.from(
        good.bytes.toString('latin1').replace('identifier alice', 'identifier alicf'),
        'latin1',
      );
      reject(renamed.toString('base64url')).toThrowRegistryError('Unauthorized', 'signature');
    });
    it('rejects a token minted under another root key', () => {
      reject(hand({ key: OTHER_KEY, caveats: ['scope = registry:read'] })).toThrowRegistryError(
        'Unauthorized',
      );
      reject(mintToken(OTHER_KEY, { identifier: 'x', scopes: ['registry:read'] })).toThrowRegistryError(
        'Unauthorized',
      );
    });
    it('rejects a token signed with the key text instead of its bytes', () => {
      const textKeyed = new MacaroonsBuilder('registry', KEY, 'alice').add_first_party_caveat(
        'scope = registry:read',
      );
      reject(textKeyed.getMacaroon().serialize()).toThrowRegistryError('Unauthorized');
    });
  });

  describe('when a caveat is not understood', () => {
    it.each([
      ['unknown', 'account = alice'],
      ['unparseable', 'scope =registry:read'],
      ['a malformed time', 'time < soon'],
    ])('throws Unauthorized for an %s caveat, even when correctly signed', (_what, caveat) => {
      reject(hand({ caveats: ['scope = registry:read', caveat] })).toThrowRegistryError('Unauthorized');
    });

    it('throws Unauthorized for a third-party caveat', () => {
      const derived = hmac('macaroons-key-generator', Buffer.from(KEY, 'hex'));
      const m = new MacaroonsBuilder('registry', derived, 'alice')
        .add_first_party_caveat('scope = registry:read')
        .add_third_party_caveat('https://auth.example', 'third-party-secret', 'user = alice')
        .getMacaroon();
      reject(m.serialize()).toThrowRegistryError('Unauthorized', 'third-party');
    });
  });

  describe('when the token carries a time caveat', () => {
    const token = hand({ caveats: ['scope = registry:read', 'time < 2026-12-01T00:00:00Z'] });
    const DEC1 = Date.UTC(2026, 11, 1);
    it('accepts it 1 ms before the instant and reports expiresAt', () => {
      expect(accept(token, new Authenticator(KEY, () => DEC1 - 1)).expiresAt).toBe(DEC1);
    });
    it.each([0, 1, 86_400_000])('rejects it %d ms after the instant', (late) => {
      reject(token, new Authenticator(KEY, () => DEC1 + late)).toThrowRegistryError(
        'Unauthorized',
        'expired',
      );
    });
    it('reads the clock on every call', () => {
      let now = DEC1 - 1;
      const a = new Authenticator(KEY, () => now);
      expect(accept(token, a).expiresAt).toBe(DEC1);
      now = DEC1;
      reject(token, a).toThrowRegistryError('Unauthorized');
    });
  });
});

describe('mintToken', () => {
  it('round-trips through the Authenticator', () => {
    const token = mintToken(KEY, {
      identifier: 'ci-deployer',
      scopes: ['registry:propose', 'registry:apply'],
      idPrefix: 'svc- node-',
      kinds: ['service', 'node'],
      ttlMs: 3_600_000,
      now: NOW,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(accept(token)).toEqual({
      identifier: 'ci-deployer',
      scopes: [['registry:propose', 'registry:apply']],
      idPrefixes: [['svc-', 'node-']],
      kinds: [['service', 'node']],
      expiresAt: NOW + 3_600_000,
    });
  });

  it('emits exactly the libmacaroons v1 bytes and signature of the hand computation', () => {
    const token = mintToken(KEY, {
      identifier: 'bob',
      scopes: ['registry:read'],
      ttlMs: 1500,
      now: NOW,
      location: 'loc',
    });
    const expected = handSign({
      location: 'loc',
      identifier: 'bob',
      caveats: ['scope = registry:read', 'time < 2026-11-22T10:00:01Z'],
    });
    expect(signatureOf(token)).toEqual(expected.signature);
    expect(Buffer.from(token, 'base64url')).toEqual(expected.bytes);
  });

  it('verifies with macaroons.js given the derived key (and not given the hex text)', () => {
    const token = mintToken(KEY, { identifier: 'bob', scopes: ['registry:read'] });
    const verifier = new MacaroonsVerifier(MacaroonsBuilder.deserialize(token)).satisfyExact(
      'scope = registry:read',
    );
    expect(verifier.isValid(hmac('macaroons-key-generator', Buffer.from(KEY, 'hex')))).toBe(true);
    expect(verifier.isValid(KEY)).toBe(false);
  });

  it.each([
    ['a bad root key', 'abc', {}],
    ['an empty identifier', KEY, { identifier: '' }],
    ['a control character in the identifier', KEY, { identifier: 'a\nb' }],
    ['no scopes', KEY, { scopes: [] }],
    ['an unknown scope', KEY, { scopes: ['registry:admin' as Scope] }],
    ['an empty idPrefix', KEY, { idPrefix: '' }],
    ['an empty kinds list', KEY, { kinds: [] }],
    ['a kind with a space', KEY, { kinds: ['a b'] }],
    ['a zero ttl', KEY, { ttlMs: 0 }],
    ['a fractional ttl', KEY, { ttlMs: 1.5 }],
    ['an expiry past year 9999', KEY, { ttlMs: Number.MAX_SAFE_INTEGER }],
  ])('throws BadRequest for %s', (_what, key, over) => {
    expect(() =>
      mintToken(key, { identifier: 'x', scopes: ['registry:read'], ...over }),
    ).toThrowRegistryError('BadRequest');
  });
});

describe('secrets in error messages', () => {
  const MARKER = 'S3CR3TM4RK3R';
  const texts = (run: () => unknown): string => {
    try {
      run();
    } catch (err) {
      if (!isRegistryError(err)) throw err;
      return `${err.message}\n${err.hint}\n${String(err)}`;
    }
    throw new Error('expected a refusal');
  };

  it.each([
    ['garbage', `Bearer ${MARKER}!!`],
    ['a non-bearer scheme', `Basic ${MARKER}`],
    ['an unknown caveat', bearer(hand({ identifier: MARKER, caveats: [`${MARKER} = 1`] }))],
    [
      'a forged token',
      bearer(hand({ key: OTHER_KEY, identifier: MARKER, caveats: ['scope = registry:read'] })),
    ],
    ['a too-long token', `Bearer ${MARKER}${'A'.repeat(MAX_TOKEN_CHARS)}`],
  ])('the Authenticator does not echo the token: %s', (_what, header) => {
    const token = header.slice(header.indexOf(' ') + 1);
    const said = texts(() => auth.authenticate(header));
    expect(said).not.toContain(MARKER);
    expect(said).not.toContain(token.slice(0, 16));
  });

  it('a refused root key is not echoed', () => {
    const key = `${MARKER}${'ab'.repeat(32)}`;
    expect(texts(() => new Authenticator(key))).not.toContain(MARKER);
    expect(texts(() => mintToken(key, { identifier: 'x', scopes: ['registry:read'] }))).not.toContain(MARKER);
  });

  it('a Forbidden refusal does not echo the token', () => {
    const token = hand({ identifier: MARKER, caveats: [`scope = registry:read`, `kind = ${MARKER}`] });
    expect(texts(() => authorize(accept(token), { scope: 'registry:apply' }))).not.toContain(MARKER);
  });
});
