import { describe, expect, it } from 'vitest';
import {
  GENESIS,
  KEYS,
  NOW,
  openTestRegistry,
  proposalBody,
  publish,
  servicePayload,
} from '../../test/helpers/fixtures.js';
import { type SignerId, signPayload } from '../core/index.js';
import { openMemoryStore } from '../store/index.js';
import { Registry } from './registry.js';

describe('Registry.open', () => {
  describe('on an empty store', () => {
    it('applies the genesis as seq 1 without signatures', async () => {
      const { registry } = await openTestRegistry();
      expect(registry.version).toBe(1);
      const g = registry.head('governance');
      expect(g.version).toBe(1);
      expect(JSON.parse(g.bytes.toString())).toMatchObject({ id: 'governance', prev: null, signatures: [] });
      expect([...registry.snapshot.governance.signers]).toEqual(GENESIS.signers);
      await registry.close();
    });

    it('refuses to start without a genesis configuration', async () => {
      await expect(Registry.open(await openMemoryStore(), {})).rejects.toThrow(/SIGNER_ALLOWLIST/);
    });
  });
});

describe('Registry.propose', () => {
  it('answers pending below the threshold and ready at it', async () => {
    const { registry } = await openTestRegistry();
    const p = servicePayload('svc-a');
    const one = await registry.propose(proposalBody(p, [KEYS[0]]));
    expect(one).toMatchObject({ status: 'pending', signatures: 1, threshold: 2 });
    expect(one.proposal_id).toMatch(/^[0-9a-f]{64}$/);
    const two = await registry.propose(proposalBody(p, [KEYS[1]]));
    expect(two).toMatchObject({ proposal_id: one.proposal_id, status: 'ready', signatures: 2 });
    expect(two.expires_at).toBe(one.expires_at);
    await registry.close();
  });

  it('accepts a proposal without signatures as pending', async () => {
    const { registry } = await openTestRegistry();
    const s = await registry.propose(proposalBody(servicePayload('svc-a'), []));
    expect(s).toMatchObject({ status: 'pending', signatures: 0 });
    await registry.close();
  });

  describe('when a signer is not allow-listed', () => {
    it('throws BadSignature and stores nothing', async () => {
      const { registry } = await openTestRegistry();
      const p = servicePayload('svc-a');
      await expect(registry.propose(proposalBody(p, [KEYS[0], KEYS[4]]))).rejects.toThrowRegistryError(
        'BadSignature',
      );
      expect(registry.pendingCount).toBe(0);
      await registry.close();
    });
  });

  describe('when a signature is over other bytes', () => {
    it('throws BadSignature naming the signer', async () => {
      const { registry } = await openTestRegistry();
      const p = servicePayload('svc-a');
      const other = servicePayload('svc-b');
      const body = { descriptor: p, signatures: [signPayload(other, KEYS[0], NOW)] };
      await expect(registry.propose(body)).rejects.toThrow(KEYS[0].signerId);
      await registry.close();
    });
  });

  describe('when the version does not extend the head', () => {
    it('throws StaleVersion', async () => {
      const { registry } = await openTestRegistry();
      await publish(registry, servicePayload('svc-a'));
      await expect(
        registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0]])),
      ).rejects.toThrowRegistryError('StaleVersion');
      await expect(
        registry.propose(proposalBody(servicePayload('svc-a', 2, 'f'.repeat(64)), [KEYS[0]])),
      ).rejects.toThrowRegistryError('StaleVersion');
      await registry.close();
    });
  });

  describe('when the body is malformed', () => {
    it('throws BadRequest', async () => {
      const { registry } = await openTestRegistry();
      await expect(
        registry.propose({ descriptor: { id: 'x' }, signatures: [] }),
      ).rejects.toThrowRegistryError('BadRequest');
      await expect(
        registry.propose({ descriptor: servicePayload('a'), signatures: [], x: 1 }),
      ).rejects.toThrowRegistryError('BadRequest');
      await registry.close();
    });
  });
});

