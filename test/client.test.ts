/**
 * RegistryClient against the real server (SPEC §5 routes, §6 watch), and every refusal
 * arriving as a RegistryError with the envelope's code, hint and request_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RegistryClient,
  RegistryError,
  RegistryResponseError,
  signPayload,
  type WatchItem,
} from '../src/index.js';
import { KEYS, NOW, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let client: RegistryClient;
let anon: RegistryClient;

beforeAll(async () => {
  srv = await startTestServer();
  client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
  anon = new RegistryClient({ baseUrl: `${srv.url}/` });
});
afterAll(async () => {
  await srv.stop();
});

const sign = (p: ReturnType<typeof servicePayload>, keys = [KEYS[0], KEYS[1]]) =>
  keys.map((k) => signPayload(p, k, NOW));

async function publish(p: ReturnType<typeof servicePayload>) {
  const { proposal_id } = await client.propose(p, sign(p));
  return client.apply(proposal_id);
}

async function rejection(p: Promise<unknown>): Promise<RegistryResponseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryResponseError);
  return err as RegistryResponseError;
}

describe('RegistryClient against the real server', () => {
  describe('probes and version', () => {
    it('reads health, readiness and the global version', async () => {
      expect(await anon.health()).toEqual({ status: 'ok' });
      expect(await anon.ready()).toMatchObject({ ready: true, store: 'ok', bus: 'ok', writes: 'ok' });
      expect(await anon.version()).toBeGreaterThanOrEqual(1);
    });
  });

  describe('propose, proposal, cosign, apply', () => {
    it('walks a proposal from pending to applied, and a repeated apply answers the same', async () => {
      const p = servicePayload('cl-flow');
      const pending = await client.propose(p, sign(p, [KEYS[0]]));
      expect(pending).toMatchObject({ status: 'pending', signatures: 1, threshold: 2 });
      expect(pending.proposal_id).toMatch(/^[0-9a-f]{64}$/);
      const view = await client.proposal(pending.proposal_id);
      expect(view).toMatchObject({ proposal_id: pending.proposal_id, status: 'pending', descriptor: p });
      const ready = await client.cosign(pending.proposal_id, sign(p, [KEYS[1]]));
      expect(ready).toMatchObject({ status: 'ready', signatures: 2 });
      const applied = await client.apply(pending.proposal_id);
      expect(applied).toMatchObject({
        descriptor_id: 'cl-flow',
        descriptor_version: 1,
        digest: pending.proposal_id,
      });
      expect(await client.apply(pending.proposal_id)).toEqual(applied);
      expect((await client.proposal(pending.proposal_id)).status).toBe('applied');
      expect(await client.version()).toBeGreaterThanOrEqual(applied.version);
    });
  });

  describe('reads', () => {
    it('gets heads and versions parsed, with digest, ETag and X-Registry-Version', async () => {
      const v1 = await publish(servicePayload('cl-read'));
      const v2 = await publish(servicePayload('cl-read', 2, v1.digest, { deprecated: true }));
      const head = await anon.get('cl-read');
      expect(head.descriptor).toMatchObject({ id: 'cl-read', version: 2, deprecated: true, prev: v1.digest });
      expect(head.descriptor.signatures).toHaveLength(2);
      expect(head.digest).toBe(v2.digest);
      expect(head.etag).toBe(`"${v2.digest}"`);
      expect(head.registryVersion).toBeGreaterThanOrEqual(v2.version);
      expect(await anon.getIfChanged('cl-read', head.etag)).toBeUndefined();
      expect((await anon.getIfChanged('cl-read', `"${v1.digest}"`))?.digest).toBe(v2.digest);
      const old = await anon.getVersion('cl-read', 1);
      expect(old.digest).toBe(v1.digest);
      expect(old.descriptor.version).toBe(1);
      expect(await anon.versions('cl-read')).toEqual([
        { version: 1, digest: v1.digest, ts: NOW, deprecated: false },
        { version: 2, digest: v2.digest, ts: NOW, deprecated: true },
      ]);
    });

    it('lists by kind and prefix, page by page and all at once', async () => {
      for (const id of ['cl-ls-b', 'cl-ls-a', 'cl-ls-c']) await publish(servicePayload(id));
      const first = await anon.list({ kind: 'service', prefix: 'cl-ls-', limit: 2 });
      expect(first.items.map((i) => i.id)).toEqual(['cl-ls-a', 'cl-ls-b']);
      expect(first.items[0]).toMatchObject({ kind: 'service', version: 1, deprecated: false, ts: NOW });
      expect(first.next_cursor).not.toBeNull();
      const second = await anon.list({ prefix: 'cl-ls-', limit: 2, cursor: first.next_cursor ?? '' });
      expect(second).toMatchObject({ items: [{ id: 'cl-ls-c' }], next_cursor: null });
      const all: string[] = [];
      for await (const item of anon.listAll({ prefix: 'cl-ls-', limit: 1 })) all.push(item.id);
      expect(all).toEqual(['cl-ls-a', 'cl-ls-b', 'cl-ls-c']);
      expect((await anon.list({ kind: 'governance' })).items.map((i) => i.id)).toEqual(['governance']);
    });

    it('reads the region map once one is applied', async () => {
      await expect(anon.regionMap()).rejects.toThrowRegistryError('NotFound');
      const regions = {
        'eu-1': { services: [{ id: 'cl-read', addr: '10.0.0.1:443', tls: true, weight: 1 }] },
      };
      const p = {
        id: 'regions',
        version: 1,
        kind: 'region_map',
        prev: null,
        ts: NOW,
        body: { regions },
      } as const;
      const { proposal_id } = await client.propose(p, [
        signPayload(p, KEYS[0], NOW),
        signPayload(p, KEYS[2], NOW),
      ]);
      const r = await client.apply(proposal_id);
      const map = await anon.regionMap();
      expect(map).toMatchObject({ version: 1, digest: r.digest, regions, etag: `"${r.digest}"` });
      expect(map.registryVersion).toBeGreaterThanOrEqual(r.version);
    });
  });

  describe('watch', () => {
    it('replays CloudEvents from seq 1, notes progress, follows live, and ends quietly on abort', async () => {
      const ctrl = new AbortController();
      const seen: WatchItem[] = [];
      let target = Number.POSITIVE_INFINITY;
      const reading = (async () => {
        for await (const item of anon.watch({ signal: ctrl.signal })) {
          seen.push(item);
          if (item.type === 'progress' && target === Number.POSITIVE_INFINITY) {
            target = (await publish(servicePayload('cl-watch-live'))).version;
          }
          if (item.type === 'event' && item.seq === target) ctrl.abort();
        }
      })();
      await reading;
      const events = seen.flatMap((i) => (i.type === 'event' ? [i] : []));
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: target }, (_, i) => i + 1));
      expect(events[0]?.event).toMatchObject({
        specversion: '1.0',
        id: '1',
        source: '/v1/registry',
        type: 'registry.published',
        subject: 'governance',
        data: { descriptor_id: 'governance', version: 1, registry_version: 1 },
      });
      expect(events.at(-1)?.event.subject).toBe('cl-watch-live');
      expect(seen.some((i) => i.type === 'progress' && i.registryVersion === target - 1)).toBe(true);
    });

    it('resumes after since (exclusive)', async () => {
      const v = await anon.version();
      const ctrl = new AbortController();
      const seen: WatchItem[] = [];
      for await (const item of anon.watch({ since: v - 1, signal: ctrl.signal })) {
        seen.push(item);
        if (item.type === 'progress') ctrl.abort();
      }
      expect(seen).toEqual([
        expect.objectContaining({ type: 'event', seq: v }),
        { type: 'progress', registryVersion: v },
      ]);
    });

    it('refuses a negative since locally', async () => {
      await expect(anon.watch({ since: -1 }).next()).rejects.toThrowRegistryError('BadRequest');
    });
  });

  describe('refusals become RegistryError with the envelope code', () => {
    it('NotFound for an unknown id, version, proposal and route, with hint and request_id', async () => {
      const err = await rejection(anon.get('cl-nope'));
      expect(err).toBeInstanceOf(RegistryError);
      expect(err.code).toBe('NotFound');
      expect(err.httpStatus).toBe(404);
      expect(err.requestId).not.toBe('');
      expect(typeof err.hint).toBe('string');
      await expect(anon.getVersion('governance', 9)).rejects.toThrowRegistryError('NotFound');
      await expect(anon.versions('cl-nope')).rejects.toThrowRegistryError('NotFound');
      await expect(client.proposal('0'.repeat(64))).rejects.toThrowRegistryError('NotFound');
      await expect(anon.get('a/b')).rejects.toThrowRegistryError('NotFound');
      await expect(anon.getVersion('governance', 0)).rejects.toThrowRegistryError('BadRequest');
    });

    it('BadRequest for a bad limit or cursor', async () => {
      await expect(anon.list({ limit: 0 })).rejects.toThrowRegistryError('BadRequest');
      await expect(anon.list({ cursor: '!!' })).rejects.toThrowRegistryError('BadRequest');
    });

    it('Unauthorized without a token, Forbidden without the scope', async () => {
      const p = servicePayload('cl-auth');
      await expect(anon.propose(p, sign(p))).rejects.toThrowRegistryError('Unauthorized');
      const reader = new RegistryClient({ baseUrl: srv.url, token: srv.token(['registry:read']) });
      const err = await rejection(reader.propose(p, sign(p)));
      expect(err.code).toBe('Forbidden');
      expect(err.hint).not.toBe('');
    });

    it('BadSignature for a signer outside the allow-list, NoQuorum below threshold, StaleVersion off the head', async () => {
      const p = servicePayload('cl-refuse');
      await expect(client.propose(p, sign(p, [KEYS[4]]))).rejects.toThrowRegistryError(
        'BadSignature',
        KEYS[4].signerId,
      );
      const pending = await client.propose(p, sign(p, [KEYS[0]]));
      const noQuorum = await rejection(client.apply(pending.proposal_id));
      expect(noQuorum.code).toBe('NoQuorum');
      expect(noQuorum.hint).toMatch(/cosign/);
      await client.cosign(pending.proposal_id, sign(p, [KEYS[1]]));
      await client.apply(pending.proposal_id);
      await expect(client.propose(p, sign(p))).rejects.toThrowRegistryError('StaleVersion');
      const dup = [signPayload(p, KEYS[0], NOW), signPayload(p, KEYS[0], NOW)];
      await expect(client.propose(p, dup)).rejects.toThrowRegistryError('BadRequest');
    });
  });
});

describe('RegistryClient transport', () => {
  const stub = (respond: (url: string, init?: RequestInit) => Promise<Response>) =>
    new RegistryClient({
      baseUrl: 'http://registry.invalid',
      fetch: (u, i) => respond(String(u), i),
      timeoutMs: 100,
    });

  it('StoreUnavailable when the server cannot be reached', async () => {
    const dead = new RegistryClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(dead.version()).rejects.toThrowRegistryError('StoreUnavailable', /cannot reach/);
    await expect(dead.watch().next()).rejects.toThrowRegistryError('StoreUnavailable');
  });

  it('StoreUnavailable after timeoutMs', async () => {
    const never = stub(
      (_u, init) =>
        new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    );
    await expect(never.version()).rejects.toThrowRegistryError('StoreUnavailable', /within 100 ms/);
    await expect(never.watch().next()).rejects.toThrowRegistryError('StoreUnavailable', /within 100 ms/);
  });

  it('classifies a non-envelope answer by status and keeps Retry-After', async () => {
    const proxy = stub(async () => new Response('<html>bad gateway</html>', { status: 502 }));
    const err = await rejection(proxy.version());
    expect(err).toMatchObject({ code: 'StoreUnavailable', httpStatus: 502 });
    const limited = stub(async () => new Response('{}', { status: 429, headers: { 'retry-after': '2' } }));
    expect(await rejection(limited.version())).toMatchObject({
      code: 'WriteRateLimited',
      retryAfterMs: 2000,
    });
    const teapot = stub(async () => new Response('', { status: 418 }));
    expect((await rejection(teapot.version())).code).toBe('BadRequest');
  });

  it('sends the token as a bearer and JSON bodies', async () => {
    const seen: RequestInit[] = [];
    const c = new RegistryClient({
      baseUrl: 'http://registry.invalid',
      token: 'tok',
      fetch: async (_u, init) => {
        if (init !== undefined) seen.push(init);
        return Response.json(
          { proposal_id: 'x', status: 'pending', signatures: 0, threshold: 2, expires_at: '' },
          {
            status: 202,
          },
        );
      },
    });
    await c.cosign('x', []);
    expect(seen[0]?.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
    });
    expect(seen[0]?.body).toBe('{"signatures":[]}');
  });

  it('returns a 503 readiness body instead of throwing, and throws on a non-probe 503', async () => {
    const loading = stub(async () =>
      Response.json(
        { ready: false, store: 'loading', bus: 'loading', writes: 'ok', error: {} },
        { status: 503 },
      ),
    );
    expect(await loading.ready()).toMatchObject({ ready: false, store: 'loading' });
    const broken = stub(async () =>
      Response.json(
        { error: { code: 'StoreUnavailable', message: 'down', hint: '', request_id: 'r-1' } },
        { status: 503 },
      ),
    );
    expect(await rejection(broken.ready())).toMatchObject({ code: 'StoreUnavailable', requestId: 'r-1' });
  });

  it('refuses a descriptor whose ETag is not its digest, and malformed watch events', async () => {
    const real = await client.getVersion('governance', 1);
    const body = JSON.stringify(real.descriptor);
    const lying = stub(async () => new Response(body, { headers: { etag: `"${'0'.repeat(64)}"` } }));
    await expect(lying.get('governance')).rejects.toThrowRegistryError('BadSignature', /ETag/);
    const sse = (text: string) =>
      stub(async () => new Response(text, { headers: { 'content-type': 'text/event-stream' } }));
    const read = async (c: RegistryClient) => {
      const out: WatchItem[] = [];
      for await (const i of c.watch()) out.push(i);
      return out;
    };
    await expect(read(sse('id: 1\nevent: published\ndata: {}\n\n'))).rejects.toThrowRegistryError(
      'BadRequest',
    );
    await expect(read(sse('event: published\ndata: {}\n\n'))).rejects.toThrowRegistryError(
      'BadRequest',
      /seq/,
    );
    await expect(read(sse('event: progress\ndata: nope\n\n'))).rejects.toThrowRegistryError('BadRequest');
    expect(
      await read(
        sse('event: other\ndata: x\n\n: comment\n\nevent: progress\ndata: {"registry_version":3}\n\n'),
      ),
    ).toEqual([{ type: 'progress', registryVersion: 3 }]);
  });
});
