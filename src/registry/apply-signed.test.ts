import { describe, expect, it } from 'vitest';
import { KEYS, openTestRegistry, proposalBody, servicePayload } from '../../test/helpers/fixtures.js';

describe('Registry.applySigned (SPEC §5 POST /apply)', () => {
  it('applies a descriptor at quorum in one call without storing a proposal', async () => {
    const { registry } = await openTestRegistry();
    const before = registry.version;
    const r = await registry.applySigned(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]), 'ci');
    expect(r).toMatchObject({ version: before + 1, descriptor_id: 'svc-a', descriptor_version: 1 });
    expect(registry.head('svc-a').digest).toBe(r.digest);
    expect(registry.pendingCount).toBe(0);
    expect(await registry.store.proposals()).toEqual([]);
    expect(await registry.store.applied(r.digest)).toMatchObject({
      descriptor_id: 'svc-a',
      version: r.version,
    });
    await registry.close();
  });

  it('answers the same result for the same upload again, and for concurrent copies applies once', async () => {
    const { registry } = await openTestRegistry();
    const body = proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[2]]);
    const results = await Promise.all([1, 2, 3].map(() => registry.applySigned(body, 'ci')));
    expect(new Set(results.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(await registry.applySigned(body, 'ci')).toEqual(results[0]);
    expect(registry.version).toBe(results[0]?.version ?? 0);
    await registry.close();
  });

  it('refuses below quorum (NoQuorum), a foreign signer (BadSignature), a stale version, and stores nothing', async () => {
    const { registry } = await openTestRegistry();
    const v = registry.version;
    await expect(
      registry.applySigned(proposalBody(servicePayload('svc-a'), [KEYS[0]]), 'ci'),
    ).rejects.toThrowRegistryError('NoQuorum');
    await expect(
      registry.applySigned(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[4]]), 'ci'),
    ).rejects.toThrowRegistryError('BadSignature');
    await expect(
      registry.applySigned(
        proposalBody(servicePayload('svc-a', 2, '0'.repeat(64)), [KEYS[0], KEYS[1]]),
        'ci',
      ),
    ).rejects.toThrowRegistryError('StaleVersion');
    expect(registry.version).toBe(v);
    expect(await registry.store.proposals()).toEqual([]);
    await registry.close();
  });

  it('runs the admission steps of a proposal and of an apply', async () => {
    const seen: string[] = [];
    const { registry } = await openTestRegistry({
      admission: {
        proposal: async (p) => {
          seen.push(`proposal ${p.id}`);
        },
        apply: async (rec) => {
          seen.push(`apply ${rec.payload.id}`);
        },
      },
    });
    await registry.applySigned(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]), 'ci');
    expect(seen).toEqual(['proposal svc-a', 'apply svc-a']);
    await registry.close();
  });
});
