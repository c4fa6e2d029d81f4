/**
 * SPEC §11 mirror mode end to end: an upstream, a mirror of it and a mirror of the mirror
 * (all real `serve` instances) serve byte-identical heads, histories, region map, listings
 * and event streams after random applies, rotations and deprecations; writes are ReadOnly;
 * an on-disk mirror resumes from its own seq after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Payload, RegistryClient, type SigningKey, signPayload } from '../src/index.js';
import { mirrorMode, Registry } from '../src/registry/index.js';
import { KEYS, NOW, openLevelStore, servicePayload, tempDir } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';
import { collect } from './helpers/sse.js';

let upstream: TestServer;
let mirror: TestServer;
let chained: TestServer;
let client: RegistryClient;
const mirrorDir = tempDir('registry-mirror-');
const upstreamDir = tempDir('registry-upstream-');

/** Deterministic PRNG (mulberry32): a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function publish(payload: Payload, keys: readonly SigningKey[]) {
  const { proposal_id } = await client.propose(
    payload,
    keys.map((k) => signPayload(payload, k, NOW)),
  );
  return client.apply(proposal_id);
}

async function next(id: string): Promise<{ version: number; prev: string | null }> {
  const head = await client.get(id).catch(() => undefined);
  return { version: (head?.descriptor.version ?? 0) + 1, prev: head?.digest ?? null };
}

/** Random applies, deprecations, region maps and two rotations, signed by the set in force. */
let signers: SigningKey[] = [KEYS[0], KEYS[1], KEYS[2]];
const rotations: SigningKey[][] = [
  [KEYS[0], KEYS[1], KEYS[3]],
  [KEYS[1], KEYS[3], KEYS[4]],
];

async function randomHistory(seed: number, steps: number): Promise<void> {
  const rnd = prng(seed);
  for (let i = 0; i < steps; i++) {
    const r = rnd();
    if (r < 0.08 && rotations.length > 0) {
      const set = rotations.shift() as SigningKey[];
      const both = set.filter((k) => signers.includes(k)).slice(0, 2);
      const { version, prev } = await next('governance');
      await publish(
        {
          id: 'governance',
          version,
          kind: 'governance',
          prev,
          ts: NOW,
          body: { signers: set.map((k) => k.signerId), threshold: 2 },
        } as Payload,
        both,
      );
      signers = set;
      continue;
    }
    const keys = signers.slice(0, 2);
    if (r < 0.2) {
      const { version, prev } = await next('regions');
      const services = [{ id: `svc-${i}@eu-west-1`, addr: `10.1.0.${i % 250}:443`, tls: true, weight: i }];
      await publish(
        {
          id: 'regions',
          version,
          kind: 'region_map',
          prev,
          ts: NOW,
          body: { regions: { 'eu-west-1': { services } } },
        } as Payload,
        keys,
      );
      continue;
    }
    const id = `svc-${Math.floor(rnd() * 8)}@us-east-1`;
    const { version, prev } = await next(id);
    await publish(
      servicePayload(id, version, prev, r < 0.4 && version > 1 ? { deprecated: true } : {}),
      keys,
    );
  }
}

async function text(base: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.text() };
}

async function version(base: string): Promise<number> {
  return JSON.parse((await text(base, '/v1/registry/version')).body).version as number;
}

