/**
 * TopologyWatcher (SPEC §3, §6, §11 trust rules, client side): converges to the server's
 * state across disconnects and restarts, delivers each change exactly once, and refuses
 * every forgery a hostile server can send while keeping its last good view.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangeEvent,
  type Payload,
  RegistryClient,
  type SigningKey,
  signPayload,
  TopologyWatcher,
  type TopologyWatcherOptions,
  type WatcherErrorEvent,
} from '../src/index.js';
import { GENESIS, KEYS, NOW, servicePayload, tempDir } from './helpers/fixtures.js';
import {
  type CannedEntry,
  digest,
  genesisDescriptor,
  type HostileRegistry,
  log,
  signed,
  startHostileRegistry,
} from './helpers/hostile-registry.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

const FAST = { backoff: { initialMs: 5, maxMs: 40 } } as const;
const open: TopologyWatcher[] = [];

function watcher(
  opts: Omit<TopologyWatcherOptions, 'genesis'> & Partial<Pick<TopologyWatcherOptions, 'genesis'>>,
) {
  const w = new TopologyWatcher({ genesis: GENESIS, ...FAST, ...opts });
  open.push(w);
  return w;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

async function publish(
  client: RegistryClient,
  payload: Payload,
  keys: readonly SigningKey[] = [KEYS[0], KEYS[1]],
) {
  const { proposal_id } = await client.propose(
    payload,
    keys.map((k) => signPayload(payload, k, NOW)),
  );
  return client.apply(proposal_id);
}

/** Publishes the next version of `id` on top of whatever head it has. */
async function bump(client: RegistryClient, id: string) {
  const head = await client.get(id).catch(() => undefined);
  return publish(client, servicePayload(id, (head?.descriptor.version ?? 0) + 1, head?.digest ?? null));
}

/** The watcher's view equals the server's heads, and its seq the server's version. */
async function expectConverged(w: TopologyWatcher, client: RegistryClient) {
  const heads = new Map<string, { version: number; digest: string }>();
  for await (const item of client.listAll({ limit: 1000 })) heads.set(item.id, item);
  expect(w.seq()).toBe(await client.version());
  expect(new Map([...w.view()].map(([id, e]) => [id, { version: e.version, digest: e.digest }]))).toEqual(
    new Map([...heads].map(([id, h]) => [id, { version: h.version, digest: h.digest }])),
  );
}

/**
 * A fetch that cuts the k-th `/watch` stream after `cuts[k]` bytes (mid-message, as a
 * dropped TCP connection would) and fails descriptor reads whose turn `failRead` says.
 */
