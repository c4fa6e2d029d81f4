import { describe, expect, it } from 'vitest';
import { key, NOW, servicePayload, signAll } from '../../test/helpers/core-fixtures.js';
import { digestOf, signingBytes } from './canonical.js';
import { parseStoredProposal } from './proposal-record.js';

function record(over: Record<string, unknown> = {}) {
  const payload = servicePayload();
  return {
    proposal_id: digestOf(signingBytes(payload)),
    payload,
    signatures: signAll(payload, [key(0), key(1)]),
    received_at: NOW,
    expires_at: NOW + 1000,
    ...over,
  };
}

describe('parseStoredProposal', () => {
  it('returns a valid record as it was stored', () => {
    const r = record();
    expect(parseStoredProposal(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  describe('when the record is not a proposal', () => {
    it.each([
      ['an unknown field', { extra: 1 }],
      ['a non-integer expiry', { expires_at: 'soon' }],
      ['a payload that fails SPEC §2', { payload: { ...servicePayload(), version: 0 } }],
      [
        'a duplicate signer',
        {
          signatures: [...signAll(servicePayload(), [key(0)]), ...signAll(servicePayload(), [key(0)])],
        },
      ],
      ['an id that is not its payload digest', { proposal_id: 'a'.repeat(64) }],
    ])('throws BadRequest for %s', (_name, over) => {
      expect(() => parseStoredProposal(record(over))).toThrowRegistryError('BadRequest');
    });
  });
});