describe('Registry.cosign', () => {
  it('adds signatures until the proposal is ready', async () => {
    const { registry } = await openTestRegistry();
    const p = servicePayload('svc-a');
    const { proposal_id } = await registry.propose(proposalBody(p, [KEYS[0]]));
    const s = await registry.cosign(proposal_id, { signatures: [signPayload(p, KEYS[2], NOW)] });
    expect(s).toMatchObject({ status: 'ready', signatures: 2 });
    await registry.close();
  });

  it('keeps one signature per signer when a signer signs twice across requests', async () => {
    const { registry } = await openTestRegistry();
    const p = servicePayload('svc-a');
    const { proposal_id } = await registry.propose(proposalBody(p, [KEYS[0]]));
    const s = await registry.cosign(proposal_id, { signatures: [signPayload(p, KEYS[0], NOW + 1)] });
    expect(s.signatures).toBe(1);
    expect((await registry.proposal(proposal_id)).signatures).toHaveLength(1);
    await registry.close();
  });

  it('throws NotFound for an unknown or expired proposal', async () => {
    let now = NOW;
    const { registry } = await openTestRegistry({ now: () => now, proposalTtlMs: 1000 });
    await expect(registry.cosign('0'.repeat(64), { signatures: [] })).rejects.toThrowRegistryError(
      'NotFound',
    );
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0]]));
    now += 1000;
    await expect(registry.cosign(proposal_id, { signatures: [] })).rejects.toThrowRegistryError('NotFound');
    await expect(registry.proposal(proposal_id)).rejects.toThrowRegistryError('NotFound');
    await expect(registry.apply(proposal_id, 't')).rejects.toThrowRegistryError('NotFound');
    expect(await registry.sweep()).toBe(1);
    expect(await registry.store.proposals()).toEqual([]);
    await registry.close();
  });
});

describe('Registry.apply', () => {
  it('publishes the head with its exact bytes, digest and a new global version', async () => {
    const { registry } = await openTestRegistry();
    const p = servicePayload('svc-a');
    const { proposal_id } = await registry.propose(proposalBody(p, [KEYS[0], KEYS[1]]));
    const r = await registry.apply(proposal_id, 'tok-1');
    expect(r).toEqual({
      version: 2,
      descriptor_id: 'svc-a',
      descriptor_version: 1,
      digest: proposal_id,
      checkpoint: { size: 2 },
    });
    const head = registry.head('svc-a');
    expect(head.digest).toBe(proposal_id);
    expect(head.etag).toBe(`"${proposal_id}"`);
    const stored = JSON.parse(head.bytes.toString());
    expect(stored.signatures).toHaveLength(2);
    const [log] = await registry.store.log(1, 10);
    expect(log).toMatchObject({ seq: 2, type: 'published', descriptor_id: 'svc-a', applied_by: 'tok-1' });
    await registry.close();
  });

  it('answers the same body when applied again', async () => {
    const { registry } = await openTestRegistry();
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]));
    const first = await registry.apply(proposal_id, 't');
    expect(await registry.apply(proposal_id, 't')).toEqual(first);
    const view = await registry.proposal(proposal_id);
    const { checkpoint: _, ...applied } = first;
    expect(view).toMatchObject({ status: 'applied', applied, expires_at: null });
    expect(registry.version).toBe(2);
    await registry.close();
  });

  it('applies concurrent calls of one proposal once', async () => {
    const { registry } = await openTestRegistry();
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]));
    const results = await Promise.all([1, 2, 3].map(() => registry.apply(proposal_id, 't')));
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([2]));
    expect(registry.version).toBe(2);
    await registry.close();
  });

  it('throws NoQuorum below the threshold and keeps the proposal pending', async () => {
    const { registry } = await openTestRegistry();
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0]]));
    await expect(registry.apply(proposal_id, 't')).rejects.toThrowRegistryError('NoQuorum');
    expect((await registry.proposal(proposal_id)).status).toBe('pending');
    expect(registry.version).toBe(1);
    await registry.close();
  });

  it('lets exactly one of two competing proposals for one version win', async () => {
    const { registry } = await openTestRegistry();
    const a = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]));
    const b = await registry.propose(
      proposalBody(servicePayload('svc-a', 1, null, { ts: NOW + 1 }), [KEYS[1], KEYS[2]]),
    );
    const results = await Promise.allSettled([
      registry.apply(a.proposal_id, 't'),
      registry.apply(b.proposal_id, 't'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'StaleVersion' });
    // A proposal that lost the race keeps answering StaleVersion.
    const loser = results[0]?.status === 'rejected' ? a : b;
    await expect(registry.apply(loser.proposal_id, 't')).rejects.toThrowRegistryError('StaleVersion');
    await expect(registry.cosign(loser.proposal_id, { signatures: [] })).rejects.toThrowRegistryError(
      'StaleVersion',
    );
    await registry.close();
  });

  it('coalesces concurrent applies across ids into contiguous seqs', async () => {
    const { registry } = await openTestRegistry();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(
        (await registry.propose(proposalBody(servicePayload(`svc-${i}`), [KEYS[0], KEYS[1]]))).proposal_id,
      );
    }
    const results = await Promise.all(ids.map((id) => registry.apply(id, 't')));
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 2),
    );
    expect((await registry.store.log(0, 100)).map((e) => e.seq)).toEqual(
      Array.from({ length: 51 }, (_, i) => i + 1),
    );
    await registry.close();
  });

  describe('deprecation', () => {
    it('is a new version logged as deprecated and still served', async () => {
      const { registry } = await openTestRegistry();
      const v1 = await publish(registry, servicePayload('svc-a'));
      await publish(registry, servicePayload('svc-a', 2, v1.digest, { deprecated: true }));
      const head = registry.head('svc-a');
      expect(head).toMatchObject({ version: 2, deprecated: true });
      const [, log] = await registry.store.log(1, 10);
      expect(log).toMatchObject({ type: 'deprecated', version: 2 });
      expect(registry.snapshot.counts()).toEqual({ published: 1, deprecated: 1 });
      expect((await registry.history('svc-a')).map((h) => h.deprecated)).toEqual([false, true]);
      await registry.close();
    });
  });
});

