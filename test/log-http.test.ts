import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consistencyProof,
  ed25519Verifier,
  encodeBase64,
  hashEquals,
  leafHash,
  logLeaf,
  memoryHashReader,
  openCheckpoint,
  parseBundle,
  parseTlogProof,
  referenceRoot,
  tileBytes,
  verifyConsistency,
  verifyInclusion,
  verifyTlogProof,
} from '../src/core/tlog/index.js';
import type { Registry } from '../src/registry/index.js';
import { KEYS, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let registry: Registry;
let leaves: Uint8Array[];

/** 299 entries through the engine (fast) and the 300th through HTTP: 300 leaves, one full tile and a partial one. */
beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  registry = srv.running.state.registry as Registry;
  await Promise.all(
    Array.from({ length: 298 }, async (_, i) => {
      const { proposal_id } = await registry.propose(
        proposalBody(servicePayload(`svc-${i}`), KEYS.slice(0, 2)),
      );
      return registry.apply(proposal_id, 'bulk');
    }),
  );
  const entries = await registry.store.log(0, 1000);
  const bytes = await registry.store.descriptors(entries.map((e) => [e.descriptor_id, e.version] as const));
  leaves = entries.map((e, i) => {
    const d = JSON.parse(Buffer.from(bytes[i] as Uint8Array).toString());
    return logLeaf(e, d);
  });
});
afterAll(async () => {
  await srv.stop();
});

const base = () => `${srv.url}/v1/registry/log`;
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base()}${path}`, { headers });

async function expectBadRequest(path: string, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
}

describe('POST /apply', () => {
  it('answers checkpoint.size covering the entry, and the log checkpoint then has that size', async () => {
    const token = srv.token(ALL_SCOPES);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const p = await fetch(`${srv.url}/v1/registry/proposals`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(proposalBody(servicePayload('svc-http'), KEYS.slice(0, 2))),
    });
    const { proposal_id } = (await p.json()) as { proposal_id: string };
    const a = await fetch(`${srv.url}/v1/registry/apply/${proposal_id}`, { method: 'POST', headers: auth });
    const body = (await a.json()) as { version: number; checkpoint: { size: number } };
    expect(body.version).toBe(300);
    expect(body.checkpoint.size).toBeGreaterThanOrEqual(300);
    const [last] = await registry.store.log(299, 1);
    const d = await registry.store.descriptor('svc-http', 1);
    leaves.push(logLeaf(last, JSON.parse(Buffer.from(d as Uint8Array).toString())));
  });
});

describe('GET /log/checkpoint', () => {
  it('serves the signed note, text/plain and no-cache, over the tree of every leaf', async () => {
    const res = await get('/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const origin = registry.log.origin as string;
    const opened = openCheckpoint(
      await res.text(),
      [ed25519Verifier(origin, registry.log.key.publicKey)],
      origin,
    );
    expect(opened.checkpoint.size).toBe(300);
    expect(hashEquals(opened.checkpoint.rootHash, referenceRoot(leaves.map(leafHash)))).toBe(true);
  });

  it('answers 405 to a POST', async () => {
    const res = await fetch(`${base()}/checkpoint`, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});

describe('GET /log/tile/…', () => {
  it('serves a full tile immutable and byte-equal to the reference', async () => {
    const res = await get('/tile/0/000');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const expected = tileBytes({ level: 0, index: 0, width: 256 }, memoryHashReader(leaves.map(leafHash)));
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('serves partial tiles (no-cache) up to the tree, 404 beyond it', async () => {
    const res = await get('/tile/0/001.p/44');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const expected = tileBytes({ level: 0, index: 1, width: 44 }, memoryHashReader(leaves.map(leafHash)));
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(expected))).toBe(true);
    const level1 = await get('/tile/1/000.p/1');
    expect(new Uint8Array(await level1.arrayBuffer()).length).toBe(32);
    expect((await get('/tile/0/001.p/45')).status).toBe(404);
    expect((await get('/tile/0/001')).status).toBe(404);
    expect((await get('/tile/2/000.p/1')).status).toBe(404);
  });

  it('serves entry bundles whose leaves are the log entries with their descriptors', async () => {
    const full = await get('/tile/entries/000');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const got = parseBundle(new Uint8Array(await full.arrayBuffer()), 256);
    expect(got.map((l) => encodeBase64(leafHash(l)))).toEqual(
      leaves.slice(0, 256).map((l) => encodeBase64(leafHash(l))),
    );
    const partial = await get('/tile/entries/001.p/44');
    expect(parseBundle(new Uint8Array(await partial.arrayBuffer()), 44)).toHaveLength(44);
    expect((await get('/tile/entries/001.p/45')).status).toBe(404);
  });

  it.each([
    '/tile/0/0001',
    '/tile/0/x000/001',
    '/tile/64/000',
    '/tile/0/000.p/256',
    '/tile/0/000.p/0',
    '/tile/x',
  ])('%s is BadRequest', async (path) => {
    await expectBadRequest(path);
  });
});

describe('GET /log/proof/inclusion', () => {
  it('answers JSON that verifies against the reference root, at the default and an older size', async () => {
    for (const [seq, size] of [
      [1, undefined],
      [257, undefined],
      [300, undefined],
      [10, 100],
    ] as const) {
      const q = size === undefined ? `seq=${seq}` : `seq=${seq}&size=${size}`;
      const res = await get(`/proof/inclusion?${q}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { seq: number; size: number; leaf_hash: string; hashes: string[] };
      const n = size ?? 300;
      expect(body).toMatchObject({
        seq,
        size: n,
        leaf_hash: encodeBase64(leafHash(leaves[seq - 1] as Uint8Array)),
      });
      const hashes = body.hashes.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
      const root = referenceRoot(leaves.slice(0, n).map(leafHash));
      expect(verifyInclusion(seq - 1, n, leafHash(leaves[seq - 1] as Uint8Array), hashes, root)).toBe(true);
    }
  });

  it('answers the tlog-proof text form with Accept: text/plain, verifiable offline', async () => {
    const res = await get('/proof/inclusion?seq=42', { accept: 'text/plain' });
    expect(res.status).toBe(200);
    const proof = parseTlogProof(await res.text());
    expect(proof.index).toBe(41);
    const origin = registry.log.origin as string;
    const opened = verifyTlogProof(
      proof,
      leafHash(leaves[41] as Uint8Array),
      [ed25519Verifier(origin, registry.log.key.publicKey)],
      origin,
    );
    expect(opened.checkpoint.size).toBe(300);
    await expectBadRequest('/proof/inclusion?seq=42&size=100', { accept: 'text/plain' });
  });

  it.each([
    '',
    '?size=3',
    '?seq=abc',
    '?seq=1&size=0',
    '?seq=1&size=301',
    '?seq=5&size=4',
    '?seq=0',
    '?seq=-1',
    '?seq=1e3',
  ])('%s is BadRequest', async (q) => {
    await expectBadRequest(`/proof/inclusion${q}`);
  });
});

