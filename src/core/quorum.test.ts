import { describe, expect, it } from 'vitest';
import {
  DIGEST_A,
  governancePayload,
  key,
  NOW,
  servicePayload,
  signAll,
} from '../../test/helpers/core-fixtures.js';
import { signingBytes } from './canonical.js';
import { type Governance, governanceOf } from './governance.js';
import { signPayload } from './keys.js';
import { allowList, assertQuorum, countQuorum, quorumRules, verifySignatures } from './quorum.js';
import type { SignerId } from './signer-id.js';

const gov = (keys: number[], threshold: number, version = 1): Governance => ({
  signers: new Set(keys.map((i) => key(i).signerId)),
  threshold,
  version,
});
const ids = (...keys: number[]): Set<SignerId> => new Set(keys.map((i) => key(i).signerId));

const CURRENT = gov([0, 1, 2], 2);
const PAYLOAD = servicePayload();
const BYTES = signingBytes(PAYLOAD);

describe('quorumRules', () => {
  describe('when the payload is not governance', () => {
    it('has one rule: the current set', () => {
      expect(quorumRules(PAYLOAD, CURRENT)).toEqual([{ set: 'current', gov: CURRENT }]);
    });
  });

  describe('when the payload rotates governance', () => {
    it('needs the current set AND the new set (SPEC §3)', () => {
      const rotation = governancePayload([key(3), key(4)], 2, { version: 2, prev: DIGEST_A });
      const rules = quorumRules(rotation, CURRENT);
      expect(rules.map((r) => r.set)).toEqual(['current', 'new']);
      expect(rules[0]?.gov).toBe(CURRENT);
      expect(rules[1]?.gov).toEqual(gov([3, 4], 2, 2));
    });
  });
});

describe('allowList', () => {
  describe('when there are two rules', () => {
    it('is the union of both sets', () => {
      const rotation = governancePayload([key(2), key(3)], 1, { version: 2, prev: DIGEST_A });
      expect(allowList(quorumRules(rotation, CURRENT))).toEqual(ids(0, 1, 2, 3));
    });
  });

  describe('when there is one rule', () => {
    it('is that set', () => {
      expect(allowList(quorumRules(PAYLOAD, CURRENT))).toEqual(ids(0, 1, 2));
    });
  });
});

describe('verifySignatures', () => {
  describe('when every signature is valid and allow-listed', () => {
    it('returns the distinct valid signers', () => {
      expect(verifySignatures(BYTES, signAll(PAYLOAD, [key(0), key(2)]), CURRENT.signers)).toEqual(ids(0, 2));
      expect(verifySignatures(BYTES, [], CURRENT.signers).size).toBe(0);
    });
  });

  describe('when a signer is not in the allow-list', () => {
    it('throws BadSignature naming the signer, whatever the other signatures', () => {
      const sigs = signAll(PAYLOAD, [key(0), key(1), key(5)]);
      expect(() => verifySignatures(BYTES, sigs, CURRENT.signers)).toThrowRegistryError(
        'BadSignature',
        `signer ${key(5).signerId} is not in the allow-list`,
      );
    });
  });

  describe('when a signature is invalid', () => {
    it('throws BadSignature naming the signer', () => {
      const a = signPayload(PAYLOAD, key(0), NOW);
      // key 1's signature relabelled as key 2's: allow-listed, but it does not verify.
      const forged = { ...signPayload(PAYLOAD, key(1), NOW), signer_id: key(2).signerId };
      expect(() => verifySignatures(BYTES, [a, forged], CURRENT.signers)).toThrowRegistryError(
        'BadSignature',
        `invalid signature by ${key(2).signerId}`,
      );
    });

    it('throws BadSignature for another alg', () => {
      const s = { ...signPayload(PAYLOAD, key(0), NOW), alg: 'ecdsa-p256' };
      expect(() => verifySignatures(BYTES, [s], CURRENT.signers)).toThrowRegistryError(
        'BadSignature',
        'unsupported alg',
      );
    });

    it('throws BadSignature for a signature over another payload', () => {
      const other = signAll(servicePayload({ ts: NOW - 1 }), [key(0)]);
      expect(() => verifySignatures(BYTES, other, CURRENT.signers)).toThrowRegistryError('BadSignature');
    });
  });
});

