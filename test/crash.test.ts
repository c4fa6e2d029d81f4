/**
 * SPEC §10 crash bar: `kill -9` during applies loses no acknowledged apply. A child process
 * (test/fixtures/crash-writer.ts) applies descriptors on many ids at once through the group
 * committer and prints each acknowledged result; the parent SIGKILLs it at a random moment,
 * then checks the store twice: raw, key by key (SPEC §4 invariants), and through the engine.
 */
import { Level } from 'level';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf, signingBytes } from '../src/core/index.js';
import {
  edgeRoot,
  encodeBase64,
  parseCheckpoint,
  parseEdge,
  parseNote,
  verifyConsistency,
} from '../src/core/tlog/index.js';
import { pad } from '../src/store/index.js';
import { type Ack, crashRun } from './fixtures/crash-run.js';
import { openLevelStore, openTestRegistry, publish, servicePayload, tempDir } from './helpers/fixtures.js';

interface Trial {
  readonly acks: Ack[];
  readonly killAfter: number;
  readonly delayMs: number;
  readonly stderr: string;
}

const dirs: Array<() => void> = [];
afterAll(() => {
  for (const d of dirs.splice(0)) d();
});

const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** One crash: the writer SIGKILLed after `killAfter` acks plus `delayMs`. */
async function crashTrial(path: string, killAfter: number, delayMs: number): Promise<Trial> {
  const { acks, stderr } = await crashRun(path, killAfter, delayMs, 20_000);
  return { acks, killAfter, delayMs, stderr };
}

/** Reads every key of the store with `level` itself and checks the SPEC §4 invariants. */
async function checkKeyspace(path: string): Promise<{ last: number; heads: Map<string, number> }> {
  const db = new Level<string, string>(path, { valueEncoding: 'utf8' });
  const all = await db.iterator().all();
  await db.close();
  const kv = new Map(all);
  expect(kv.get('meta/schema')).toBe('1');

  const logs = all.filter(([k]) => k.startsWith('log/'));
  const last = logs.length;
  // meta/version is the last log seq, and the log is contiguous 1..version.
  expect(kv.get('meta/version')).toBe(String(last));
  logs.forEach(([k], i) => {
    expect(k).toBe(`log/${pad(i + 1)}`);
  });

  const logged = new Set<string>();
  for (const [k, v] of logs) {
    const e = JSON.parse(v) as { seq: number; descriptor_id: string; version: number; digest: string };
    expect(`log/${pad(e.seq)}`).toBe(k);
    const desc = kv.get(`desc/${e.descriptor_id}/v/${pad(e.version)}`);
    expect(desc, `desc of log ${e.seq}`).toBeDefined();
    const { signatures: _, ...payload } = JSON.parse(desc ?? '{}') as Record<string, unknown>;
    expect(digestOf(signingBytes(payload))).toBe(e.digest);
    if (e.seq > 1) {
      expect(JSON.parse(kv.get(`applied/${e.digest}`) ?? 'null')).toEqual({
        descriptor_id: e.descriptor_id,
        descriptor_version: e.version,
        version: e.seq,
      });
      expect(kv.has(`prop/${e.digest}`)).toBe(false);
    }
    logged.add(`${e.descriptor_id}\n${e.version}`);
  }

  // Whole batches only: every desc/ key has its log entry (and the converse, above), every
  // id's versions run 1..head without a gap, each linked to the previous by `prev`.
  const versions = new Map<string, Array<{ version: number; digest: string; prev: unknown }>>();
  for (const [k, v] of all) {
    const m = /^desc\/(.+)\/v\/(\d{20})$/.exec(k);
    if (m === null) continue;
    const [, id = '', n = ''] = m;
    expect(logged.has(`${id}\n${Number(n)}`), `log entry for ${k}`).toBe(true);
    const { signatures: _, ...payload } = JSON.parse(v) as Record<string, unknown>;
    const list = versions.get(id) ?? [];
    list.push({ version: Number(n), digest: digestOf(signingBytes(payload)), prev: payload.prev });
    versions.set(id, list);
  }
  expect(versions.size).toBe(all.filter(([k]) => k.startsWith('head/')).length);
  const heads = new Map<string, number>();
  for (const [id, list] of versions) {
    list.forEach((x, i) => {
      expect(x.version).toBe(i + 1);
      expect(x.prev).toBe(i === 0 ? null : list[i - 1]?.digest);
    });
    expect(kv.get(`head/${id}`)).toBe(String(list.length));
    heads.set(id, list.length);
  }
  // SPEC §13: the tree's edge and its signed checkpoint are in the batches of the entries.
  const edge = parseEdge(new TextEncoder().encode(kv.get('meta/tree') ?? ''));
  expect(edge.size).toBe(last);
  const stored = JSON.parse(kv.get('meta/checkpoint') ?? '{}') as { signed: string };
  const cp = parseCheckpoint(parseNote(stored.signed).text);
  expect(cp.size).toBe(last);
  expect(encodeBase64(cp.rootHash)).toBe(encodeBase64(edgeRoot(edge)));
  return { last, heads };
}