function chaosFetch(cuts: readonly number[], failRead: (n: number) => boolean = () => false): typeof fetch {
  let conn = 0;
  let reads = 0;
  return async (input, init) => {
    const url = String(input);
    if (url.includes('/versions/') && failRead(reads++)) throw new TypeError('chaos: read failed');
    const res = await fetch(input, init);
    const cut = url.includes('/watch') ? cuts[conn++] : undefined;
    if (cut === undefined || res.body === null) return res;
    const reader = res.body.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const { value, done } = await reader.read();
        if (done) return ctrl.close();
        if (sent + value.length > cut) {
          ctrl.enqueue(value.slice(0, cut - sent));
          ctrl.error(new TypeError('chaos: connection cut'));
          await reader.cancel().catch(() => undefined);
          return;
        }
        sent += value.length;
        ctrl.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
}

describe('TopologyWatcher against the real server', () => {
  let srv: TestServer;
  let client: RegistryClient;
  beforeAll(async () => {
    srv = await startTestServer();
    client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('replays from genesis, follows live applies and a rotation, and exposes change events', async () => {
    await publish(client, servicePayload('tw-a'));
    const changes: ChangeEvent[] = [];
    const w = watcher({ baseUrl: srv.url, onChange: (c) => changes.push(c) });
    const iterated: number[] = [];
    const it = w.changes();
    const reading = (async () => {
      for await (const c of it) iterated.push(c.seq);
    })();
    w.start();
    await w.synced();
    expect(w.status()).toBe('live');
    expect(w.governance()?.threshold).toBe(2);
    expect(w.view().get('tw-a')?.version).toBe(1);

    // A rotation under old AND new quorum: KEYS[3] joins; then KEYS[3] alone plus KEYS[0] is enough.
    const gov = await client.get('governance');
    const next = {
      id: 'governance',
      version: 2,
      kind: 'governance',
      prev: gov.digest,
      ts: NOW,
      body: { signers: [KEYS[0].signerId, KEYS[1].signerId, KEYS[3].signerId], threshold: 2 },
    } as Payload;
    await publish(client, next, [KEYS[0], KEYS[1]]);
    const v1 = await client.get('tw-a');
    await publish(client, servicePayload('tw-a', 2, v1.digest, { deprecated: true }), [KEYS[3], KEYS[0]]);
    const last = await publish(client, servicePayload('tw-b'), [KEYS[3], KEYS[1]]);
    await w.waitFor(last.version);

    expect(w.governance()?.signers.has(KEYS[3].signerId)).toBe(true);
    expect(w.governance()?.signers.has(KEYS[2].signerId)).toBe(false);
    const a = w.view().get('tw-a');
    expect(a?.version).toBe(2);
    expect(a?.descriptor.deprecated).toBe(true);
    const deprecation = changes.find((c) => c.id === 'tw-a' && c.current.version === 2);
    expect(deprecation).toMatchObject({ type: 'deprecated', previous: { version: 1 } });
    expect(changes.map((c) => c.seq)).toEqual(Array.from({ length: last.version }, (_, i) => i + 1));
    await expectConverged(w, client);
    await w.close();
    await reading;
    expect(iterated).toEqual(changes.map((c) => c.seq));
    expect(w.status()).toBe('closed');
    await expect(w.waitFor(last.version + 1)).rejects.toThrowRegistryError('StoreUnavailable');
  });

  it('converges under random stream cuts and failed reads while applies happen', async () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const cuts = Array.from({ length: 12 }, () => Math.floor(rand() * 3000));
    const errors: WatcherErrorEvent[] = [];
    const w = watcher({
      baseUrl: srv.url,
      fetch: chaosFetch(cuts, (n) => n % 7 === 3),
      onError: (e) => errors.push(e),
      random: rand,
    }).start();
    let last = 0;
    for (let i = 0; i < 24; i++) last = (await bump(client, `tw-chaos-${i % 5}`)).version;
    await w.waitFor(last);
    await expectConverged(w, client);
    expect(errors.some((e) => e.phase === 'connect')).toBe(true);
    expect(errors.some((e) => e.phase === 'fetch')).toBe(true);
    expect(errors.every((e) => e.phase !== 'verify')).toBe(true);
  });

  it('delivers every change exactly once across forced reconnects (property)', async () => {
    // A server of its own keeps the replayed log short.
    const own = await startTestServer();
    const c = new RegistryClient({ baseUrl: own.url, token: own.token(ALL_SCOPES) });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat({ max: 6000 }), { maxLength: 5 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
          async (cuts, applies) => {
            const seen: number[] = [];
            const iterated: number[] = [];
            const w = watcher({
              baseUrl: own.url,
              fetch: chaosFetch(cuts),
              onChange: (ch) => seen.push(ch.seq),
            });
            const it = w.changes();
            const reading = (async () => {
              for await (const ch of it) iterated.push(ch.seq);
            })();
            w.start();
            let last = await c.version();
            for (const id of applies) last = (await bump(c, `tw-prop-${id}`)).version;
            await w.waitFor(last);
            await w.close();
            await reading;
            const all = Array.from({ length: last }, (_, i) => i + 1);
            expect(seen).toEqual(all);
            expect(iterated).toEqual(all);
          },
        ),
        { numRuns: 12 },
      );
    } finally {
      await own.stop();
    }
  });
});

describe('TopologyWatcher across a server restart on the same db and port', () => {
  it('reconnects with backoff, resumes from its seq and converges', async () => {
    const dir = tempDir('registry-watcher-');
    const db = `${dir.path}/db`;
    let srv = await startTestServer({ REGISTRY_DB: db });
    const port = new URL(srv.url).port;
    try {
      let client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
      await bump(client, 'tw-rs');
      const errors: WatcherErrorEvent[] = [];
      const changes: number[] = [];
      const w = watcher({
        baseUrl: srv.url,
        onError: (e) => errors.push(e),
        onChange: (c) => changes.push(c.seq),
      });
      await w.start().synced();
      await srv.stop();
      await new Promise((r) => setTimeout(r, 50));
      srv = await startTestServer({ REGISTRY_DB: db, BIND: `127.0.0.1:${port}` });
      client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
      let last = 0;
      for (let i = 0; i < 3; i++) last = (await bump(client, 'tw-rs')).version;
      await w.waitFor(last);
      await expectConverged(w, client);
      expect(changes).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    } finally {
      await srv.stop();
      dir.cleanup();
    }
  });
});