describe('countQuorum', () => {
  describe('when the valid signers reach the threshold', () => {
    it('is met and counts them', () => {
      expect(countQuorum(ids(0, 1), quorumRules(PAYLOAD, CURRENT))).toEqual({
        signatures: 2,
        threshold: 2,
        met: true,
        short: [],
      });
      expect(countQuorum(ids(0, 1, 2), quorumRules(PAYLOAD, CURRENT)).signatures).toBe(3);
    });
  });

  describe('when below the threshold', () => {
    it('is not met and says how many it has', () => {
      const t = countQuorum(ids(1), quorumRules(PAYLOAD, CURRENT));
      expect(t).toMatchObject({ signatures: 1, threshold: 2, met: false });
      expect(t.short).toEqual(['requires 2 valid signatures from the current signer set (got 1)']);
    });
  });

  describe('when counting a rotation', () => {
    const rotation = governancePayload([key(2), key(3), key(4)], 2, { version: 2, prev: DIGEST_A });
    const rules = quorumRules(rotation, CURRENT);

    it('is met only when both the current and the new thresholds are met', () => {
      expect(countQuorum(ids(0, 1, 3, 4), rules).met).toBe(true);
      // key 2 is in both sets: it counts towards each.
      expect(countQuorum(ids(0, 2, 3), rules).met).toBe(true);
    });

    it('is short of the new set when only the current set signed', () => {
      const t = countQuorum(ids(0, 1), rules);
      expect(t.met).toBe(false);
      expect(t.short).toEqual(['requires 2 valid signatures from the new signer set (got 0)']);
    });

    it('is short of the current set when only the new set signed', () => {
      const t = countQuorum(ids(3, 4), rules);
      expect(t.met).toBe(false);
      expect(t.short).toEqual(['requires 2 valid signatures from the current signer set (got 0)']);
    });

    it('counts each distinct signer once in signatures and reports the current threshold', () => {
      expect(countQuorum(ids(0, 2, 3), rules)).toMatchObject({ signatures: 3, threshold: 2 });
    });
  });

  describe('when a set is not in any rule', () => {
    it('does not count it', () => {
      expect(countQuorum(ids(6, 7), quorumRules(PAYLOAD, CURRENT)).signatures).toBe(0);
    });
  });

  describe('when there are no rules', () => {
    it('is trivially met with threshold 0', () => {
      expect(countQuorum(ids(0), [])).toEqual({ signatures: 0, threshold: 0, met: true, short: [] });
    });
  });
});

describe('assertQuorum', () => {
  describe('when met', () => {
    it('returns', () => {
      expect(() => assertQuorum(countQuorum(ids(0, 1), quorumRules(PAYLOAD, CURRENT)))).not.toThrow();
    });
  });

  describe('when below the threshold', () => {
    it('throws NoQuorum with every unmet rule', () => {
      const rotation = governancePayload([key(3), key(4)], 2, { version: 2, prev: DIGEST_A });
      expect(() => assertQuorum(countQuorum(ids(0), quorumRules(rotation, CURRENT)))).toThrowRegistryError(
        'NoQuorum',
        'requires 2 valid signatures from the current signer set (got 1); requires 2 valid signatures from the new signer set (got 0)',
      );
    });
  });

  describe('when the governance came from a parsed payload', () => {
    it('uses its threshold', () => {
      const g = governanceOf(
        governancePayload([key(0), key(1), key(2)], 3) as Parameters<typeof governanceOf>[0],
      );
      expect(() => assertQuorum(countQuorum(ids(0, 1), quorumRules(PAYLOAD, g)))).toThrowRegistryError(
        'NoQuorum',
      );
    });
  });
});
