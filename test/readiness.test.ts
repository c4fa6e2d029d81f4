/**
 * SPEC §5 readiness and degraded modes, through `createApp(deps).request()` (no socket):
 * 503 StoreUnavailable before the snapshot is loaded and while shutting down, a store that
 * fails writes (reads keep working, `/readyz` reports `writes: "degraded"`), a mirror that
 * answers ReadOnly (SPEC §11), and READ_AUTH (SPEC §7).
 */
import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import { MemoryLevel } from 'memory-level';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import type { AppDeps, AppEnv } from '../src/http/app.types.js';
import { Authenticator, mintToken, type Scope } from '../src/http/capability.js';
import { Metrics } from '../src/http/metrics.js';
import { WriteRateLimiter } from '../src/http/rate-limit.js';
import { ServiceState } from '../src/http/service-state.js';
import { Registry } from '../src/registry/index.js';
import { type Db, Store } from '../src/store/index.js';
import { GENESIS, KEYS, NOW, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ROOT_KEY } from './helpers/server.js';

const BASE = '/v1/registry';
const UPSTREAM = 'http://upstream:9402';
const PROPOSAL_ID = 'a'.repeat(64);

interface Harness {
  readonly app: Hono<AppEnv>;
  readonly deps: AppDeps;
  readonly state: ServiceState;
  readonly logs: string[];
}

/** The deps `serve` builds (src/cli/serve.ts), with a log sink and injectable clocks. */
function harness(opts: { readAuth?: boolean; authNow?: () => number } = {}): Harness {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { service: 'registry' } }, sink) as AppDeps['logger'];
  const state = new ServiceState();
  const metrics = new Metrics(
    {
      version: () => state.registry?.version ?? 0,
      counts: () => state.registry?.snapshot.counts() ?? { published: 0, deprecated: 0 },
      watchers: () => state.registry?.bus.subscribers ?? 0,
      pendingProposals: () => state.registry?.pendingCount ?? 0,
      lagged: () => state.registry?.bus.lagged ?? 0,
    },
    { processMetrics: false },
  );
  const deps: AppDeps = {
    state,
    auth: new Authenticator(ROOT_KEY, opts.authNow ?? (() => NOW)),
    readAuth: opts.readAuth ?? false,
    maxBodyBytes: 65_536,
    limiter: new WriteRateLimiter(1_000_000),
    metrics,
    logger,
    now: () => NOW,
    version: 'test',
  };
  return { app: createApp(deps), deps, state, logs };
}

const token = (scopes: readonly Scope[], extra: { ttlMs?: number } = {}) =>
  mintToken(ROOT_KEY, { identifier: 'readiness-test', scopes, now: NOW, ...extra });
const WRITER = token(['registry:read', 'registry:propose', 'registry:apply']);

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function call(
  h: Harness,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await h.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: (parsed ?? {}) as Record<string, unknown> };
}

/** Asserts the SPEC §5 envelope (all six fields, request_id = header) and returns the error. */
function expectError(r: Reply, status: number, code: string, retryable: boolean): Record<string, unknown> {
  expect(r.status).toBe(status);
  const e = r.body.error as Record<string, unknown> | undefined;
  expect(e).toBeDefined();
  expect(Object.keys(e ?? {}).sort()).toEqual(['code', 'hint', 'message', 'request_id', 'retryable', 'ts']);
  expect(e?.code).toBe(code);
  expect(e?.retryable).toBe(retryable);
  expect(e?.request_id).toBe(r.headers.get('x-request-id'));
  return e ?? {};
}

/** A store whose writes fail while `failing` is set (a full or broken disk). */
async function flakyStore(): Promise<{ store: Store; fail: (on: boolean) => void }> {
  const db = new MemoryLevel<string, Uint8Array>({
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    storeEncoding: 'view',
  });
  let failing = false;
  const realBatch = db.batch.bind(db) as (ops: unknown, options: unknown) => Promise<void>;
  Object.assign(db, {
    batch: (ops: unknown, options: unknown) =>
      failing ? Promise.reject(new Error('injected: no space left on device')) : realBatch(ops, options),
  });
  const store = new Store(db as unknown as Db, false);
  await store.open();
  return {
    store,
    fail: (on) => {
      failing = on;
    },
  };
}

const registries: Registry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.close();
});

async function openRegistry(store?: Store): Promise<Registry> {
  const s = store ?? (await flakyStore()).store;
  const r = await Registry.open(s, { genesis: GENESIS, now: () => NOW });
  registries.push(r);
  return r;
}

