import { describe, expect, it } from 'vitest';
import { GENESIS, KEYS, NOW, servicePayload } from '../../../test/helpers/fixtures.js';
import {
  canonicalJson,
  digestOf,
  genesisPayload,
  type HeadRef,
  type Payload,
  type SigningKey,
  signingBytes,
  signPayload,
} from '../../core/index.js';
import { type BatchState, beginBatch } from '../apply-batch.js';
import { prepareReplicated, type ReplicatedItem } from './replicated.js';

/** Cluster mode: what every instance checks on a stream message before it becomes a log entry. */

function message(
  payload: Payload,
  keys: readonly SigningKey[],
  streamSeq: number,
  over: Partial<ReplicatedItem> = {},
) {
  const signatures = keys.map((k) => signPayload(payload, k, NOW));
  return {
    streamSeq,
    id: payload.id,
    bytes: Buffer.from(canonicalJson({ ...payload, signatures }), 'utf8'),
    appliedBy: 'writer-token',
    ts: NOW + streamSeq,
    ...over,
  };
}

const none = (): HeadRef | undefined => undefined;

/** A batch state that has materialized the pinned genesis as seq 1. */
function afterGenesis(): BatchState {
  const state = beginBatch(0, { signers: new Set(), threshold: 1 } as never, NOW);
  prepareReplicated(state, none, message(genesisPayload(GENESIS, NOW), [], 1), GENESIS);
  return state;
}

describe('prepareReplicated', () => {
  it('takes the pinned genesis as seq 1, with the writer apply time and the stream cursor', () => {
    const state = beginBatch(0, { signers: new Set(), threshold: 1 } as never, NOW);
    const g = genesisPayload(GENESIS, NOW);
    const { append, result } = prepareReplicated(state, none, message(g, [], 1), GENESIS);
    expect(append.log).toMatchObject({
      seq: 1,
      descriptor_id: 'governance',
      applied_by: 'writer-token',
      ts: NOW + 1,
    });
    expect(append.proposalId).toBeNull();
    expect(append.streamSeq).toBe(1);
    expect(result).toEqual({
      version: 1,
      descriptor_id: 'governance',
      descriptor_version: 1,
      digest: digestOf(signingBytes(g)),
    });
    expect([...state.governance.signers]).toEqual(GENESIS.signers);
  });

  it('refuses a first message that is not the pinned genesis', () => {
    const fresh = () => beginBatch(0, { signers: new Set(), threshold: 1 } as never, NOW);
    const other = genesisPayload({ signers: [KEYS[3].signerId], threshold: 1 }, NOW);
    expect(() => prepareReplicated(fresh(), none, message(other, [], 1), GENESIS)).toThrowRegistryError(
      'BadSignature',
    );
    const svc = servicePayload('svc-a');
    expect(() =>
      prepareReplicated(fresh(), none, message(svc, [KEYS[0], KEYS[1]], 1), GENESIS),
    ).toThrowRegistryError('BadSignature');
  });

  it('numbers accepted entries densely whatever their stream sequence, and records the digest as applied', () => {
    const state = afterGenesis();
    const svc = servicePayload('svc-a');
    const { append, result } = prepareReplicated(state, none, message(svc, [KEYS[0], KEYS[1]], 7), GENESIS);
    expect(result.version).toBe(2);
    expect(append.streamSeq).toBe(7);
    expect(append.proposalId).toBe(result.digest);
    expect(state.heads.get('svc-a')).toMatchObject({ version: 1, digest: result.digest });
  });

  it('refuses what no instance may serve, leaving the state as it was', () => {
    const state = afterGenesis();
    const svc = servicePayload('svc-a');
    const good = message(svc, [KEYS[0], KEYS[1]], 2);
    const cases: Array<[ReplicatedItem, string]> = [
      [{ ...good, id: undefined }, 'BadRequest'],
      [{ ...good, id: 'svc-b' }, 'BadRequest'],
      [{ ...good, bytes: Buffer.from('not json') }, 'BadRequest'],
      [{ ...good, bytes: Buffer.from(` ${good.bytes.toString()}`) }, 'BadRequest'],
      [message(svc, [KEYS[0]], 2), 'NoQuorum'],
      [message(svc, [KEYS[0], KEYS[4]], 2), 'BadSignature'],
      [message(servicePayload('svc-a', 2, 'a'.repeat(64)), [KEYS[0], KEYS[1]], 2), 'StaleVersion'],
    ];
    for (const [item, code] of cases) {
      expect(() => prepareReplicated(state, none, item, GENESIS)).toThrowRegistryError(code as never);
      expect(state.version).toBe(1);
      expect(state.heads.has('svc-a')).toBe(false);
    }
  });

  it('checks each message under the governance of its stream position (a rotation governs what follows)', () => {
    const state = afterGenesis();
    const g1 = digestOf(signingBytes(genesisPayload(GENESIS, NOW)));
    const rotation = {
      id: 'governance',
      version: 2,
      kind: 'governance',
      body: { signers: [KEYS[3].signerId, KEYS[4].signerId], threshold: 2 },
      prev: g1,
      ts: NOW,
    } as Payload;
    prepareReplicated(state, none, message(rotation, [KEYS[0], KEYS[1], KEYS[3], KEYS[4]], 2), GENESIS);
    const oldSigners = message(servicePayload('svc-a'), [KEYS[0], KEYS[1]], 3);
    expect(() => prepareReplicated(state, none, oldSigners, GENESIS)).toThrowRegistryError('BadSignature');
    const newSigners = message(servicePayload('svc-a'), [KEYS[3], KEYS[4]], 4);
    expect(prepareReplicated(state, none, newSigners, GENESIS).result.version).toBe(3);
  });
});
