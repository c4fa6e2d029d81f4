import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { decodeUtf8 } from './encoding.js';
import { leafHash } from './hash.js';
import { logLeaf, logLeafHash } from './leaf.js';

const entry = {
  seq: 2,
  type: 'published',
  descriptor_id: 'svc',
  version: 1,
  digest: 'a'.repeat(64),
  ts: 5,
  applied_by: 't',
};

describe('the log leaf (SPEC §13)', () => {
  it('is the JCS of { entry, descriptor }, whatever order the members came in', () => {
    const descriptor = { signatures: [], payload: { z: 1, a: 2 } };
    const text = decodeUtf8(logLeaf(entry, descriptor), 'leaf');
    expect(
      text.startsWith('{"descriptor":{"payload":{"a":2,"z":1},"signatures":[]},"entry":{"applied_by":"t"'),
    ).toBe(true);
    expect(logLeaf({ ...entry }, { payload: { a: 2, z: 1 }, signatures: [] })).toEqual(
      logLeaf(entry, descriptor),
    );
    expect(logLeafHash(entry, descriptor)).toEqual(leafHash(logLeaf(entry, descriptor)));
  });

  it('is refused with PayloadTooLarge past 65,535 bytes', () => {
    const base = logLeaf(entry, { blob: '' }).length;
    expect(logLeaf(entry, { blob: 'x'.repeat(65_535 - base) })).toHaveLength(65_535);
    try {
      logLeaf(entry, { blob: 'x'.repeat(65_536 - base) });
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'PayloadTooLarge')).toBe(true);
    }
  });
});
