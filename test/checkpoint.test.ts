import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { GENESIS, NOW, publish, servicePayload, tempDir } from './helpers/fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function dir(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.path;
}

/** Everything a reader can see of the snapshot, for comparing two loads. */
function view(r: Registry) {
  return {
    version: r.version,
    governance: [...r.snapshot.governance.signers],
    heads: [...r.snapshot.heads.values()]
      .map((e) => ({ ...e, bytes: e.bytes.toString('base64') }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    regions: r.snapshot.regions?.bytes.toString(),
  };
}

async function open(path: string, opts: { checkpointEvery?: number } = {}) {
  return Registry.open(await openLevelStore(path), { genesis: GENESIS, now: () => NOW, ...opts });
}

async function dropCheckpoint(path: string): Promise<void> {
  const db = new Level(path);
  for await (const k of db.keys({ gte: 'snap/', lt: 'snap0' })) await db.del(k);
  await db.close();
}

async function fill(r: Registry, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const id = `svc-${i % 7}`;
    const head = r.snapshot.get(id);
    await publish(
      r,
      servicePayload(id, (head?.version ?? 0) + 1, head?.digest ?? null, { deprecated: i % 5 === 0 }),
    );
  }
  await publish(r, {
    id: 'regions',
    version: (r.snapshot.get('regions')?.version ?? 0) + 1,
    kind: 'region_map',
    prev: r.snapshot.get('regions')?.digest ?? null,
    ts: NOW,
    body: { regions: { r1: { services: [] } } },
  });
}

describe('start-up checkpoint', () => {
  it('loads from the checkpoint plus the log after it exactly what a full load gives', async () => {
    const path = dir();
    const r = await open(path, { checkpointEvery: 10 });
    await fill(r, 25);
    await new Promise((res) => setTimeout(res, 50));
    await fill(r, 3, 25);
    await r.close();

    const fromCp = await open(path);
    expect(fromCp.loaded?.fromCheckpoint).toBe(true);
    expect(fromCp.loaded?.read).toBeLessThan(fromCp.snapshot.heads.size);
    const a = view(fromCp);
    await fromCp.close();

    await dropCheckpoint(path);
    const full = await open(path);
    expect(full.loaded?.fromCheckpoint).toBe(false);
    expect(view(full)).toEqual(a);
    await full.close();
  });

  it('falls back to a full load when the checkpoint is damaged or ahead of the store', async () => {
    const path = dir();
    const r = await open(path, { checkpointEvery: 5 });
    await fill(r, 12);
    await new Promise((res) => setTimeout(res, 50));
    await r.close();
    const good = await open(path);
    const expected = view(good);
    await good.close();

    const db = new Level(path);
    await db.put('snap/chunk/00000000', 'garbage');
    await db.close();
    const damaged = await open(path);
    expect(damaged.loaded?.fromCheckpoint).toBe(false);
    expect(view(damaged)).toEqual(expected);
    await damaged.close();

    const db2 = new Level(path);
    await db2.put('snap/meta', JSON.stringify({ seq: 10_000, chunks: 0, rows: 0 }));
    await db2.close();
    const ahead = await open(path);
    expect(ahead.loaded?.fromCheckpoint).toBe(false);
    expect(view(ahead)).toEqual(expected);
    await ahead.close();
  });
});