describe('governance rotation', () => {
  const rotation = (prev: string, signers: SignerId[], threshold: number) =>
    ({
      id: 'governance',
      version: 2,
      kind: 'governance',
      prev,
      ts: NOW,
      body: { signers, threshold },
    }) as const;

  it('needs the threshold of the current set AND of the new set', async () => {
    const { registry } = await openTestRegistry();
    const g1 = registry.head('governance').digest;
    const next = rotation(g1, [KEYS[2].signerId, KEYS[3].signerId, KEYS[4].signerId], 2);
    // Two of the current set but only one of the new set.
    const { proposal_id } = await registry.propose(proposalBody(next, [KEYS[0], KEYS[2]]));
    await expect(registry.apply(proposal_id, 't')).rejects.toThrow(/new signer set/);
    await registry.cosign(proposal_id, { signatures: [signPayload(next, KEYS[3], NOW)] });
    await registry.apply(proposal_id, 't');
    expect([...registry.snapshot.governance.signers]).toEqual(next.body.signers);
    // The removed signers no longer count; the new ones do.
    await expect(publish(registry, servicePayload('svc-a'), [KEYS[0], KEYS[1]])).rejects.toThrowRegistryError(
      'BadSignature',
    );
    await publish(registry, servicePayload('svc-a'), [KEYS[3], KEYS[4]]);
    await registry.close();
  });

  it('recounts a pending proposal against the governance at apply time', async () => {
    const { registry } = await openTestRegistry();
    const pending = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]));
    const g1 = registry.head('governance').digest;
    const next = rotation(g1, [KEYS[1].signerId, KEYS[2].signerId, KEYS[3].signerId], 2);
    await publish(registry, next, [KEYS[1], KEYS[2], KEYS[3]]);
    // KEYS[0] was removed: only KEYS[1] still counts.
    await expect(registry.apply(pending.proposal_id, 't')).rejects.toThrowRegistryError('NoQuorum');
    expect(await registry.proposal(pending.proposal_id)).toMatchObject({ status: 'pending' });
    await registry.close();
  });

  it('stores only the signatures of signers allow-listed at apply time', async () => {
    const { registry } = await openTestRegistry();
    const pending = await registry.propose(
      proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1], KEYS[2]]),
    );
    const next = rotation(registry.head('governance').digest, [KEYS[1].signerId, KEYS[2].signerId], 2);
    await publish(registry, next, [KEYS[1], KEYS[2]]);
    await registry.apply(pending.proposal_id, 't');
    const stored = JSON.parse(registry.head('svc-a').bytes.toString());
    expect(stored.signatures.map((s: { signer_id: string }) => s.signer_id)).toEqual([
      KEYS[1].signerId,
      KEYS[2].signerId,
    ]);
    await registry.close();
  });
});

