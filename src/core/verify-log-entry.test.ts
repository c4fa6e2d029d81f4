import { describe, expect, it } from 'vitest';
import { key, NOW, servicePayload, signed } from '../../test/helpers/core-fixtures.js';
import { canonicalJson, digestOf, signingBytes } from './canonical.js';
import type { Descriptor } from './descriptor.types.js';
import { type Governance, genesisPayload } from './governance.js';
import { type LogPosition, verifyLogEntry } from './verify-log-entry.js';

/** SPEC §2, §3, §6: the one check of a log entry the watcher, the mirror and the cluster share. */

const pinned = { signers: [key(0).signerId, key(1).signerId, key(2).signerId], threshold: 2 };
const governance: Governance = { signers: new Set(pinned.signers), threshold: 2, version: 1 };
const genesis: Descriptor = { ...genesisPayload(pinned, NOW), signatures: [] };
const svc = signed(servicePayload(), [key(0), key(1)]);
const at: LogPosition = { governance, head: undefined, pinned };
const digest = (d: Descriptor) => {
  const { signatures: _, ...payload } = d;
  return digestOf(signingBytes(payload));
};

describe('verifyLogEntry', () => {
  it('takes the pinned genesis as the first entry, and returns the governance it starts', () => {
    const v = verifyLogEntry({ where: 'seq 1', id: 'governance' }, genesis, canonicalJson(genesis), {
      ...at,
      governance: undefined,
    });
    expect(v.governance).toMatchObject({ threshold: 2, version: 1 });
    expect(v.digest).toBe(digest(genesis));
  });

  it('takes a quorum-signed entry that extends the head, named by its envelope', () => {
    const claim = { where: 'seq 2', id: svc.id, version: 1, digest: digest(svc), type: 'registry.published' };
    const v = verifyLogEntry(claim, svc, Buffer.from(canonicalJson(svc)), at);
    expect(v.payload.id).toBe(svc.id);
    expect(v.governance).toBe(governance);
  });

  describe('when a step fails', () => {
    const other = { ...pinned, threshold: 3 };
    it.each([
      [
        'the envelope names no descriptor',
        () => verifyLogEntry({ where: 'm', id: undefined }, svc, undefined, at),
        'BadRequest',
      ],
      [
        'the envelope names another id',
        () => verifyLogEntry({ where: 'm', id: 'x' }, svc, undefined, at),
        'BadRequest',
      ],
      [
        'the logged digest differs',
        () => verifyLogEntry({ where: 'm', id: svc.id, digest: 'a'.repeat(64) }, svc, undefined, at),
        'BadSignature',
      ],
      [
        'the event type differs',
        () => verifyLogEntry({ where: 'm', id: svc.id, type: 'registry.deprecated' }, svc, undefined, at),
        'BadRequest',
      ],
      [
        'the bytes are not JCS',
        () => verifyLogEntry({ where: 'm', id: svc.id }, svc, ` ${canonicalJson(svc)}`, at),
        'BadRequest',
      ],
      [
        'the genesis is not the pinned one',
        () =>
          verifyLogEntry({ where: 'm', id: 'governance' }, genesis, undefined, {
            ...at,
            governance: undefined,
            pinned: other,
          }),
        'BadSignature',
      ],
      [
        'the first entry is not a genesis',
        () => verifyLogEntry({ where: 'm', id: svc.id }, svc, undefined, { ...at, governance: undefined }),
        'BadSignature',
      ],
      [
        'it does not extend the head',
        () =>
          verifyLogEntry({ where: 'm', id: svc.id }, svc, undefined, {
            ...at,
            head: { version: 1, digest: digest(svc), kind: 'service' },
          }),
        'StaleVersion',
      ],
      [
        'it lacks a quorum',
        () => verifyLogEntry({ where: 'm', id: svc.id }, signed(servicePayload(), [key(0)]), undefined, at),
        'NoQuorum',
      ],
    ] as const)('refuses when %s', (_name, run, code) => {
      expect(run).toThrowRegistryError(code);
    });
  });
});