/** The last checkpoint seen of each store, to check the next crash's tree is consistent with it. */
const previous = new Map<string, { size: number; root: Uint8Array }>();

/** Reopens through the engine and checks every acknowledged apply is there. */
async function checkEngine(path: string, acks: readonly Ack[], last: number, heads: Map<string, number>) {
  const { registry } = await openTestRegistry({ store: await openLevelStore(path) });
  try {
    expect(registry.version).toBe(last);
    for (const a of acks) {
      expect(a.version).toBeLessThanOrEqual(last);
      const e = await registry.at(a.descriptor_id, a.descriptor_version);
      expect(e.digest, `${a.descriptor_id} v${a.descriptor_version}`).toBe(a.digest);
    }
    for (const [id, head] of heads) {
      expect(registry.head(id).version).toBe(head);
      const history = await registry.history(id);
      expect(history.map((h) => h.version)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    }
    // SPEC §13: never two roots for one size across kill -9; the new tree extends the old.
    const before = previous.get(path);
    if (before !== undefined) {
      expect(encodeBase64(await registry.log.rootAt(before.size))).toBe(encodeBase64(before.root));
      const proof = before.size < last ? await registry.log.consistency(before.size, last) : [];
      expect(verifyConsistency(before.size, last, proof, before.root, registry.log.root)).toBe(true);
    }
    previous.set(path, { size: last, root: registry.log.root });
    const seqs = (await registry.store.log(0, last + 1)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // The recovered store takes writes again: the next version of an acknowledged id applies.
    const id = acks[acks.length - 1]?.descriptor_id ?? 'svc-crash-0@us-east-1';
    const h = registry.head(id);
    const r = await publish(registry, servicePayload(id, h.version + 1, h.digest));
    expect(r.version).toBe(last + 1);
    expect(r.checkpoint?.size).toBe(last + 1);
    previous.set(path, { size: last + 1, root: registry.log.root });
  } finally {
    await registry.close();
  }
}

describe('crash safety (SPEC §10: kill -9 during applies)', () => {
  // Two stores, three crashes each: a crash of a fresh store, then crashes of a store that
  // already recovered from one (the writer resumes every id from its stored head).
  for (const store of [1, 2]) {
    describe(`store ${store}`, () => {
      const dir = tempDir('registry-crash-');
      dirs.push(dir.cleanup);
      const path = `${dir.path}/db`;
      for (const crash of [1, 2, 3]) {
        it(`crash ${crash}: every acknowledged apply survives SIGKILL`, async () => {
          const trial = await crashTrial(path, randomInt(10, 1200), randomInt(0, 25));
          const ctx = `killAfter=${trial.killAfter} delayMs=${trial.delayMs} acks=${trial.acks.length}`;
          expect(trial.acks.length, ctx).toBeGreaterThanOrEqual(trial.killAfter);
          const { last, heads } = await checkKeyspace(path);
          const lastAck = Math.max(...trial.acks.map((a) => a.version));
          expect(last, ctx).toBeGreaterThanOrEqual(lastAck);
          await checkEngine(path, trial.acks, last, heads);
        });
      }
    });
  }
});