describe('GET /log/proof/consistency', () => {
  it('answers hashes that verify between the two reference roots', async () => {
    const res = await get('/proof/consistency?from=100&to=300');
    const body = (await res.json()) as { from: number; to: number; hashes: string[] };
    expect(body).toMatchObject({ from: 100, to: 300 });
    const hashes = body.hashes.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
    const ls = leaves.map(leafHash);
    expect(verifyConsistency(100, 300, hashes, referenceRoot(ls.slice(0, 100)), referenceRoot(ls))).toBe(
      true,
    );
    expect(hashes.length).toBe(consistencyProof(100, 300, memoryHashReader(ls)).length);
  });

  it.each(['', '?from=1', '?to=3', '?from=4&to=3', '?from=0&to=3', '?from=1&to=301', '?from=x&to=3'])(
    '%s is BadRequest',
    async (q) => {
      await expectBadRequest(`/proof/consistency${q}`);
    },
  );
});

describe('metrics', () => {
  it('exports registry_log_size and registry_checkpoint_age_seconds', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/^registry_log_size 300$/m);
    expect(text).toMatch(/^registry_checkpoint_age_seconds [0-9.e-]+$/m);
  });
});

describe('with READ_AUTH=true', () => {
  let auth: TestServer;
  beforeAll(async () => {
    auth = await startTestServer({ READ_AUTH: 'true' });
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('needs a read token without id-prefix or kind caveats', async () => {
    const url = `${auth.url}/v1/registry/log/checkpoint`;
    expect((await fetch(url)).status).toBe(401);
    const scoped = auth.token(['registry:read'], { idPrefix: 'svc-' });
    const forbidden = await fetch(url, { headers: { authorization: `Bearer ${scoped}` } });
    expect(forbidden.status).toBe(403);
    const kinds = auth.token(['registry:read'], { kinds: ['service'] });
    expect(
      (
        await fetch(`${auth.url}/v1/registry/log/tile/entries/000.p/1`, {
          headers: { authorization: `Bearer ${kinds}` },
        })
      ).status,
    ).toBe(403);
    const reader = auth.token(['registry:read']);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${reader}` } });
    expect(ok.status).toBe(200);
  });
});
