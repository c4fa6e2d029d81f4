import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYS, NOW } from '../../test/helpers/fixtures.js';
import { type Payload, signPayload } from '../core/index.js';
import { descriptorBytes, entryFromBytes, entryFromStored } from './entry.js';

const label = fc.string({ maxLength: 12 });
const payloadArb: fc.Arbitrary<Payload> = fc
  .record({
    id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,20}$/),
    version: fc.integer({ min: 1, max: 1_000_000 }),
    kind: fc.constantFrom('service' as const, 'node' as const),
    deprecated: fc.option(fc.boolean(), { nil: undefined }),
    ts: fc.integer({ min: 0, max: NOW }),
    labels: fc.dictionary(label, label, { maxKeys: 4 }),
    hostile: fc.boolean(),
  })
  .map(({ id, version, kind, deprecated, ts, labels, hostile }) => {
    // Labels that imitate the top-level layout must not fool the fast path.
    const l = hostile ? { ...labels, id, kind: 'governance', signatures: '[],"ts":1,"version":1}' } : labels;
    const body =
      kind === 'service'
        ? { name: id, region: 'r', endpoints: [{ addr: 'h:1', tls: true, weight: 1 }], labels: l }
        : { region: 'r', addr: 'h:1', labels: l };
    return {
      id,
      version,
      kind,
      prev: version === 1 ? null : 'a'.repeat(64),
      ts,
      body,
      ...(deprecated === undefined ? {} : { deprecated }),
    } as Payload;
  });

describe('entryFromStored', () => {
  it('agrees with the full parse on any stored descriptor', () => {
    fc.assert(
      fc.property(payloadArb, fc.integer({ min: 0, max: 3 }), (payload, nsig) => {
        const bytes = descriptorBytes(
          payload,
          KEYS.slice(0, nsig).map((k) => signPayload(payload, k, NOW)),
        );
        expect(entryFromStored(payload.id, payload.version, bytes)).toEqual(entryFromBytes(bytes).entry);
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to the full parse when the layout is not the expected one', () => {
    const bytes = Buffer.from(
      '{"body":{},"id":"x","kind":"node","prev":null,"signatures":[],"ts":1,"version":2}',
    );
    // Version 2 requested but the bytes say 2: fine; ask for 3 and the fast path refuses.
    expect(entryFromStored('x', 3, bytes)).toEqual(entryFromBytes(bytes).entry);
    expect(entryFromStored('y', 2, bytes)).toEqual(entryFromBytes(bytes).entry);
  });
});
