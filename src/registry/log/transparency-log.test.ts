import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import {
  KEYS,
  openTestRegistry,
  proposalBody,
  publish,
  servicePayload,
  tempDir,
} from '../../../test/helpers/fixtures.js';
import { canonicalJson, generateSigningKey } from '../../core/index.js';
import {
  ed25519Verifier,
  edgeRoot,
  encodeBase64,
  hashEquals,
  leafHash,
  logLeaf,
  noteSigner,
  openCheckpoint,
  parseEdge,
  referenceRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../core/tlog/index.js';
import { KEY, openLevelStore, type Store, type StoreOp } from '../../store/index.js';
import type { Registry } from '../registry.js';
import { assertLeafFitsAtPropose, entryJcs, leafBytes, leafHashOf } from './leaf-bytes.js';
import { asyncSigner } from './transparency-log.js';

/** Every leaf hash of the store's log, from core's own `logLeaf` (the reference for the engine). */
async function referenceLeaves(store: Store): Promise<Uint8Array[]> {
  const entries = await store.log(0, 1_000_000);
  const bytes = await store.descriptors(entries.map((e) => [e.descriptor_id, e.version] as const));
  return entries.map((e, i) =>
    leafHash(logLeaf(e, JSON.parse(Buffer.from(bytes[i] as Uint8Array).toString()))),
  );
}

async function publishMany(registry: Registry, n: number, prefix = 'svc-'): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await Promise.all(
    ids.map(async (id) => {
      const { proposal_id } = await registry.propose(proposalBody(servicePayload(id), KEYS.slice(0, 2)));
      return registry.apply(proposal_id, 'test');
    }),
  );
}

describe('asyncSigner and entryJcs', () => {
  it('sign the same bytes as core noteSigner and serialise as canonicalJson', async () => {
    const key = generateSigningKey();
    const text = new TextEncoder().encode(
      'example.com/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n',
    );
    const a = asyncSigner('example.com/log', key);
    const b = noteSigner('example.com/log', key);
    expect(a.keyId).toBe(b.keyId);
    expect(Buffer.from(await a.sign(text)).equals(Buffer.from(b.sign(text)))).toBe(true);
    const entry = {
      seq: 3,
      type: 'published' as const,
      descriptor_id: 'svc-"é\u2028',
      version: 2,
      digest: 'ab',
      ts: 1_795_000_000_000,
      applied_by: 'oidc:https://x#y',
    };
    expect(entryJcs(entry)).toBe(canonicalJson(entry));
  });
});

