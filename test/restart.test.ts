/**
 * What survives a close and reopen on `level` (SPEC §3, §4, §5): pending proposals with
 * their signatures and expiry, heads, history, the global version and the event log; and
 * what makes a store refuse to open (a newer `meta/schema`, another genesis).
 */
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import type { Registry, StreamItem } from '../src/registry/index.js';
import {
  GENESIS,
  KEYS,
  NOW,
  openLevelStore,
  openTestRegistry,
  proposalBody,
  publish,
  servicePayload,
  tempDir,
} from './helpers/fixtures.js';

const TTL = 60_000;

const dirs: Array<() => void> = [];
const open: Registry[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  for (const d of dirs.splice(0)) d();
});

function dbPath(): string {
  const d = tempDir('registry-restart-');
  dirs.push(d.cleanup);
  return `${d.path}/db`;
}

/** A registry on `level` at `path` whose clock the test moves. */
async function start(path: string, clock: { t: number }, genesis = GENESIS): Promise<Registry> {
  const { registry } = await openTestRegistry({
    store: await openLevelStore(path),
    genesis,
    now: () => clock.t,
    proposalTtlMs: TTL,
  });
  open.push(registry);
  return registry;
}

async function stop(r: Registry): Promise<void> {
  open.splice(open.indexOf(r), 1);
  await r.close();
}

/** Every log entry replayed by `subscribe(0)` until it reports it caught up. */
async function replay(r: Registry): Promise<StreamItem[]> {
  const sub = r.subscribe(0);
  const out: StreamItem[] = [];
  for await (const item of sub) {
    out.push(item);
    if (item.kind === 'caught-up') break;
  }
  sub.close();
  return out;
}

