import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';

const throwsNoQuorum = () => {
  throw new RegistryError('NoQuorum', 'requires 2 valid signatures (got 1)');
};

describe('toThrowRegistryError', () => {
  describe('when the function throws a RegistryError with the code', () => {
    it('passes, and passes with a matching message', () => {
      expect(throwsNoQuorum).toThrowRegistryError('NoQuorum');
      expect(throwsNoQuorum).toThrowRegistryError('NoQuorum', 'got 1');
      expect(throwsNoQuorum).toThrowRegistryError('NoQuorum', /requires \d/);
    });
  });

  describe('when the code or message differs', () => {
    it('fails', () => {
      expect(() => expect(throwsNoQuorum).toThrowRegistryError('BadRequest')).toThrow(
        /to throw RegistryError BadRequest, but it threw RegistryError NoQuorum/,
      );
      expect(() => expect(throwsNoQuorum).toThrowRegistryError('NoQuorum', 'got 2')).toThrow(/got 2/);
      expect(throwsNoQuorum).not.toThrowRegistryError('BadRequest');
    });
  });

  describe('when the function throws something else or nothing', () => {
    it('fails', () => {
      const plain = () => {
        throw new Error('NoQuorum');
      };
      expect(() => expect(plain).toThrowRegistryError('NoQuorum')).toThrow(/threw Error: NoQuorum/);
      expect(() => expect(() => 1).toThrowRegistryError('NoQuorum')).toThrow(/did not throw/);
      expect(() => 1).not.toThrowRegistryError('NoQuorum');
    });
  });

  describe('when negated and the error matches', () => {
    it('fails', () => {
      expect(() => expect(throwsNoQuorum).not.toThrowRegistryError('NoQuorum')).toThrow(/not to throw/);
    });
  });

  describe('when the received value is not a function', () => {
    it('fails', () => {
      expect(() => expect(42).toThrowRegistryError('NoQuorum')).toThrow(/expected a function/);
    });
  });

  describe('when used with .rejects', () => {
    it('checks the rejection', async () => {
      await expect(Promise.reject(new RegistryError('StaleVersion', 'old'))).rejects.toThrowRegistryError(
        'StaleVersion',
      );
      await expect(
        expect(Promise.reject(new Error('x'))).rejects.toThrowRegistryError('StaleVersion'),
      ).rejects.toThrow(/threw Error: x/);
    });
  });
});
