import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';
import { collect } from './helpers/sse.js';

let srv: TestServer;
let token: string;

beforeAll(async () => {
  srv = await startTestServer();
  token = srv.token(ALL_SCOPES);
});
afterAll(async () => {
  await srv.stop();
});

async function publish(id: string) {
  const h = { authorization: `Bearer ${token}` };
  const p = await fetch(`${srv.url}/v1/registry/proposals`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify(proposalBody(servicePayload(id), [KEYS[0], KEYS[1]])),
  });
  const { proposal_id } = (await p.json()) as { proposal_id: string };
  const a = await fetch(`${srv.url}/v1/registry/apply/${proposal_id}`, { method: 'POST', headers: h });
  return (await a.json()) as { version: number; digest: string };
}

const entries = (ms: Array<{ event: string; id: string | undefined }>) =>
  ms.filter((m) => m.event !== 'progress').map((m) => Number(m.id));

describe('GET /watch', () => {
  it('replays from seq 1 with CloudEvents, says progress when caught up, then follows live', async () => {
    const first = await publish('w-a');
    const res = await fetch(`${srv.url}/v1/registry/watch`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const done = collect(res, (seen) => seen.some((m) => m.data.includes('"w-b"')));
    const second = await publish('w-b');
    const seen = await done;
    const genesis = seen[0];
    expect(genesis).toMatchObject({ id: '1', event: 'published' });
    const ce = JSON.parse(seen.find((m) => m.id === String(first.version))?.data ?? '{}');
    expect(ce).toEqual({
      specversion: '1.0',
      id: String(first.version),
      source: '/v1/registry',
      type: 'registry.published',
      subject: 'w-a',
      time: expect.stringMatching(/Z$/),
      datacontenttype: 'application/json',
      data: {
        descriptor_id: 'w-a',
        version: 1,
        digest: first.digest,
        ts: expect.any(Number),
        registry_version: first.version,
      },
    });
    const progress = seen.find((m) => m.event === 'progress');
    expect(progress?.id).toBeUndefined();
    expect(JSON.parse(progress?.data ?? '{}')).toEqual({ registry_version: first.version });
    const ids = entries(seen);
    expect(ids).toEqual(Array.from({ length: second.version }, (_, i) => i + 1));
  });

  it('resumes after ?since= and Last-Event-ID (exclusive; the header wins)', async () => {
    const a = await publish('w-c');
    const viaQuery = await collect(await fetch(`${srv.url}/v1/registry/watch?since=${a.version - 1}`), (s) =>
      s.some((m) => m.event === 'progress'),
    );
    expect(entries(viaQuery)).toEqual([a.version]);
    const viaHeader = await collect(
      await fetch(`${srv.url}/v1/registry/watch?since=0`, {
        headers: { 'last-event-id': String(a.version - 1) },
      }),
      (s) => s.some((m) => m.event === 'progress'),
    );
    expect(entries(viaHeader)).toEqual([a.version]);
  });

  it('refuses a malformed since with BadRequest', async () => {
    const res = await fetch(`${srv.url}/v1/registry/watch?since=-1`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
  });

  it('counts connected watchers in registry_watchers', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${srv.url}/v1/registry/watch`, { signal: ctrl.signal });
    await collect(res, (s) => s.some((m) => m.event === 'progress'));
    const res2 = await fetch(`${srv.url}/v1/registry/watch`, { signal: ctrl.signal });
    const reader = res2.body?.getReader();
    await reader?.read();
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(Number(/^registry_watchers (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    ctrl.abort();
  });
});

describe('GET /watch on shutdown', () => {
  it('ends open streams and the server exits cleanly', async () => {
    const s = await startTestServer();
    const res = await fetch(`${s.url}/v1/registry/watch`);
    const reading = collect(res, () => false).catch(() => []);
    await new Promise((r) => setTimeout(r, 50));
    await s.stop();
    const seen = await reading;
    expect(seen[0]).toMatchObject({ id: '1' });
  });
});
