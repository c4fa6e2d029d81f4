import { describe, expect, it } from 'vitest';
import type { Capability } from './capability.js';
import { assertUnscopedRead, assertWatchPrefix, canRead, isScoped } from './guard.js';

const cap = (idPrefixes: string[][] = [], kinds: string[][] = []): Capability => ({
  identifier: 't',
  scopes: [['registry:read']],
  idPrefixes,
  kinds,
  expiresAt: undefined,
});

describe('read scoping (SPEC §7)', () => {
  it('reads everything without a token (READ_AUTH off) and with an unscoped one', () => {
    expect(canRead(undefined, 'db-1', 'node')).toBe(true);
    expect(canRead(cap(), 'db-1', 'node')).toBe(true);
    expect(isScoped(cap())).toBe(false);
  });

  it('bounds ids by every id-prefix caveat (any alternative of each) and kinds by every kind caveat', () => {
    const c = cap([['svc-', 'db-'], ['svc-a']], [['service', 'node'], ['service']]);
    expect(canRead(c, 'svc-a1', 'service')).toBe(true);
    expect(canRead(c, 'svc-b1', 'service')).toBe(false);
    expect(canRead(c, 'svc-a1', 'node')).toBe(false);
    expect(canRead(c, 'svc-a1', undefined)).toBe(false);
    expect(canRead(c, 'governance', 'governance')).toBe(true);
  });

  it('lets /log only unscoped read tokens through', () => {
    expect(() => assertUnscopedRead(cap())).not.toThrow();
    expect(() => assertUnscopedRead(undefined)).not.toThrow();
    expect(() => assertUnscopedRead(cap([['svc-']]))).toThrowRegistryError('Forbidden');
    expect(() => assertUnscopedRead(cap([], [['service']]))).toThrowRegistryError('Forbidden');
  });

  it('needs a /watch prefix inside every id-prefix caveat', () => {
    const c = cap([['svc-', 'db-']]);
    expect(() => assertWatchPrefix(c, 'svc-x')).not.toThrow();
    expect(() => assertWatchPrefix(c, 'db-')).not.toThrow();
    expect(() => assertWatchPrefix(c, 'sv')).toThrowRegistryError('Forbidden');
    expect(() => assertWatchPrefix(c, undefined)).toThrowRegistryError('Forbidden');
    expect(() => assertWatchPrefix(cap([], [['service']]), undefined)).not.toThrow();
  });
});