describe('TopologyWatcher against a hostile server', () => {
  const [K0, K1, K2, K3, K4] = KEYS;
  const g = genesisDescriptor();
  const a1 = signed(servicePayload('svc-a'), [K0, K1]);
  const a2 = signed(servicePayload('svc-a', 2, digest(a1)), [K1, K2]);
  let hostile: HostileRegistry | undefined;
  afterEach(async () => {
    await hostile?.close();
    hostile = undefined;
  });

  /** Runs a watcher until its first error; returns it and the watcher. */
  async function firstError(
    entries: readonly CannedEntry[],
    opts: Partial<TopologyWatcherOptions> = {},
    serverOpts: { progress?: number } = {},
  ) {
    hostile = await startHostileRegistry(entries, serverOpts);
    const w = watcher({ baseUrl: hostile.url, ...opts });
    const got = new Promise<WatcherErrorEvent>((resolve) => w.on('error', resolve));
    w.start();
    return { error: await got, w };
  }

  /** The refusal names the seq and code, and the view is exactly the good prefix. */
  function expectRefused(
    r: { error: WatcherErrorEvent; w: TopologyWatcher },
    seq: number,
    code: string,
    good: Record<string, number>,
  ) {
    expect(r.error).toMatchObject({ phase: 'verify', seq, error: { code } });
    expect(r.w.seq()).toBe(seq - 1);
    expect(Object.fromEntries([...r.w.view()].map(([id, e]) => [id, e.version]))).toEqual(good);
    expect(r.w.lastError()).toBe(r.error);
  }

  it('accepts a well-formed log (control)', async () => {
    hostile = await startHostileRegistry(log(g, a1, a2));
    const w = watcher({ baseUrl: hostile.url });
    await w.start().synced();
    expect(w.seq()).toBe(3);
    expect(w.view().get('svc-a')?.digest).toBe(digest(a2));
  });

  it('refuses a genesis other than the pinned one', async () => {
    const other = genesisDescriptor({ signers: GENESIS.signers, threshold: 1 });
    expectRefused(await firstError(log(other, a1)), 1, 'BadSignature', {});
  });

  it('refuses a bad signature', async () => {
    const forged = signed(servicePayload('svc-b'), [K0, K1]);
    const other = signed(servicePayload('svc-b', 1, null, { ts: NOW + 1 }), [K1]);
    const bad = { ...forged, signatures: [forged.signatures[0], other.signatures[0]] } as typeof forged;
    expectRefused(await firstError(log(g, a1, bad)), 3, 'BadSignature', { governance: 1, 'svc-a': 1 });
  });

  it('refuses a signer outside the allow-list', async () => {
    const unknown = signed(servicePayload('svc-b'), [K3, K4]);
    const r = await firstError(log(g, a1, unknown));
    expectRefused(r, 3, 'BadSignature', { governance: 1, 'svc-a': 1 });
    expect(r.error.error.message).toContain(K3.signerId);
  });

  it('refuses fewer signatures than the threshold', async () => {
    expectRefused(await firstError(log(g, signed(servicePayload('svc-b'), [K0]))), 2, 'NoQuorum', {
      governance: 1,
    });
  });

  it('refuses a lowered version', async () => {
    const lowered = signed(servicePayload('svc-a', 1, null, { ts: NOW + 5 }), [K0, K1]);
    expectRefused(await firstError(log(g, a1, a2, lowered)), 4, 'StaleVersion', {
      governance: 1,
      'svc-a': 2,
    });
  });

  it('refuses a replayed old version', async () => {
    expectRefused(await firstError(log(g, a1, a2, a1)), 4, 'StaleVersion', { governance: 1, 'svc-a': 2 });
  });

  it('refuses a version that forks the history (prev is not the head)', async () => {
    const fork = signed(servicePayload('svc-a', 3, digest(a1)), [K0, K1]);
    expectRefused(await firstError(log(g, a1, a2, fork)), 4, 'StaleVersion', { governance: 1, 'svc-a': 2 });
  });

  it('refuses a rotation without the old set’s quorum, and one without the new set’s', async () => {
    const rotate = (signers: readonly SigningKey[], keys: readonly SigningKey[]) =>
      signed(
        {
          id: 'governance',
          version: 2,
          kind: 'governance',
          prev: digest(g),
          ts: NOW,
          body: { signers: signers.map((k) => k.signerId), threshold: 2 },
        } as Payload,
        keys,
      );
    const takeover = rotate([K3, K4], [K3, K4]);
    const r = await firstError(log(g, a1, takeover));
    expectRefused(r, 3, 'NoQuorum', { governance: 1, 'svc-a': 1 });
    expect(r.w.governance()?.signers.has(K3.signerId)).toBe(false);
    await r.w.close();
    await hostile?.close();
    const halfway = rotate([K0, K3, K4], [K0, K1]);
    expectRefused(await firstError(log(g, halfway)), 2, 'NoQuorum', { governance: 1 });
  });

  it('after a valid rotation, refuses the old signers it removed', async () => {
    const rotation = signed(
      {
        id: 'governance',
        version: 2,
        kind: 'governance',
        prev: digest(g),
        ts: NOW,
        body: { signers: [K3.signerId, K4.signerId], threshold: 2 },
      } as Payload,
      [K0, K1, K3, K4],
    );
    const byOld = signed(servicePayload('svc-b'), [K0, K1]);
    const r = await firstError(log(g, rotation, signed(servicePayload('svc-c'), [K3, K4]), byOld));
    expectRefused(r, 4, 'BadSignature', { governance: 2, 'svc-c': 1 });
    expect([...(r.w.governance()?.signers ?? [])]).toEqual([K3.signerId, K4.signerId]);
  });

  it('refuses a seq gap and a repeated seq', async () => {
    const b = signed(servicePayload('svc-b'), [K0, K1]);
    const gap: CannedEntry[] = [...log(g, a1), { seq: 4, descriptor: b }];
    const r = await firstError(gap);
    expect(r.error).toMatchObject({ phase: 'verify', seq: 4, error: { code: 'StaleVersion' } });
    expect(r.w.seq()).toBe(2);
    expect(r.w.view().has('svc-b')).toBe(false);
    expect(r.error.error.message).toMatch(/skips 1 entry/);
    await r.w.close();
    await hostile?.close();
    const repeat: CannedEntry[] = [...log(g, a1), { seq: 2, descriptor: b }];
    const r2 = await firstError(repeat);
    expect(r2.error).toMatchObject({ phase: 'verify', seq: 2, error: { code: 'StaleVersion' } });
    expect(r2.w.seq()).toBe(2);
    expect(r2.w.view().has('svc-b')).toBe(false);
  });

  it('refuses a served descriptor that is not the logged digest', async () => {
    const entries: CannedEntry[] = [...log(g), { seq: 2, descriptor: a1, data: { digest: 'f'.repeat(64) } }];
    expectRefused(await firstError(entries), 2, 'BadSignature', { governance: 1 });
  });

  it('retries a refused entry with growing backoff by default, and halts when told to', async () => {
    const bad = log(g, signed(servicePayload('svc-b'), [K0]));
    hostile = await startHostileRegistry(bad);
    const errors: WatcherErrorEvent[] = [];
    const w = watcher({ baseUrl: hostile.url, onError: (e) => errors.push(e), random: () => 0.5 });
    w.start();
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(errors.map((e) => e.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(errors.map((e) => e.retryInMs).slice(0, 3)).toEqual([4, 8, 15]);
    expect(w.seq()).toBe(1);
    await w.close();

    const halting = watcher({ baseUrl: hostile.url, onVerificationFailure: 'halt' });
    const synced = halting.start().synced();
    await expect(synced).rejects.toThrowRegistryError('StoreUnavailable', /halted at seq 1/);
    expect(halting.status()).toBe('halted');
    expect(halting.lastError()).toMatchObject({ seq: 2, retryInMs: undefined, error: { code: 'NoQuorum' } });
  });

  it('reports a server whose log head is behind the verified seq, without going back', async () => {
    const r = await firstError(log(g, a1), {}, { progress: 1 });
    expect(r.error).toMatchObject({ phase: 'progress', error: { code: 'StaleVersion' } });
    expect(r.w.seq()).toBe(2);
  });

  it('reconnects when the stream goes silent', async () => {
    hostile = await startHostileRegistry(log(g), { progress: 5 });
    const r = await new Promise<WatcherErrorEvent>((resolve) => {
      watcher({ baseUrl: hostile?.url ?? '', idleTimeoutMs: 50, onError: resolve }).start();
    });
    expect(r).toMatchObject({ phase: 'connect', error: { code: 'StoreUnavailable' } });
    await expect.poll(() => hostile?.watches() ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('refuses a malformed stream message as the next seq', async () => {
    const entries: CannedEntry[] = [...log(g), { seq: 2, descriptor: a1, data: { version: 0 } }];
    const r = await firstError(entries);
    expect(r.error).toMatchObject({ phase: 'verify', seq: 2, error: { code: 'BadRequest' } });
    expect(r.w.seq()).toBe(1);
  });

  it('refuses an invalid pinned genesis at construction', () => {
    expect(
      () => new TopologyWatcher({ genesis: { signers: GENESIS.signers, threshold: 4 } }),
    ).toThrowRegistryError('BadRequest');
  });

  it('keeps running when a change listener throws, and reports it', async () => {
    hostile = await startHostileRegistry(log(g, a1));
    const errors: WatcherErrorEvent[] = [];
    const w = watcher({ baseUrl: hostile.url, onError: (e) => errors.push(e) });
    w.on('change', () => {
      throw new Error('listener bug');
    });
    await w.start().synced();
    expect(w.seq()).toBe(2);
    expect(errors.map((e) => [e.phase, e.seq])).toEqual([
      ['listener', 1],
      ['listener', 2],
    ]);
  });
});
