import { describe, expect, it } from 'vitest';
import {
  KEYS,
  openTestRegistry,
  proposalBody,
  publish,
  servicePayload,
} from '../../test/helpers/fixtures.js';
import type { LogEntry } from '../store/index.js';
import { type BusEvent, EventBus, type StreamItem, type Subscription } from './bus.js';

/** Collects `n` entries from a subscription (and the caught-up notes on the way). */
async function take(sub: Subscription, n: number): Promise<{ seqs: number[]; items: StreamItem[] }> {
  const seqs: number[] = [];
  const items: StreamItem[] = [];
  if (n === 0) return { seqs, items };
  for await (const item of sub) {
    items.push(item);
    if (item.kind === 'entry') seqs.push(item.entry.seq);
    if (seqs.length === n) break;
  }
  return { seqs, items };
}

describe('EventBus', () => {
  it('replays from the log, then follows live entries with no gap or duplicate', async () => {
    const { registry } = await openTestRegistry();
    for (let i = 0; i < 5; i++) await publish(registry, servicePayload(`svc-${i}`));
    const sub = registry.subscribe(2);
    const done = take(sub, 7);
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 5; i < 9; i++) await publish(registry, servicePayload(`svc-${i}`));
    const { seqs, items } = await done;
    expect(seqs).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(items.find((i) => i.kind === 'caught-up')).toEqual({ kind: 'caught-up', version: 6 });
    await registry.close();
  });

  it('replays from the store when the entries are no longer in memory', async () => {
    const log: LogEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      seq: i + 1,
      type: 'published',
      descriptor_id: `a${i}`,
      version: 1,
      digest: 'd',
      ts: 0,
      applied_by: 't',
    }));
    let reads = 0;
    const bus = new EventBus(
      {
        log: async (after, limit) => {
          reads++;
          return log.slice(after, after + limit);
        },
      },
      0,
    );
    bus.publish(log);
    const { seqs } = await take(bus.subscribe(10), 4990);
    expect(seqs[0]).toBe(11);
    expect(seqs.at(-1)).toBe(5000);
    expect(reads).toBeGreaterThan(0);
  });

  it('closes a subscriber whose buffer overflows as lagged and lets it resume losslessly', async () => {
    const { registry } = await openTestRegistry({ busBound: 2 });
    const sub = registry.subscribe(0);
    const it = sub[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ kind: 'entry' });
    expect((await it.next()).value).toEqual({ kind: 'caught-up', version: 1 });
    // Not reading while three entries arrive: over the bound of 2.
    for (let i = 0; i < 3; i++) await publish(registry, servicePayload(`svc-${i}`));
    expect(sub.closed).toBe('lagged');
    expect(registry.bus.lagged).toBe(1);
    expect((await it.next()).done).toBe(true);
    const { seqs } = await take(registry.subscribe(sub.next - 1), 3);
    expect(seqs).toEqual([2, 3, 4]);
    await registry.close();
  });

  it('emits Published, Deprecated and ConfigUpdated after the snapshot shows the head', async () => {
    const { registry } = await openTestRegistry();
    const seen: Array<BusEvent & { head?: number }> = [];
    registry.bus.on((e) => {
      const head = 'descriptor_id' in e ? registry.snapshot.get(e.descriptor_id)?.version : undefined;
      seen.push(head === undefined ? e : { ...e, head });
    });
    const v1 = await publish(registry, servicePayload('svc-a'));
    await publish(registry, servicePayload('svc-a', 2, v1.digest, { deprecated: true }));
    expect(seen).toEqual([
      { type: 'Published', descriptor_id: 'svc-a', version: 1, ts: expect.any(Number), head: 1 },
      { type: 'ConfigUpdated', version: 2 },
      { type: 'Deprecated', descriptor_id: 'svc-a', version: 2, head: 2 },
      { type: 'ConfigUpdated', version: 3 },
    ]);
    await registry.close();
  });

  it('keeps delivering when a listener throws', async () => {
    const { registry } = await openTestRegistry();
    const seen: string[] = [];
    registry.bus.on(() => {
      throw new Error('listener bug');
    });
    const off = registry.bus.on((e) => seen.push(e.type));
    await publish(registry, servicePayload('svc-a'));
    off();
    await publish(registry, servicePayload('svc-b'));
    expect(seen).toEqual(['Published', 'ConfigUpdated']);
    await registry.close();
  });

  it('ends every stream on shutdown', async () => {
    const { registry } = await openTestRegistry();
    const sub = registry.subscribe(1);
    const done = take(sub, 10);
    await new Promise((r) => setTimeout(r, 5));
    expect(registry.bus.subscribers).toBe(1);
    await registry.close();
    await done;
    expect(sub.closed).toBe('shutdown');
    expect(registry.bus.subscribers).toBe(0);
  });

  it('reports a gap in the log instead of spinning', async () => {
    const gap: LogEntry = {
      seq: 3,
      type: 'published',
      descriptor_id: 'a',
      version: 1,
      digest: 'd',
      ts: 0,
      applied_by: 't',
    };
    const bus = new EventBus({ log: async () => [gap] }, 3);
    await expect(take(bus.subscribe(0), 1)).rejects.toThrowRegistryError('StoreUnavailable');
  });

  it('applies pending proposals while subscribers are attached', async () => {
    const { registry } = await openTestRegistry();
    const subs = [registry.subscribe(0), registry.subscribe(0)];
    const all = subs.map((s) => take(s, 3));
    const { proposal_id } = await registry.propose(proposalBody(servicePayload('x'), [KEYS[0], KEYS[1]]));
    await registry.apply(proposal_id, 't');
    await publish(registry, servicePayload('y'));
    for (const r of await Promise.all(all)) expect(r.seqs).toEqual([1, 2, 3]);
    await registry.close();
  });
});
