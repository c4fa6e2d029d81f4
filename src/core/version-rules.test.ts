import { describe, expect, it } from 'vitest';
import { DIGEST_A, DIGEST_B, nodePayload, servicePayload } from '../../test/helpers/core-fixtures.js';
import type { HeadRef } from './descriptor.types.js';
import { assertExtends } from './version-rules.js';

const HEAD: HeadRef = { version: 3, digest: DIGEST_A, kind: 'service' };

describe('assertExtends', () => {
  describe('when the id has no head', () => {
    it('accepts version 1', () => {
      expect(() => assertExtends(servicePayload(), undefined)).not.toThrow();
    });

    it('throws StaleVersion for any other version', () => {
      expect(() =>
        assertExtends(servicePayload({ version: 2, prev: DIGEST_A }), undefined),
      ).toThrowRegistryError('StaleVersion', 'version must be 1');
    });
  });

  describe('when the payload extends the head exactly', () => {
    it('accepts it, deprecation included', () => {
      expect(() => assertExtends(servicePayload({ version: 4, prev: DIGEST_A }), HEAD)).not.toThrow();
      expect(() =>
        assertExtends(servicePayload({ version: 4, prev: DIGEST_A, deprecated: true }), HEAD),
      ).not.toThrow();
    });
  });

  describe('when the version is not head + 1', () => {
    it.each([1, 2, 3, 5, 100])('throws StaleVersion for version %i', (version) => {
      const prev = version === 1 ? null : DIGEST_A;
      expect(() => assertExtends(servicePayload({ version, prev }), HEAD)).toThrowRegistryError(
        'StaleVersion',
        'version must be 4',
      );
    });
  });

  describe('when prev is not the head digest', () => {
    it('throws StaleVersion', () => {
      expect(() => assertExtends(servicePayload({ version: 4, prev: DIGEST_B }), HEAD)).toThrowRegistryError(
        'StaleVersion',
        'is not the digest of head version 3',
      );
    });
  });

  describe('when the kind would change', () => {
    it('throws BadRequest (an id names one thing for its whole history)', () => {
      expect(() =>
        assertExtends(nodePayload({ id: 'svc-storage@us-east-1', version: 4, prev: DIGEST_A }), HEAD),
      ).toThrowRegistryError('BadRequest', 'kind cannot change');
    });

    it('reports StaleVersion first when the version is also wrong', () => {
      expect(() => assertExtends(nodePayload({ version: 9, prev: DIGEST_A }), HEAD)).toThrowRegistryError(
        'StaleVersion',
      );
    });
  });
});