describe('restart on level', () => {
  describe('after a close and reopen', () => {
    it('keeps heads, history, the global version and the event log', async () => {
      const path = dbPath();
      const clock = { t: NOW };
      const r1 = await start(path, clock);
      const a1 = await publish(r1, servicePayload('svc-a'));
      const a2 = await publish(r1, servicePayload('svc-a', 2, a1.digest));
      await publish(r1, servicePayload('svc-b'));
      await publish(r1, servicePayload('svc-a', 3, a2.digest, { deprecated: true }));
      const ids = ['governance', 'svc-a', 'svc-b'];
      const before = {
        version: r1.version,
        heads: ids.map((id) => {
          const e = r1.head(id);
          return { id, version: e.version, digest: e.digest, bytes: e.bytes.toString('base64') };
        }),
        history: await Promise.all(ids.map((id) => r1.history(id))),
        old: (await r1.at('svc-a', 1)).bytes.toString('base64'),
        events: await replay(r1),
        list: r1.list({ limit: 10 }).items.map((e) => [e.id, e.version, e.deprecated]),
      };
      expect(before.version).toBe(5);
      expect(before.events.map((x) => (x.kind === 'entry' ? x.entry.seq : 'caught-up'))).toEqual([
        1,
        2,
        3,
        4,
        5,
        'caught-up',
      ]);
      await stop(r1);

      const r2 = await start(path, clock);
      expect(r2.version).toBe(before.version);
      expect(
        ids.map((id) => {
          const e = r2.head(id);
          return { id, version: e.version, digest: e.digest, bytes: e.bytes.toString('base64') };
        }),
      ).toEqual(before.heads);
      expect(await Promise.all(ids.map((id) => r2.history(id)))).toEqual(before.history);
      expect((await r2.at('svc-a', 1)).bytes.toString('base64')).toBe(before.old);
      expect(await replay(r2)).toEqual(before.events);
      expect(r2.list({ limit: 10 }).items.map((e) => [e.id, e.version, e.deprecated])).toEqual(before.list);

      // The log continues from the stored version, with no gap and no reuse.
      const b2 = await publish(r2, servicePayload('svc-b', 2, r2.head('svc-b').digest));
      expect(b2.version).toBe(6);
    });

    it('keeps pending proposals with their signatures and expiry; an expired one is NotFound', async () => {
      const path = dbPath();
      const clock = { t: NOW };
      const r1 = await start(path, clock);
      // Proposed first, expires at NOW + TTL: gone by the time of the restart below.
      const stale = await r1.propose(proposalBody(servicePayload('svc-old'), [KEYS[0]]));
      clock.t = NOW + 50_000;
      const pending = servicePayload('svc-c');
      const p = await r1.propose(proposalBody(pending, [KEYS[0]]));
      expect(p.status).toBe('pending');
      const p2 = await r1.cosign(p.proposal_id, { signatures: proposalBody(pending, [KEYS[1]]).signatures });
      expect(p2).toMatchObject({ status: 'ready', signatures: 2 });
      const one = await r1.propose(proposalBody(servicePayload('svc-d'), [KEYS[2]]));
      const before = await r1.proposal(p.proposal_id);
      const beforeOne = await r1.proposal(one.proposal_id);
      expect(r1.pendingCount).toBe(3);
      await stop(r1);

      clock.t = NOW + TTL + 10_000;
      const r2 = await start(path, clock);
      expect(r2.pendingCount).toBe(2);
      expect(await r2.proposal(p.proposal_id)).toEqual(before);
      expect(before.expires_at).toBe(new Date(NOW + 50_000 + TTL).toISOString());
      expect(before.signatures.map((s) => s.signer_id)).toEqual([KEYS[0].signerId, KEYS[1].signerId]);
      expect(await r2.proposal(one.proposal_id)).toEqual(beforeOne);
      await expect(r2.proposal(stale.proposal_id)).rejects.toThrowRegistryError('NotFound');
      await expect(r2.apply(stale.proposal_id, 'test')).rejects.toThrowRegistryError('NotFound');
      await expect(
        r2.cosign(stale.proposal_id, {
          signatures: proposalBody(servicePayload('svc-old'), [KEYS[1]]).signatures,
        }),
      ).rejects.toThrowRegistryError('NotFound');

      // The signatures collected before the restart still make the quorum.
      const applied = await r2.apply(p.proposal_id, 'test');
      expect(applied).toMatchObject({ descriptor_id: 'svc-c', descriptor_version: 1, version: 2 });
      // The one-signature proposal still needs its second signer, and gets it after restart.
      await expect(r2.apply(one.proposal_id, 'test')).rejects.toThrowRegistryError('NoQuorum');
      await r2.cosign(one.proposal_id, {
        signatures: proposalBody(servicePayload('svc-d'), [KEYS[0]]).signatures,
      });
      expect(await r2.apply(one.proposal_id, 'test')).toMatchObject({ descriptor_id: 'svc-d', version: 3 });
      await stop(r2);

      // An applied proposal answers the same body after yet another restart.
      const r3 = await start(path, clock);
      expect(r3.pendingCount).toBe(0);
      // SPEC §13: the checkpoint named is the newest, which still covers the entry.
      expect(await r3.apply(p.proposal_id, 'test')).toEqual({ ...applied, checkpoint: { size: 3 } });
      expect((await r3.proposal(p.proposal_id)).status).toBe('applied');
    });
  });

  describe('when meta/schema is "2"', () => {
    it('refuses to open with a message naming the schema', async () => {
      const path = dbPath();
      const r1 = await start(path, { t: NOW });
      await publish(r1, servicePayload('svc-a'));
      await stop(r1);
      const db = new Level<string, string>(path);
      await db.put('meta/schema', '2');
      await db.close();
      await expect(openLevelStore(path)).rejects.toThrowRegistryError(
        'StoreUnavailable',
        /meta\/schema is "2".*understands schema 1.*refusing to start/,
      );
    });
  });

  describe('when the store holds data and the genesis config differs', () => {
    it('refuses to open, naming both signer sets and thresholds', async () => {
      const path = dbPath();
      const r1 = await start(path, { t: NOW });
      await publish(r1, servicePayload('svc-a'));
      await stop(r1);
      const other = { signers: [KEYS[2].signerId, KEYS[3].signerId, KEYS[4].signerId], threshold: 2 };
      const store = await openLevelStore(path);
      try {
        const err = await openTestRegistry({ store, genesis: other }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(() => {
          throw err;
        }).toThrowRegistryError('BadRequest');
        const message = (err as Error).message;
        for (const s of [...GENESIS.signers, ...other.signers]) expect(message).toContain(s);
        expect(message).toMatch(/threshold 2.*threshold 2/);
      } finally {
        await store.close();
      }
      // The same signers with another threshold refuse too.
      const store2 = await openLevelStore(path);
      try {
        await expect(
          openTestRegistry({ store: store2, genesis: { signers: GENESIS.signers, threshold: 3 } }),
        ).rejects.toThrowRegistryError('BadRequest', /threshold 3.*threshold 2/);
      } finally {
        await store2.close();
      }
      // The matching config, or none at all, opens it.
      const r2 = await start(path, { t: NOW });
      expect(r2.head('svc-a').version).toBe(1);
    });
  });
});