async function converged(bases: readonly string[], ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  const want = await version(upstream.url);
  for (const b of bases) {
    while ((await fetch(`${b}/readyz`)).status !== 200 || (await version(b)) !== want) {
      if (Date.now() > end) throw new Error(`${b} did not reach seq ${want}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Everything a reader can see, as raw bodies: listing, every head, every version, the map, the log. */
async function everything(base: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const list = await text(base, '/v1/registry/descriptors?limit=1000');
  out.list = list.body;
  const items = (JSON.parse(list.body) as { items: { id: string; version: number }[] }).items;
  for (const { id, version: v } of items) {
    out[`head ${id}`] = (await text(base, `/v1/registry/descriptors/${id}`)).body;
    out[`history ${id}`] = (await text(base, `/v1/registry/descriptors/${id}/versions`)).body;
    for (let n = 1; n <= v; n++) {
      out[`${id} v${n}`] = (await text(base, `/v1/registry/descriptors/${id}/versions/${n}`)).body;
    }
  }
  out.regions = (await text(base, '/v1/registry/regions/map')).body;
  out.version = (await text(base, '/v1/registry/version')).body;
  const seq = await version(base);
  const res = await fetch(`${base}/v1/registry/watch?since=0`);
  const events = await collect(res, (seen) => seen.at(-1)?.event === 'progress');
  out.events = JSON.stringify(events);
  expect(events.filter((e) => e.event !== 'progress')).toHaveLength(seq);
  const metrics = (await text(base, '/metrics')).body;
  out.metrics = metrics
    .split('\n')
    .filter((l) => /^registry_(version|descriptors_total)/.test(l))
    .join('\n');
  return out;
}

beforeAll(async () => {
  upstream = await startTestServer({ REGISTRY_DB: upstreamDir.path });
  client = new RegistryClient({ baseUrl: upstream.url, token: upstream.token(ALL_SCOPES) });
  await randomHistory(11, 20);
  mirror = await startTestServer({ MIRROR_OF: upstream.url, REGISTRY_DB: mirrorDir.path });
  chained = await startTestServer({ MIRROR_OF: mirror.url });
});

afterAll(async () => {
  await chained?.stop();
  await mirror?.stop();
  await upstream?.stop();
  mirrorDir.cleanup();
  upstreamDir.cleanup();
});

describe('mirror mode', () => {
  it('a mirror and a mirror of it serve what the upstream serves, byte for byte', async () => {
    // Catch-up, then live applies while both follow.
    await converged([mirror.url, chained.url]);
    await randomHistory(12, 40);
    await converged([mirror.url, chained.url]);
    const want = await everything(upstream.url);
    expect(Object.keys(want).filter((k) => k.startsWith('head ')).length).toBeGreaterThan(5);
    expect(want.events).toContain('registry.deprecated');
    expect(JSON.parse(want['head governance'] ?? '{}').version).toBeGreaterThan(1); // rotated
    expect(await everything(mirror.url)).toEqual(want);
    expect(await everything(chained.url)).toEqual(want);
  });

  it('answers writes with ReadOnly naming the upstream, and reports upstream and lag in /readyz', async () => {
    const res = await fetch(`${mirror.url}/v1/registry/proposals`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; hint: string } };
    expect(body.error.code).toBe('ReadOnly');
    expect(body.error.hint).toContain(upstream.url);
    const ready = JSON.parse((await text(chained.url, '/readyz')).body);
    expect(ready).toMatchObject({ ready: true, writes: 'read-only', upstream: 'ok', lag: { seqs: 0 } });
    const metrics = (await text(mirror.url, '/metrics')).body;
    expect(metrics).toMatch(/registry_mirror_lag_seqs 0/);
    expect(metrics).toMatch(/registry_mirror_refused_total\{reason="verify"\} 0/);
  });

  it('keeps serving while the upstream is away, and an on-disk mirror resumes from its seq', async () => {
    const seq = await version(upstream.url);
    await upstream.stop();
    const end = Date.now() + 5000;
    while (JSON.parse((await text(mirror.url, '/readyz')).body).upstream !== 'unreachable') {
      if (Date.now() > end) throw new Error('mirror did not notice the upstream is away');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await text(mirror.url, '/readyz')).status).toBe(200);
    expect(await version(mirror.url)).toBe(seq);
    expect((await text(chained.url, '/v1/registry/descriptors/governance')).status).toBe(200);

    // The upstream comes back on its store (on a new port); the mirror restarts on its disk.
    await mirror.stop();
    // Its governance has rotated since genesis: the stored head is authoritative (SPEC §3).
    upstream = await startTestServer({
      REGISTRY_DB: upstreamDir.path,
      SIGNER_ALLOWLIST: '',
      SIG_THRESHOLD: '',
    });
    client = new RegistryClient({ baseUrl: upstream.url, token: upstream.token(ALL_SCOPES) });
    mirror = await startTestServer({ MIRROR_OF: upstream.url, REGISTRY_DB: mirrorDir.path });
    await converged([mirror.url]);
    expect(mirror.logs()).toContain(`"since":${seq}`);
    await randomHistory(13, 5);
    await converged([mirror.url]);
    expect(await everything(mirror.url)).toEqual(await everything(upstream.url));
  });
});

describe('mirror configuration', () => {
  it('is not ready, and serves no data, before its first catch-up', async () => {
    const lonely = await startTestServer({ MIRROR_OF: 'http://127.0.0.1:9' });
    try {
      const end = Date.now() + 5000;
      let ready = JSON.parse((await text(lonely.url, '/readyz')).body);
      while (ready.upstream !== 'unreachable' && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
        ready = JSON.parse((await text(lonely.url, '/readyz')).body);
      }
      expect(ready).toMatchObject({
        ready: false,
        upstream: 'unreachable',
        error: { code: 'StoreUnavailable' },
      });
      expect(ready.error.message).toMatch(/has not caught up with http:\/\/127.0.0.1:9/);
      expect((await text(lonely.url, '/v1/registry/version')).status).toBe(503);
      expect((await text(lonely.url, '/metrics')).body).toMatch(/registry_mirror_lag_seconds \d/);
    } finally {
      await lonely.stop();
    }
  });

  it('follows an upstream with READ_AUTH=true using MIRROR_TOKEN, and is refused without it', async () => {
    const guarded = await startTestServer({ READ_AUTH: 'true' });
    const token = guarded.token(['registry:read']);
    const withToken = await startTestServer({ MIRROR_OF: guarded.url, MIRROR_TOKEN: token });
    const without = await startTestServer({ MIRROR_OF: guarded.url });
    try {
      const end = Date.now() + 10_000;
      while ((await text(withToken.url, '/readyz')).status !== 200) {
        if (Date.now() > end) throw new Error('the mirror with MIRROR_TOKEN never caught up');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await version(withToken.url)).toBe(1);
      expect(JSON.parse((await text(withToken.url, '/readyz')).body)).toMatchObject({
        ready: true,
        upstream: 'ok',
      });
      expect(withToken.logs()).not.toContain(token);
      const ready = JSON.parse((await text(without.url, '/readyz')).body);
      expect(ready.ready).toBe(false);
    } finally {
      await Promise.all([withToken.stop(), without.stop(), guarded.stop()]);
    }
  });

  it('starts without MACAROON_ROOT_KEY (it takes no writes), answering writes ReadOnly and token routes Unauthorized', async () => {
    const keyless = await startTestServer({ MIRROR_OF: upstream.url, MACAROON_ROOT_KEY: '' });
    try {
      const end = Date.now() + 10_000;
      while ((await text(keyless.url, '/readyz')).status !== 200) {
        if (Date.now() > end) throw new Error('the keyless mirror never caught up');
        await new Promise((r) => setTimeout(r, 20));
      }
      const write = await fetch(`${keyless.url}/v1/registry/proposals`, { method: 'POST', body: '{}' });
      expect(write.status).toBe(503);
      expect(((await write.json()) as { error: { code: string } }).error.code).toBe('ReadOnly');
      const token = await fetch(`${keyless.url}/v1/registry/proposals/${'a'.repeat(64)}`, {
        headers: { authorization: `Bearer ${upstream.token(['registry:propose'])}` },
      });
      expect(((await token.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    } finally {
      await keyless.stop();
    }
    // READ_AUTH needs the key: reads must verify tokens.
    await expect(
      startTestServer({ MIRROR_OF: upstream.url, MACAROON_ROOT_KEY: '', READ_AUTH: 'true' }),
    ).rejects.toThrow(/MACAROON_ROOT_KEY/);
  });

  it('needs the upstream genesis (SIGNER_ALLOWLIST) as its trust root', async () => {
    await expect(
      startTestServer({ MIRROR_OF: 'http://127.0.0.1:9', SIGNER_ALLOWLIST: '', SIG_THRESHOLD: '' }),
    ).rejects.toThrow(/needs SIGNER_ALLOWLIST and SIG_THRESHOLD/);
  });

  it('refuses to restart on a store that mirrored another genesis', async () => {
    await mirror.stop();
    const store = await openLevelStore(mirrorDir.path);
    const other = { signers: [KEYS[3].signerId, KEYS[4].signerId], threshold: 1 };
    await expect(Registry.open(store, { genesis: other, mode: mirrorMode })).rejects.toThrow(
      /are not the mirrored genesis/,
    );
    await store.close();
  });
});
