import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/index.js';
import { envelopeOf, toRegistryError } from './envelope.js';

describe('toRegistryError', () => {
  describe('when given an unknown exception', () => {
    it('answers SPEC §5 500 Internal, not retryable, without the exception text', () => {
      const err = toRegistryError(new TypeError('cannot read properties of undefined (secret-ish detail)'));
      expect(err.code).toBe('Internal');
      expect(err.status).toBe(500);
      expect(err.retryable).toBe(false);
      expect(err.message).not.toContain('secret-ish');
    });
  });

  describe('when given a framework error with a status', () => {
    it('maps 409 to StaleVersion and 503 to StoreUnavailable (one code per status)', () => {
      expect(toRegistryError(Object.assign(new Error('x'), { status: 409 })).code).toBe('StaleVersion');
      expect(toRegistryError(Object.assign(new Error('x'), { status: 503 })).code).toBe('StoreUnavailable');
      expect(toRegistryError(Object.assign(new Error('x'), { status: 418 })).code).toBe('BadRequest');
    });
  });
});

describe('envelopeOf', () => {
  it('carries details only when the error lists them (SPEC §5)', () => {
    const plain = envelopeOf(new RegistryError('NotFound', 'no'), 'r-1', 0);
    expect(Object.keys(plain.error).sort()).toEqual([
      'code',
      'hint',
      'message',
      'request_id',
      'retryable',
      'ts',
    ]);
    const details = [{ path: '/descriptor/body/name', message: 'must be a string' }];
    const listed = envelopeOf(new RegistryError('BadRequest', 'x', undefined, { details }), 'r-2', 0);
    expect(listed.error.details).toEqual(details);
  });
});