describe('TransparencyLog in the engine', () => {
  it('splices the stored descriptor bytes into the same leaf as core logLeaf', async () => {
    const { registry, store } = await openTestRegistry();
    await publish(registry, servicePayload('svc-a'));
    const [entry] = await store.log(1, 1);
    const bytes = await store.descriptor('svc-a', 1);
    if (entry === undefined || bytes === undefined) throw new Error('missing');
    expect(encodeBase64(leafHashOf(entry, bytes))).toBe(encodeBase64(leafHash(leafBytes(entry, bytes))));
    expect(Buffer.from(leafBytes(entry, bytes)).toString()).toBe(
      Buffer.from(logLeaf(entry, JSON.parse(Buffer.from(bytes).toString()))).toString(),
    );
    await registry.close();
  });

  it('answers each apply with a checkpoint that covers it, signed over the reference root', async () => {
    const key = generateSigningKey();
    const { registry, store } = await openTestRegistry({ log: { key, origin: 'example.com/log' } });
    const result = await publish(registry, servicePayload('svc-a'));
    expect(result.checkpoint?.size).toBeGreaterThanOrEqual(result.version);
    const note = registry.log.served?.note() ?? '';
    const opened = openCheckpoint(
      note,
      [ed25519Verifier('example.com/log', key.publicKey)],
      'example.com/log',
    );
    expect(opened.checkpoint.size).toBe(2);
    expect(hashEquals(opened.checkpoint.rootHash, referenceRoot(await referenceLeaves(store)))).toBe(true);
    await registry.close();
  });

  it('defaults the origin to localhost/registry/<16 hex of the genesis digest>', async () => {
    const { registry, store } = await openTestRegistry();
    const [genesis] = await store.log(0, 1);
    expect(registry.log.origin).toBe(`localhost/registry/${genesis?.digest.slice(0, 16)}`);
    await registry.close();
  });

  it('writes full tiles and the edge in the batches, and proofs verify across the tile boundary', async () => {
    const { registry, store } = await openTestRegistry();
    await publishMany(registry, 300);
    const leaves = await referenceLeaves(store);
    expect(leaves.length).toBe(301);
    const root = referenceRoot(leaves);
    expect(hashEquals(registry.log.root, root)).toBe(true);
    expect((await store.logValue('tile/0/000'))?.length).toBe(8192);
    expect(await store.logValue('tile/0/001')).toBeUndefined();
    const edge = parseEdge((await store.logValue(KEY.tree)) as Uint8Array);
    expect(edge.size).toBe(301);
    expect(hashEquals(edgeRoot(edge), root)).toBe(true);
    for (const [seq, size] of [
      [1, 301],
      [256, 301],
      [257, 301],
      [301, 301],
      [5, 200],
      [260, 290],
    ] as const) {
      const p = await registry.log.inclusion(seq, size);
      const sizeRoot = referenceRoot(leaves.slice(0, size));
      expect(hashEquals(p.leafHash, leaves[seq - 1] as Uint8Array)).toBe(true);
      expect(verifyInclusion(seq - 1, size, p.leafHash, p.hashes, sizeRoot)).toBe(true);
    }
    for (const [from, to] of [
      [1, 301],
      [256, 257],
      [100, 300],
      [301, 301],
    ] as const) {
      const proof = await registry.log.consistency(from, to);
      const ok = verifyConsistency(
        from,
        to,
        proof,
        referenceRoot(leaves.slice(0, from)),
        referenceRoot(leaves.slice(0, to)),
      );
      expect(ok).toBe(true);
    }
    await expect(registry.log.inclusion(302, 302)).rejects.toThrowRegistryError('BadRequest');
    await expect(registry.log.inclusion(10, 5)).rejects.toThrowRegistryError('BadRequest');
    await expect(registry.log.consistency(9, 8)).rejects.toThrowRegistryError('BadRequest');
    await registry.close();
  });

  it('restores the edge and the checkpoint at start without rehashing, and goes on extending', async () => {
    const dir = tempDir();
    const key = generateSigningKey();
    const first = await openTestRegistry({ store: await openLevelStore(dir.path), log: { key } });
    await publishMany(first.registry, 40);
    const note = first.registry.log.latest?.note();
    await first.registry.close();
    const again = await openTestRegistry({ store: await openLevelStore(dir.path), log: { key } });
    expect(again.registry.log.restored.built).toBe(0);
    expect(again.registry.log.latest?.note()).toBe(note);
    await publishMany(again.registry, 260, 'more-');
    expect(hashEquals(again.registry.log.root, referenceRoot(await referenceLeaves(again.store)))).toBe(true);
    await again.registry.close();
    dir.cleanup();
  });

  it('builds the tree once from the log of a store written before it, with the same root', async () => {
    const dir = tempDir();
    const first = await openTestRegistry({ store: await openLevelStore(dir.path) });
    await publishMany(first.registry, 270);
    const root = encodeBase64(first.registry.log.root);
    await first.registry.close();
    const db = new Level<string, Uint8Array>(dir.path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    const keys = await db.keys({ gte: 'tile/', lt: 'tile0' }).all();
    await db.batch([...keys, KEY.tree, KEY.logCheckpoint].map((k) => ({ type: 'del' as const, key: k })));
    await db.close();
    const again = await openTestRegistry({ store: await openLevelStore(dir.path) });
    expect(again.registry.log.restored.built).toBe(271);
    expect(encodeBase64(again.registry.log.root)).toBe(root);
    expect((await again.store.logValue('tile/0/000'))?.length).toBe(8192);
    expect(again.registry.log.latest?.size).toBe(271);
    await again.registry.close();
    const third = await openTestRegistry({ store: await openLevelStore(dir.path) });
    expect(third.registry.log.restored.built).toBe(0);
    await third.registry.close();
    dir.cleanup();
  });

  it('refuses at propose a descriptor whose leaf would not fit an entry bundle (SPEC §13)', () => {
    expect(() => assertLeafFitsAtPropose('svc-big', 65_000)).toThrowRegistryError('PayloadTooLarge');
    expect(() => assertLeafFitsAtPropose('svc-fits', 60_000)).not.toThrow();
    expect(() => assertLeafFitsAtPropose('x'.repeat(3000), 60_000)).toThrowRegistryError('PayloadTooLarge');
  });

  it('discards the checkpoint of a batch whose write failed, and never serves it', async () => {
    const { registry, store } = await openTestRegistry();
    const before = registry.log.latest?.note();
    const append = store.append.bind(store);
    let fail = true;
    store.append = async (appends, extra?: readonly StoreOp[]) => {
      if (fail) throw new Error('disk full');
      return append(appends, extra);
    };
    await expect(publish(registry, servicePayload('svc-a'))).rejects.toThrow();
    expect(registry.log.size).toBe(1);
    expect(registry.log.latest?.note()).toBe(before);
    fail = false;
    const ok = await publish(registry, servicePayload('svc-a'));
    expect(ok.checkpoint?.size).toBe(2);
    expect(hashEquals(registry.log.root, referenceRoot(await referenceLeaves(store)))).toBe(true);
    await registry.close();
  });
});
