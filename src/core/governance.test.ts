import { describe, expect, it } from 'vitest';
import {
  DIGEST_A,
  governancePayload,
  key,
  NOW,
  SMALL_ORDER_KEYS_HEX,
  servicePayload,
  signAll,
  signerIdFromHex,
  testKey,
} from '../../test/helpers/core-fixtures.js';
import { parsePayload } from './descriptor.js';
import type { GovernanceBody, Payload } from './descriptor.types.js';
import { assertGenesis, genesisPayload, governanceOf, parseAllowList, sameGovernance } from './governance.js';

const A = key(0).signerId;
const B = key(1).signerId;
const C = key(2).signerId;

describe('parseAllowList', () => {
  describe('when the list and threshold are valid', () => {
    it('returns them as a governance body', () => {
      expect(parseAllowList([A, B, C], 2)).toEqual({ signers: [A, B, C], threshold: 2 });
      expect(parseAllowList([A], 1)).toEqual({ signers: [A], threshold: 1 });
    });
  });

  describe('when the list is empty or longer than 64', () => {
    it('throws BadRequest', () => {
      expect(() => parseAllowList([], 1)).toThrowRegistryError('BadRequest', 'SIGNER_ALLOWLIST');
      const many = Array.from({ length: 65 }, (_, i) => testKey(200 + i).signerId);
      expect(() => parseAllowList(many, 1)).toThrowRegistryError('BadRequest', 'at most 64');
      expect(parseAllowList(many.slice(0, 64), 64).signers).toHaveLength(64);
    });
  });

  describe('when a signer is duplicated', () => {
    it('throws BadRequest naming it', () => {
      expect(() => parseAllowList([A, B, A], 1)).toThrowRegistryError('BadRequest', `duplicate signer ${A}`);
    });
  });

  describe('when a signer is malformed or not a usable key', () => {
    it.each(['', 'ed25519:', 'ed25519:xyz', A.slice(8)])('throws BadRequest for %j', (s) => {
      expect(() => parseAllowList([A, s], 1)).toThrowRegistryError('BadRequest', 'SIGNER_ALLOWLIST[1]');
    });

    it.each(SMALL_ORDER_KEYS_HEX)('throws BadRequest for the small-order key %s', (hex) => {
      expect(() => parseAllowList([signerIdFromHex(hex)], 1)).toThrowRegistryError(
        'BadRequest',
        'small-order',
      );
    });
  });

  describe('when the threshold is outside 1..len', () => {
    it.each([0, -1, 4, 1.5, Number.NaN])('throws BadRequest for %d with 3 signers', (t) => {
      expect(() => parseAllowList([A, B, C], t)).toThrowRegistryError('BadRequest', 'SIG_THRESHOLD');
    });
  });
});

describe('genesisPayload', () => {
  describe('when built from an allow-list', () => {
    const body = parseAllowList([A, B], 2);
    const g = genesisPayload(body, NOW);

    it('is governance version 1 with prev null and no deprecated field', () => {
      expect(g).toEqual({ id: 'governance', version: 1, kind: 'governance', body, prev: null, ts: NOW });
      expect(Object.hasOwn(g, 'deprecated')).toBe(false);
    });

    it('passes the payload parser', () => {
      expect(parsePayload(JSON.parse(JSON.stringify(g)), NOW)).toEqual(g);
    });

    it('is accepted by assertGenesis with the same settings', () => {
      expect(() => assertGenesis(g, [], body)).not.toThrow();
      expect(() => assertGenesis(g, [], { signers: [B, A], threshold: 2 })).not.toThrow();
    });
  });
});

describe('governanceOf', () => {
  describe('when given a governance payload', () => {
    it('returns its set, threshold and version', () => {
      const p = governancePayload([key(0), key(1)], 1, { version: 3, prev: DIGEST_A }) as Payload & {
        kind: 'governance';
      };
      expect(governanceOf(p)).toEqual({ signers: new Set([A, B]), threshold: 1, version: 3 });
    });
  });
});

describe('sameGovernance', () => {
  describe('when comparing', () => {
    const ab2: GovernanceBody = { signers: [A, B], threshold: 2 };
    it.each<[string, GovernanceBody, boolean]>([
      ['the same', { signers: [A, B], threshold: 2 }, true],
      ['the same signers in another order', { signers: [B, A], threshold: 2 }, true],
      ['another threshold', { signers: [A, B], threshold: 1 }, false],
      ['a missing signer', { signers: [A], threshold: 2 }, false],
      ['an extra signer', { signers: [A, B, C], threshold: 2 }, false],
      ['another signer', { signers: [A, C], threshold: 2 }, false],
    ])('is %s → %s', (_, other, same) => {
      expect(sameGovernance(ab2, other)).toBe(same);
      expect(sameGovernance(other, ab2)).toBe(same);
    });
  });
});

describe('assertGenesis', () => {
  const expected = parseAllowList([A, B], 2);
  const genesis = genesisPayload(expected, NOW);

  describe('when the genesis is not a bare governance version 1', () => {
    it.each<[string, Payload, readonly unknown[]]>([
      ['another kind', servicePayload(), []],
      ['version 2', { ...genesis, version: 2, prev: DIGEST_A } as Payload, []],
      ['prev set', { ...genesis, prev: DIGEST_A } as Payload, []],
      ['with signatures', genesis, signAll(genesis, [key(0)])],
    ])('throws BadSignature for %s', (_, p, sigs) => {
      expect(() => assertGenesis(p, sigs, expected)).toThrowRegistryError('BadSignature', 'genesis must be');
    });
  });

  describe('when the genesis differs from the pinned settings', () => {
    it.each<[string, GovernanceBody]>([
      ['another threshold', { signers: [A, B], threshold: 1 }],
      ['another set', { signers: [A, C], threshold: 2 }],
      ['a larger set', { signers: [A, B, C], threshold: 2 }],
    ])('throws BadSignature naming both (%s)', (_, pinned) => {
      expect(() => assertGenesis(genesis, [], pinned)).toThrowRegistryError(
        'BadSignature',
        'differ from the pinned',
      );
    });
  });
});
