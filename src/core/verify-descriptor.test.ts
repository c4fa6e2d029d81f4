import { describe, expect, it } from 'vitest';
import {
  DIGEST_A,
  governancePayload,
  key,
  NOW,
  nodePayload,
  servicePayload,
  signed,
} from '../../test/helpers/core-fixtures.js';
import { digestOf, signingBytes } from './canonical.js';
import { parseDescriptor } from './descriptor.js';
import type { Descriptor, HeadRef } from './descriptor.types.js';
import { type Governance, genesisPayload, governanceOf, parseAllowList } from './governance.js';
import { signPayload } from './keys.js';
import { verifyDescriptor } from './verify-descriptor.js';

const GENESIS = genesisPayload(
  parseAllowList([key(0).signerId, key(1).signerId, key(2).signerId], 2),
  NOW - 5000,
);
const GOV: Governance = governanceOf(GENESIS as Parameters<typeof governanceOf>[0]);
const GOV_HEAD: HeadRef = { version: 1, digest: digestOf(signingBytes(GENESIS)), kind: 'governance' };

/** As a reader gets it: JSON text, parsed. */
const wire = (d: Descriptor): Descriptor => parseDescriptor(JSON.parse(JSON.stringify(d)), NOW);

describe('verifyDescriptor', () => {
  describe('when a new id is signed by a quorum', () => {
    it('returns the bytes, digest and tally, and keeps the governance', () => {
      const p = servicePayload();
      const v = verifyDescriptor(wire(signed(p, [key(0), key(2)])), GOV, undefined);
      expect(v.bytes).toEqual(signingBytes(p));
      expect(v.digest).toBe(digestOf(signingBytes(p)));
      expect(v.tally).toEqual({ signatures: 2, threshold: 2, met: true, short: [] });
      expect(v.governance).toBe(GOV);
    });
  });

  describe('when the next version extends the head', () => {
    it('accepts it', () => {
      const v1 = verifyDescriptor(wire(signed(servicePayload(), [key(0), key(1)])), GOV, undefined);
      const p2 = servicePayload({ version: 2, prev: v1.digest, deprecated: true });
      const head: HeadRef = { version: 1, digest: v1.digest, kind: 'service' };
      expect(verifyDescriptor(wire(signed(p2, [key(1), key(2)])), GOV, head).digest).toBe(
        digestOf(signingBytes(p2)),
      );
    });
  });

  describe('when the version or prev does not extend the head', () => {
    it('throws StaleVersion before looking at signatures', () => {
      const head: HeadRef = { version: 1, digest: DIGEST_A, kind: 'service' };
      const stale = servicePayload({ version: 2, prev: 'c'.repeat(64) });
      expect(() => verifyDescriptor(signed(stale, []), GOV, head)).toThrowRegistryError('StaleVersion');
      expect(() =>
        verifyDescriptor(signed(servicePayload(), [key(0), key(1)]), GOV, head),
      ).toThrowRegistryError('StaleVersion');
    });
  });

  describe('when the kind changes', () => {
    it('throws BadRequest', () => {
      const head: HeadRef = { version: 1, digest: DIGEST_A, kind: 'service' };
      const p = nodePayload({ id: 'svc-storage@us-east-1', version: 2, prev: DIGEST_A });
      expect(() => verifyDescriptor(signed(p, [key(0), key(1)]), GOV, head)).toThrowRegistryError(
        'BadRequest',
      );
    });
  });

  describe('when below the threshold', () => {
    it('throws NoQuorum', () => {
      expect(() =>
        verifyDescriptor(wire(signed(servicePayload(), [key(0)])), GOV, undefined),
      ).toThrowRegistryError('NoQuorum', 'got 1');
      expect(() => verifyDescriptor(signed(servicePayload(), []), GOV, undefined)).toThrowRegistryError(
        'NoQuorum',
      );
    });
  });

  describe('when a signer is not allow-listed, even with a quorum besides', () => {
    it('throws BadSignature naming it', () => {
      const d = signed(servicePayload(), [key(0), key(1), key(6)]);
      expect(() => verifyDescriptor(d, GOV, undefined)).toThrowRegistryError('BadSignature', key(6).signerId);
    });
  });

  describe('when the payload was changed after signing', () => {
    it('throws BadSignature', () => {
      const d = signed(servicePayload(), [key(0), key(1)]);
      const tampered = { ...d, ts: d.ts + 1 } as Descriptor;
      expect(() => verifyDescriptor(tampered, GOV, undefined)).toThrowRegistryError('BadSignature');
    });
  });

  describe('when governance rotates', () => {
    const rotation = governancePayload([key(3), key(4), key(5)], 2, {
      version: 2,
      prev: GOV_HEAD.digest,
      ts: NOW,
    });

    it('accepts current AND new quorums and returns the new governance', () => {
      const v = verifyDescriptor(wire(signed(rotation, [key(0), key(1), key(3), key(4)])), GOV, GOV_HEAD);
      expect(v.governance).toEqual({
        signers: new Set([key(3).signerId, key(4).signerId, key(5).signerId]),
        threshold: 2,
        version: 2,
      });
    });

    it('throws NoQuorum with only the current quorum', () => {
      expect(() =>
        verifyDescriptor(signed(rotation, [key(0), key(1), key(2)]), GOV, GOV_HEAD),
      ).toThrowRegistryError('NoQuorum', 'new signer set');
    });

    it('throws NoQuorum with only the new quorum', () => {
      expect(() =>
        verifyDescriptor(signed(rotation, [key(3), key(4), key(5)]), GOV, GOV_HEAD),
      ).toThrowRegistryError('NoQuorum', 'current signer set');
    });

    it('throws BadSignature for a signer in neither set', () => {
      const d = signed(rotation, [key(0), key(1), key(3), key(4), key(7)]);
      expect(() => verifyDescriptor(d, GOV, GOV_HEAD)).toThrowRegistryError('BadSignature', key(7).signerId);
    });

    it('then requires the new set for the next descriptor', () => {
      const v = verifyDescriptor(signed(rotation, [key(0), key(1), key(3), key(4)]), GOV, GOV_HEAD);
      const next = servicePayload();
      expect(() =>
        verifyDescriptor(signed(next, [key(0), key(1)]), v.governance, undefined),
      ).toThrowRegistryError('BadSignature');
      expect(verifyDescriptor(signed(next, [key(4), key(5)]), v.governance, undefined).tally.met).toBe(true);
    });
  });

  describe('when a signature uses another alg', () => {
    it('throws BadSignature', () => {
      const p = servicePayload();
      const sigs = [signPayload(p, key(0), NOW), { ...signPayload(p, key(1), NOW), alg: 'ed448' }];
      expect(() =>
        verifyDescriptor({ ...p, signatures: sigs } as Descriptor, GOV, undefined),
      ).toThrowRegistryError('BadSignature', 'unsupported alg');
    });
  });
});
