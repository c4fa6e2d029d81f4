import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc3339Utc, parseCaveats, parseRfc3339Utc } from './capability-caveats.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const DEC1 = Date.UTC(2026, 11, 1);

describe('parseRfc3339Utc', () => {
  it.each([
    ['2026-12-01T00:00:00Z', DEC1],
    ['2026-12-01T00:00:00.5Z', DEC1 + 500],
    ['2026-12-01T00:00:00.123456789Z', DEC1 + 123],
    ['2028-02-29T23:59:59Z', Date.UTC(2028, 1, 29, 23, 59, 59)],
  ])('reads %s', (text, ms) => {
    expect(parseRfc3339Utc(text)).toBe(ms);
  });

  it.each([
    '2026-12-01',
    '2026-12-01T00:00:00',
    '2026-12-01T00:00:00+00:00',
    '2026-12-01 00:00:00Z',
    '2026-12-01t00:00:00z',
    '2026-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T00:60:00Z',
    '2026-12-01T00:00:60Z',
    '2026-12-01T00:00:00.Z',
    '1764547200',
    'tomorrow',
    '',
  ])('rejects %j', (text) => {
    expect(parseRfc3339Utc(text)).toBeUndefined();
  });

  it('reads back what formatRfc3339Utc writes, rounded down to the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59) }), (ms) => {
        expect(parseRfc3339Utc(formatRfc3339Utc(ms))).toBe(ms - (ms % 1000));
      }),
    );
  });
});

describe('parseCaveats', () => {
  it('collects one list per caveat, in order', () => {
    const set = parseCaveats(
      [
        'scope = registry:propose registry:apply',
        'id-prefix = svc- node-',
        'kind = service node',
        'scope = registry:apply',
        'kind = node',
      ],
      NOW,
    );
    expect(set).toEqual({
      scopes: [['registry:propose', 'registry:apply'], ['registry:apply']],
      idPrefixes: [['svc-', 'node-']],
      kinds: [['service', 'node'], ['node']],
      expiresAt: undefined,
    });
  });

  it('takes the earliest time caveat as expiresAt', () => {
    const set = parseCaveats(['time < 2026-12-01T00:00:00Z', 'time < 2026-11-30T00:00:00Z'], NOW);
    expect(set.expiresAt).toBe(Date.UTC(2026, 10, 30));
  });

  describe('when a time caveat has passed', () => {
    it('holds strictly before the instant', () => {
      expect(parseCaveats(['time < 2026-12-01T00:00:00Z'], DEC1 - 1).expiresAt).toBe(DEC1);
    });
    it.each([DEC1, DEC1 + 1])('throws Unauthorized at now = %d', (now) => {
      expect(() => parseCaveats(['time < 2026-12-01T00:00:00Z'], now)).toThrowRegistryError('Unauthorized');
    });
    it('throws Unauthorized when any one of several has passed', () => {
      expect(() =>
        parseCaveats(['time < 2027-01-01T00:00:00Z', 'time < 2026-01-01T00:00:00Z'], NOW),
      ).toThrowRegistryError('Unauthorized', 'expired');
    });
  });

  it.each([
    ['an unknown predicate', 'account = alice'],
    ['a predicate in other case', 'Scope = registry:read'],
    ['an unknown scope', 'scope = registry:admin'],
    ['a known and an unknown scope', 'scope = registry:read registry:admin'],
    ['no values', 'scope = '],
    ['no spaces around =', 'scope=registry:read'],
    ['a double space', 'scope = registry:read  registry:apply'],
    ['a trailing space', 'kind = service '],
    ['a tab', 'kind = service\tnode'],
    ['a newline', 'kind = service\nnode'],
    ['another operator', 'time > 2026-12-01T00:00:00Z'],
    ['a malformed time', 'time < next tuesday'],
    ['a time with an offset', 'time < 2026-12-01T00:00:00+01:00'],
    ['an impossible date', 'time < 2026-02-30T00:00:00Z'],
    ['an empty caveat', ''],
  ])('throws Unauthorized for %s', (_what, caveat) => {
    expect(() => parseCaveats(['scope = registry:read', caveat], NOW)).toThrowRegistryError('Unauthorized');
  });

  it('does not echo the caveat text in its message', () => {
    try {
      parseCaveats(['MARKER-c4v34t = 1'], NOW);
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('MARKER');
    }
  });
});