/** The data routes SPEC §5 puts behind readiness, each with what it needs to get that far. */
const DATA_ROUTES: ReadonlyArray<readonly [string, string, { body?: unknown; token?: string }]> = [
  ['GET', `${BASE}/version`, {}],
  ['GET', '/version', {}],
  ['GET', `${BASE}/descriptors`, {}],
  ['GET', `${BASE}/descriptors/x`, {}],
  ['GET', `${BASE}/descriptors/x/versions`, {}],
  ['GET', `${BASE}/descriptors/x/versions/1`, {}],
  ['GET', `${BASE}/regions/map`, {}],
  ['GET', `${BASE}/proposals/${PROPOSAL_ID}`, { token: WRITER }],
  ['POST', `${BASE}/proposals`, { token: WRITER, body: proposalBody(servicePayload('svc-a'), []) }],
  ['POST', `${BASE}/proposals/${PROPOSAL_ID}/signatures`, { token: WRITER, body: { signatures: [] } }],
  ['POST', `${BASE}/apply/${PROPOSAL_ID}`, { token: WRITER }],
];

describe('readiness (SPEC §5)', () => {
  describe('before the snapshot is loaded', () => {
    it('/readyz answers 503 with ready: false and the error envelope', async () => {
      const h = harness();
      for (const path of ['/readyz', `${BASE}/readyz`]) {
        const r = await call(h, 'GET', path);
        expectError(r, 503, 'StoreUnavailable', true);
        expect(r.body).toMatchObject({ ready: false, store: 'loading', bus: 'loading' });
      }
    });

    it.each(DATA_ROUTES)('%s %s answers 503 StoreUnavailable, retryable', async (method, path, opts) => {
      const r = await call(harness(), method, path, opts);
      expectError(r, 503, 'StoreUnavailable', true);
    });

    it('/healthz and /metrics answer 200', async () => {
      const h = harness();
      expect((await call(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect((await call(h, 'GET', `${BASE}/healthz`)).status).toBe(200);
      expect((await call(h, 'GET', '/metrics')).status).toBe(200);
    });

    it('becomes ready once state.registry is set', async () => {
      const h = harness();
      expect((await call(h, 'GET', '/readyz')).status).toBe(503);
      h.state.registry = await openRegistry();
      const r = await call(h, 'GET', '/readyz');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ready: true, store: 'ok', bus: 'ok', writes: 'ok', version: 1 });
      expect((await call(h, 'GET', `${BASE}/version`)).body).toEqual({ version: 1 });
    });
  });

  describe('while shutting down', () => {
    async function stopping(): Promise<Harness> {
      const h = harness();
      h.state.registry = await openRegistry();
      h.state.shuttingDown = true;
      return h;
    }

    it('/readyz answers 503 with ready: false and the envelope', async () => {
      const r = await call(await stopping(), 'GET', '/readyz');
      const e = expectError(r, 503, 'StoreUnavailable', true);
      expect(r.body).toMatchObject({ ready: false });
      expect(e.message).toMatch(/shutting down/);
    });

    it.each(DATA_ROUTES)('%s %s answers 503 StoreUnavailable, retryable', async (method, path, opts) => {
      const r = await call(await stopping(), method, path, opts);
      const e = expectError(r, 503, 'StoreUnavailable', true);
      expect(e.message).toMatch(/shutting down/);
    });
  });

  describe('when the store fails writes', () => {
    async function degraded() {
      const flaky = await flakyStore();
      const h = harness();
      h.state.registry = await openRegistry(flaky.store);
      return { h, ...flaky };
    }

    const propose = (h: Harness, id: string) =>
      call(h, 'POST', `${BASE}/proposals`, {
        token: WRITER,
        body: proposalBody(servicePayload(id), [KEYS[0], KEYS[1]]),
      });

    it('keeps answering reads while writes answer 503 StoreUnavailable, and recovers', async () => {
      const { h, fail } = await degraded();
      const ready = await propose(h, 'svc-a');
      expect(ready.status).toBe(202);
      const proposalId = ready.body.proposal_id as string;

      fail(true);
      for (const path of [
        `${BASE}/version`,
        `${BASE}/descriptors/governance`,
        `${BASE}/descriptors/governance/versions`,
        `${BASE}/descriptors`,
        `${BASE}/proposals/${proposalId}`,
      ]) {
        expect((await call(h, 'GET', path, { token: WRITER })).status, path).toBe(200);
      }
      expectError(await propose(h, 'svc-b'), 503, 'StoreUnavailable', true);
      const failed = await call(h, 'POST', `${BASE}/apply/${proposalId}`, { token: WRITER });
      expectError(failed, 503, 'StoreUnavailable', true);

      const during = await call(h, 'GET', '/readyz');
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ ready: true, writes: 'degraded', version: 1 });
      // Nothing of the failed apply is visible.
      expect((await call(h, 'GET', `${BASE}/descriptors/svc-a`)).status).toBe(404);

      fail(false);
      const applied = await call(h, 'POST', `${BASE}/apply/${proposalId}`, { token: WRITER });
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({ version: 2, descriptor_id: 'svc-a', descriptor_version: 1 });
      expect((await call(h, 'GET', '/readyz')).body).toMatchObject({ ready: true, writes: 'ok', version: 2 });
      expect((await call(h, 'GET', `${BASE}/descriptors/svc-a`)).status).toBe(200);
      expect((await propose(h, 'svc-b')).status).toBe(202);
    });

    it('a failed proposal save marks writes degraded; a successful one clears it', async () => {
      const { h, fail } = await degraded();
      fail(true);
      expectError(await propose(h, 'svc-a'), 503, 'StoreUnavailable', true);
      expect((await call(h, 'GET', '/readyz')).body).toMatchObject({ ready: true, writes: 'degraded' });
      // The refused proposal was not kept in memory either.
      expect(h.state.registry?.pendingCount).toBe(0);

      fail(false);
      expect((await propose(h, 'svc-a')).status).toBe(202);
      expect((await call(h, 'GET', '/readyz')).body).toMatchObject({ ready: true, writes: 'ok' });
    });
  });

  describe('in mirror mode (SPEC §11)', () => {
    async function mirror(): Promise<Harness> {
      const h = harness();
      h.state.registry = await openRegistry();
      h.state.mode = { kind: 'mirror', upstream: UPSTREAM, report: undefined };
      return h;
    }

    it.each([
      ['POST', `${BASE}/proposals`, proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]])],
      ['POST', `${BASE}/proposals/${PROPOSAL_ID}/signatures`, { signatures: [] }],
      ['POST', `${BASE}/apply/${PROPOSAL_ID}`, undefined],
      ['POST', `${BASE}/apply`, proposalBody(servicePayload('svc-a'), [KEYS[0], KEYS[1]])],
    ] as const)(
      '%s %s answers 503 ReadOnly, not retryable, the hint naming the upstream',
      async (method, path, body) => {
        const h = await mirror();
        for (const t of [WRITER, undefined]) {
          const r = await call(h, method, path, {
            ...(t === undefined ? {} : { token: t }),
            ...(body === undefined ? {} : { body }),
          });
          const e = expectError(r, 503, 'ReadOnly', false);
          expect(e.hint).toContain(UPSTREAM);
        }
      },
    );

    it('keeps serving reads and reports writes: "read-only"', async () => {
      const h = await mirror();
      expect((await call(h, 'GET', `${BASE}/version`)).body).toEqual({ version: 1 });
      expect((await call(h, 'GET', `${BASE}/descriptors/governance`)).status).toBe(200);
      expect((await call(h, 'GET', `${BASE}/descriptors`)).status).toBe(200);
      const ready = await call(h, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ ready: true, writes: 'read-only' });
    });
  });

  describe('with READ_AUTH=true (SPEC §7)', () => {
    async function guarded(authNow?: () => number): Promise<Harness> {
      const h = harness({ readAuth: true, ...(authNow === undefined ? {} : { authNow }) });
      h.state.registry = await openRegistry();
      return h;
    }

    const READS = [
      `${BASE}/version`,
      '/version',
      `${BASE}/descriptors`,
      `${BASE}/descriptors/governance`,
      `${BASE}/descriptors/governance/versions`,
      `${BASE}/descriptors/governance/versions/1`,
    ];

    it.each(READS)('GET %s without a token answers 401 Unauthorized', async (path) => {
      expectError(await call(await guarded(), 'GET', path), 401, 'Unauthorized', false);
    });

    it.each(READS)('GET %s with a registry:propose-only token answers 403 Forbidden', async (path) => {
      const r = await call(await guarded(), 'GET', path, { token: token(['registry:propose']) });
      expectError(r, 403, 'Forbidden', false);
    });

    it.each(READS)('GET %s with a registry:read token answers 200', async (path) => {
      const r = await call(await guarded(), 'GET', path, { token: token(['registry:read']) });
      expect(r.status).toBe(200);
    });

    it.each(['/healthz', '/readyz', '/metrics', `${BASE}/healthz`, `${BASE}/readyz`, `${BASE}/metrics`])(
      'GET %s needs no token',
      async (path) => {
        expect((await call(await guarded(), 'GET', path)).status).toBe(200);
      },
    );

    it('an expired token answers 401 Unauthorized', async () => {
      const short = token(['registry:read'], { ttlMs: 1000 });
      const before = await guarded(() => NOW + 999);
      expect((await call(before, 'GET', `${BASE}/version`, { token: short })).status).toBe(200);
      for (const later of [NOW + 1000, NOW + 60_000]) {
        const h = await guarded(() => later);
        expectError(await call(h, 'GET', `${BASE}/version`, { token: short }), 401, 'Unauthorized', false);
      }
    });

    it('a forged token answers 401 Unauthorized', async () => {
      const forged = mintToken('ff'.repeat(32), { identifier: 'forger', scopes: ['registry:read'] });
      expectError(
        await call(await guarded(), 'GET', `${BASE}/version`, { token: forged }),
        401,
        'Unauthorized',
        false,
      );
    });
  });
});
