import { describe, expect, it } from 'vitest';
import {
  KEYS,
  openLevelStore,
  openTestRegistry,
  proposalBody,
  publish,
  tempDir,
} from '../../test/helpers/fixtures.js';
import { requiredAdded, schemaPayload } from '../../test/helpers/schema-fixtures.js';
import { digestOf, type Payload, RegistryError, signingBytes } from '../core/index.js';
import type { CompatChecker } from './schema-rules.js';
import { isTransitive, versionsAgainst } from './schema-rules.js';

const calls: Array<{ older: unknown; mode: string }> = [];
const spy: CompatChecker = (older, newer, mode, policy) => {
  calls.push({ older: older.schema, mode });
  return requiredAdded(older, newer, mode, policy);
};

function body(required: string[], compatibility?: string): Record<string, unknown> {
  return {
    format: 'json-schema',
    schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required },
    ...(compatibility === undefined ? {} : { compatibility }),
  };
}

function next(id: string, b: Record<string, unknown>, version: number, prev: Payload): Payload {
  return schemaPayload(id, b, version, digestOf(signingBytes(prev)));
}

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe('schema compatibility enforcement', () => {
  describe('when version n+1 breaks the mode of the head', () => {
    it('answers 409 Incompatible at propose with every violation and the version it breaks', async () => {
      const { registry } = await openTestRegistry({ compatibility: spy });
      const v1 = schemaPayload('subject', body([]));
      await publish(registry, v1);
      const err = await refusal(
        registry.propose(proposalBody(next('subject', body(['a', 'b']), 2, v1), [KEYS[0]])),
      );
      expect(err.code).toBe('Incompatible');
      expect(err.details).toEqual([
        { path: '/required', change: 'required-added', message: 'a is now required', against: 1 },
        { path: '/required', change: 'required-added', message: 'b is now required', against: 1 },
      ]);
      expect(err.message).toMatch(/breaks BACKWARD \(strict\) against v1: a is now required \(and 1 more\)/);
      await registry.close();
    });
  });

  describe('when the mode is loosened by a compatible version', () => {
    it('lets the next version follow the loosened mode', async () => {
      const { registry } = await openTestRegistry({ compatibility: spy });
      const v1 = schemaPayload('loosen', body([]));
      await publish(registry, v1);
      const v2 = next('loosen', body([], 'NONE'), 2, v1);
      await publish(registry, v2);
      const v3 = next('loosen', body(['a']), 3, v2);
      await expect(publish(registry, v3)).resolves.toMatchObject({ descriptor_version: 3 });
      await registry.close();
    });
  });

  describe('when the mode in force is transitive', () => {
    it('checks against every earlier version', async () => {
      const { registry } = await openTestRegistry({ compatibility: spy });
      const v1 = schemaPayload('trans', body([], 'BACKWARD_TRANSITIVE'));
      await publish(registry, v1);
      const v2 = next('trans', body([], 'BACKWARD_TRANSITIVE'), 2, v1);
      await publish(registry, v2);
      calls.length = 0;
      const err = await refusal(registry.propose(proposalBody(next('trans', body(['a']), 3, v2), [KEYS[0]])));
      expect(err.details?.map((d) => d.against)).toEqual([1, 2]);
      // Transitivity is which pairs; each pair is checked under the plain mode.
      expect(calls.map((c) => c.mode)).toEqual(['BACKWARD', 'BACKWARD']);
      await registry.close();
    });
  });

  describe('when a proposal admitted without the check is applied', () => {
    it('re-checks at apply, as quorum is', async () => {
      const dir = tempDir();
      // An older build that admitted every proposal: the proposal is stored unchecked.
      const admitAll = { proposal: async () => {}, apply: async () => {} };
      const first = await openTestRegistry({ store: await openLevelStore(dir.path), admission: admitAll });
      const v1 = schemaPayload('upgrade', body([]));
      await publish(first.registry, v1);
      const v2 = next('upgrade', body(['a']), 2, v1);
      const { proposal_id } = await first.registry.propose(proposalBody(v2, [KEYS[0], KEYS[1]]));
      await first.registry.close();
      const second = await openTestRegistry({
        store: await openLevelStore(dir.path),
        compatibility: spy,
      });
      const err = await refusal(second.registry.apply(proposal_id, 'test'));
      expect(err.code).toBe('Incompatible');
      expect(second.registry.head('upgrade').version).toBe(1);
      await second.registry.close();
      dir.cleanup();
    });
  });

  describe('when the proposal is stale', () => {
    it('answers StaleVersion, not Incompatible', async () => {
      const { registry } = await openTestRegistry({ compatibility: spy });
      const v1 = schemaPayload('stale', body([]));
      await publish(registry, v1);
      const err = await refusal(registry.propose(proposalBody(next('stale', body(['a']), 3, v1), [KEYS[0]])));
      expect(err.code).toBe('StaleVersion');
      await registry.close();
    });
  });
});

describe('versionsAgainst', () => {
  it('defaults to the head, or to every version for a transitive mode', () => {
    expect(versionsAgainst(undefined, 'BACKWARD', 3)).toEqual([3]);
    expect(versionsAgainst(undefined, 'FULL_TRANSITIVE', 3)).toEqual([1, 2, 3]);
    expect(versionsAgainst('all', 'NONE', 2)).toEqual([1, 2]);
    expect(versionsAgainst(2, 'BACKWARD', 3)).toEqual([2]);
    expect(() => versionsAgainst(4, 'BACKWARD', 3)).toThrowRegistryError('NotFound');
    expect(isTransitive('FORWARD_TRANSITIVE')).toBe(true);
    expect(isTransitive('FULL')).toBe(false);
  });
});
