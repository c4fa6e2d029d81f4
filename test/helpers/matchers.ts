import { expect } from 'vitest';
import { type ErrorCode, RegistryError } from '../../src/core/errors.js';

/**
 * `expect(fn).toThrowRegistryError('NoQuorum')`: the call throws a `RegistryError` with that
 * code (STYLE §4: tests assert the code, not the message). An optional second argument also
 * matches the message (substring or RegExp), for rules such as "the message names the signer".
 * Under `.rejects` the received value is the rejection itself rather than a function.
 * As in sigstore-js packages/jest/src/matchers/toThrowWithCode.ts.
 */
interface RegistryErrorMatchers<R = unknown> {
  toThrowRegistryError(code: ErrorCode, message?: string | RegExp): R;
}

declare module 'vitest' {
  interface Assertion<T> extends RegistryErrorMatchers<T> {}
  interface AsymmetricMatchersContaining extends RegistryErrorMatchers {}
}

function describeValue(value: unknown): string {
  if (value instanceof RegistryError) return `RegistryError ${value.code}: ${value.message}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}

function messageMatches(actual: string, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
}

expect.extend({
  toThrowRegistryError(received: unknown, code: ErrorCode, message?: string | RegExp) {
    const { isNot, promise } = this;
    let thrown: unknown;
    let didThrow = false;
    if (promise === 'rejects') {
      thrown = received;
      didThrow = true;
    } else if (typeof received === 'function') {
      try {
        (received as () => unknown)();
      } catch (err) {
        thrown = err;
        didThrow = true;
      }
    } else {
      return {
        pass: false,
        message: () => `expected a function (or .rejects), received ${describeValue(received)}`,
      };
    }
    const wanted = `RegistryError ${code}${message === undefined ? '' : ` with message matching ${String(message)}`}`;
    if (!didThrow) {
      return { pass: false, message: () => `expected the function to throw ${wanted}, but it did not throw` };
    }
    const pass =
      thrown instanceof RegistryError && thrown.code === code && messageMatches(thrown.message, message);
    return {
      pass,
      message: () =>
        isNot
          ? `expected the function not to throw ${wanted}, but it did`
          : `expected the function to throw ${wanted}, but it threw ${describeValue(thrown)}`,
      actual: thrown instanceof RegistryError ? thrown.code : describeValue(thrown),
      expected: code,
    };
  },
});
