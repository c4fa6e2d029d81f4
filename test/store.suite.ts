import { describe, expect, it } from 'vitest';
import { KEY, type LogEntry, type Store } from '../src/store/index.js';

const te = new TextEncoder();

function append(seq: number, id: string, version: number, proposalId: string | null = null) {
  const log: LogEntry = {
    seq,
    type: 'published',
    descriptor_id: id,
    version,
    digest: 'a'.repeat(64),
    ts: 1,
    applied_by: 'test',
  };
  return { log, bytes: te.encode(`{"id":"${id}","version":${version}}`), proposalId, regions: null };
}

/** SPEC §4 conformance: every backend must pass this (as abstract-level's shared suite). */
export function storeSuite(name: string, open: () => Promise<Store>): void {
  describe(`store conformance: ${name}`, () => {
    it('starts empty at version 0 with schema 1', async () => {
      const s = await open();
      expect(await s.version()).toBe(0);
      expect(await s.heads()).toEqual([]);
      await s.close();
    });

    it('appends desc, head, log and meta/version in one batch', async () => {
      const s = await open();
      await s.append([append(1, 'a', 1), append(2, 'b', 1)]);
      expect(await s.version()).toBe(2);
      expect(await s.heads()).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
      expect(new TextDecoder().decode(await s.descriptor('a', 1))).toBe('{"id":"a","version":1}');
      expect((await s.log(0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await s.log(1, 10)).map((e) => e.seq)).toEqual([2]);
      await s.close();
    });

    it('orders versions and seqs numerically (zero padding)', async () => {
      const s = await open();
      const batch = [];
      for (let v = 1; v <= 12; v++) batch.push(append(v, 'a', v));
      await s.append(batch);
      expect((await s.versions('a')).map(([v]) => v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect((await s.log(9, 100)).map((e) => e.seq)).toEqual([10, 11, 12]);
      expect(await s.heads()).toEqual([['a', 12]]);
      await s.close();
    });

    it('keeps versions of ids that share a prefix apart', async () => {
      const s = await open();
      await s.append([append(1, 'svc', 1), append(2, 'svc-x', 1), append(3, 'svc', 2)]);
      expect((await s.versions('svc')).map(([v]) => v)).toEqual([1, 2]);
      expect((await s.versions('svc-x')).map(([v]) => v)).toEqual([1]);
      await s.close();
    });

    describe('when a batch would overwrite a desc/ or log/ key', () => {
      it('refuses the whole batch and writes nothing', async () => {
        const s = await open();
        await s.append([append(1, 'a', 1)]);
        await expect(s.append([append(2, 'b', 1), append(3, 'a', 1)])).rejects.toThrowRegistryError(
          'StoreUnavailable',
        );
        await expect(s.append([append(1, 'c', 1)])).rejects.toThrow(/append-only/);
        expect(await s.version()).toBe(1);
        expect(await s.descriptor('b', 1)).toBeUndefined();
        expect(await s.heads()).toEqual([['a', 1]]);
        await s.close();
      });

      it('refuses a batch that writes the same immutable key twice', async () => {
        const s = await open();
        await expect(s.append([append(1, 'a', 1), append(2, 'a', 1)])).rejects.toThrow(/append-only/);
        expect(await s.version()).toBe(0);
        await s.close();
      });
    });

    it('stores, lists and deletes proposals; records applied ones', async () => {
      const s = await open();
      const p = {
        proposal_id: 'b'.repeat(64),
        payload: { id: 'a' } as never,
        signatures: [],
        received_at: 1,
        expires_at: 2,
      };
      await s.putProposal(p);
      expect(await s.proposals()).toEqual([p]);
      await s.append([append(1, 'a', 1, p.proposal_id)]);
      expect(await s.proposals()).toEqual([]);
      expect(await s.applied(p.proposal_id)).toEqual({
        descriptor_id: 'a',
        descriptor_version: 1,
        version: 1,
      });
      await s.putProposal({ ...p, proposal_id: 'c'.repeat(64) });
      await s.deleteProposals(['c'.repeat(64)]);
      expect(await s.proposals()).toEqual([]);
      await s.close();
    });

    it('writes regions/current with a region map', async () => {
      const s = await open();
      await s.append([{ ...append(1, 'regions', 1), regions: te.encode('{"version":1}') }]);
      expect(new TextDecoder().decode(await s.regions())).toBe('{"version":1}');
      await s.close();
    });

    it('uses the SPEC §4 key names', () => {
      expect(KEY.desc('svc@x', 3)).toBe('desc/svc@x/v/00000000000000000003');
      expect(KEY.log(12)).toBe('log/00000000000000000012');
      expect(KEY.head('a')).toBe('head/a');
      expect(KEY.prop('p')).toBe('prop/p');
      expect(KEY.applied('p')).toBe('applied/p');
    });
  });
}