describe('reads', () => {
  it('serves older versions from the store and the LRU, NotFound otherwise', async () => {
    const { registry } = await openTestRegistry({ readCacheCap: 1 });
    const v1 = await publish(registry, servicePayload('svc-a'));
    const v2 = await publish(registry, servicePayload('svc-a', 2, v1.digest));
    await publish(registry, servicePayload('svc-a', 3, v2.digest));
    expect((await registry.at('svc-a', 1)).digest).toBe(v1.digest);
    expect((await registry.at('svc-a', 2)).digest).toBe(v2.digest);
    expect((await registry.at('svc-a', 1)).digest).toBe(v1.digest);
    expect((await registry.at('svc-a', 3)).version).toBe(3);
    await expect(registry.at('svc-a', 4)).rejects.toThrowRegistryError('NotFound');
    await expect(registry.at('svc-a', 0)).rejects.toThrowRegistryError('NotFound');
    await expect(registry.at('nope', 1)).rejects.toThrowRegistryError('NotFound');
    await expect(registry.history('nope')).rejects.toThrowRegistryError('NotFound');
    expect((await registry.history('svc-a')).map((h) => h.version)).toEqual([1, 2, 3]);
    await registry.close();
  });

  it('serves the region map once one is applied', async () => {
    const { registry } = await openTestRegistry();
    expect(() => registry.regionMap()).toThrowRegistryError('NotFound');
    const regions = {
      'us-east-1': { services: [{ id: 'svc-a', addr: '10.0.0.7:443', tls: true, weight: 100 }] },
    };
    const r = await publish(registry, {
      id: 'regions',
      version: 1,
      kind: 'region_map',
      prev: null,
      ts: NOW,
      body: { regions },
    });
    expect(JSON.parse(registry.regionMap().toString())).toEqual({ version: 1, digest: r.digest, regions });
    await registry.close();
  });

  it('lists heads by id, filtered by kind and prefix, in pages', async () => {
    const { registry } = await openTestRegistry();
    for (const id of ['svc-c', 'svc-a', 'node-1', 'svc-b']) {
      const p =
        id === 'node-1'
          ? ({
              id,
              version: 1,
              kind: 'node',
              prev: null,
              ts: NOW,
              body: { region: 'r', addr: '10.0.0.1:1' },
            } as const)
          : servicePayload(id);
      await publish(registry, p);
    }
    const page1 = registry.list({ kind: 'service', limit: 2 });
    expect(page1.items.map((e) => e.id)).toEqual(['svc-a', 'svc-b']);
    expect(page1.more).toBe(true);
    const page2 = registry.list({ kind: 'service', limit: 2, after: 'svc-b' });
    expect(page2).toMatchObject({ more: false });
    expect(page2.items.map((e) => e.id)).toEqual(['svc-c']);
    expect(registry.list({ prefix: 'node', limit: 10 }).items.map((e) => e.id)).toEqual(['node-1']);
    expect(registry.list({ limit: 100 }).items.map((e) => e.id)).toEqual([
      'governance',
      'node-1',
      'svc-a',
      'svc-b',
      'svc-c',
    ]);
    await registry.close();
  });
});

describe('Registry.close', () => {
  it('finishes in-flight applies, then refuses writes', async () => {
    const { registry } = await openTestRegistry();
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]]));
    const inflight = registry.apply(proposal_id, 't');
    await registry.close();
    await expect(inflight).resolves.toMatchObject({ version: 2 });
    await expect(registry.propose(proposalBody(servicePayload('b'), []))).rejects.toThrowRegistryError(
      'StoreUnavailable',
    );
  });
});
