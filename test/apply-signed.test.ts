/**
 * SPEC §5 POST /apply: a descriptor already at quorum, applied in one request with no stored
 * proposal; every answer code, black-box over HTTP against a spawned-in-process server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../src/core/index.js';
import { KEYS, NOW, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let writer: string;

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  writer = srv.token(ALL_SCOPES, { identifier: 'ci-upload' });
});
afterAll(async () => {
  await srv.stop();
});

async function post(path: string, body: unknown, token: string | null = writer) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${srv.url}/v1/registry${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } };
  return { status: res.status, json, requestId: res.headers.get('x-request-id') };
}

async function expectCode(p: ReturnType<typeof post>, status: number, code: string) {
  const r = await p;
  expect(r.status).toBe(status);
  expect(r.json.error?.code).toBe(code);
  return r;
}

describe('POST /apply (one request, no stored proposal)', () => {
  it('applies a descriptor at quorum: 200 with the apply body, readable at once, no proposal left', async () => {
    const payload = servicePayload('svc-upload');
    const r = await post('/apply', proposalBody(payload, [KEYS[0], KEYS[1]]));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      version: expect.any(Number),
      descriptor_id: 'svc-upload',
      descriptor_version: 1,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // SPEC §5/§13: as POST /apply/{id}, it names a checkpoint that already covers the entry.
    expect((r.json.checkpoint as { size: number }).size).toBeGreaterThanOrEqual(r.json.version as number);
    const head = await fetch(`${srv.url}/v1/registry/descriptors/svc-upload`);
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(`"${r.json.digest as string}"`);
    // The proposal is applied (GET shows the applied record), never pending (SPEC §4 prop/ untouched).
    const listed = await fetch(`${srv.url}/v1/registry/proposals`, {
      headers: { authorization: `Bearer ${writer}` },
    });
    const items = ((await listed.json()) as { items: Array<{ descriptor_id: string }> }).items;
    expect(items.map((i) => i.descriptor_id)).not.toContain('svc-upload');
    const stored = await srv.running.state.registry?.store.proposals();
    expect(stored?.map((p) => p.payload.id) ?? []).not.toContain('svc-upload');
  });

  it('answers the same 200 when the same upload is repeated after it applied', async () => {
    const body = proposalBody(servicePayload('svc-again'), [KEYS[0], KEYS[2]]);
    const first = await post('/apply', body);
    expect(first.status).toBe(200);
    const again = await post('/apply', body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    // Also through the proposal route: the applied/ record is the proposal's.
    const byId = await post(`/apply/${first.json.digest as string}`, {});
    expect(byId.json).toEqual(first.json);
  });

  it('412 NoQuorum below the threshold, and stores nothing', async () => {
    const r = await expectCode(
      post('/apply', proposalBody(servicePayload('svc-one'), [KEYS[0]])),
      412,
      'NoQuorum',
    );
    expect(r.json.error?.message).toMatch(/2/);
    expect((await fetch(`${srv.url}/v1/registry/descriptors/svc-one`)).status).toBe(404);
    const stored = await srv.running.state.registry?.store.proposals();
    expect(stored?.map((p) => p.payload.id) ?? []).not.toContain('svc-one');
  });

  it('400 BadRequest on a malformed body, an unknown field and a duplicate signer', async () => {
    await expectCode(post('/apply', '{not json'), 400, 'BadRequest');
    const payload = servicePayload('svc-bad');
    await expectCode(
      post('/apply', { ...proposalBody(payload, [KEYS[0], KEYS[1]]), extra: 1 }),
      400,
      'BadRequest',
    );
    const sig = signPayload(payload, KEYS[0], NOW);
    await expectCode(post('/apply', { descriptor: payload, signatures: [sig, sig] }), 400, 'BadRequest');
  });

  it('401 without or with a forged token; 403 with only one of the two scopes or outside its caveats', async () => {
    const body = proposalBody(servicePayload('svc-auth'), [KEYS[0], KEYS[1]]);
    await expectCode(post('/apply', body, null), 401, 'Unauthorized');
    await expectCode(post('/apply', body, 'not-a-token'), 401, 'Unauthorized');
    await expectCode(post('/apply', body, srv.token(['registry:propose'])), 403, 'Forbidden');
    await expectCode(post('/apply', body, srv.token(['registry:apply'])), 403, 'Forbidden');
    await expectCode(
      post('/apply', body, srv.token(['registry:propose', 'registry:apply'], { idPrefix: 'node-' })),
      403,
      'Forbidden',
    );
    expect((await fetch(`${srv.url}/v1/registry/descriptors/svc-auth`)).status).toBe(404);
    const both = await post(
      '/apply',
      body,
      srv.token(['registry:propose', 'registry:apply'], { idPrefix: 'svc-' }),
    );
    expect(both.status).toBe(200);
  });

  it('409 StaleVersion when the version does not extend the head', async () => {
    const v1 = servicePayload('svc-stale');
    const a = await post('/apply', proposalBody(v1, [KEYS[0], KEYS[1]]));
    expect(a.status).toBe(200);
    // v2 with a wrong prev, and a second v1 with another body (not the applied one).
    await expectCode(
      post('/apply', proposalBody(servicePayload('svc-stale', 2, '0'.repeat(64)), [KEYS[0], KEYS[1]])),
      409,
      'StaleVersion',
    );
    const other = servicePayload('svc-stale', 1, null, { deprecated: true });
    await expectCode(post('/apply', proposalBody(other, [KEYS[0], KEYS[1]])), 409, 'StaleVersion');
    const v2 = servicePayload('svc-stale', 2, a.json.digest as string);
    expect((await post('/apply', proposalBody(v2, [KEYS[1], KEYS[2]]))).status).toBe(200);
  });

  it('422 BadSignature for a signer outside the allow-list or a forged signature', async () => {
    const payload = servicePayload('svc-sig');
    await expectCode(post('/apply', proposalBody(payload, [KEYS[0], KEYS[3]])), 422, 'BadSignature');
    const sig = signPayload(payload, KEYS[1], NOW);
    const forged = { ...sig, sig: Buffer.alloc(64, 7).toString('base64url') };
    await expectCode(
      post('/apply', { descriptor: payload, signatures: [signPayload(payload, KEYS[0], NOW), forged] }),
      422,
      'BadSignature',
    );
  });

  it('413 PayloadTooLarge before parsing', async () => {
    await expectCode(post('/apply', `{"descriptor":"${'x'.repeat(70_000)}"}`), 413, 'PayloadTooLarge');
  });
});

describe('POST /apply on a mirror', () => {
  it('answers 503 ReadOnly naming the upstream', async () => {
    const mirror = await startTestServer({ MIRROR_OF: 'http://127.0.0.1:9' });
    try {
      const res = await fetch(`${mirror.url}/v1/registry/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${mirror.token(ALL_SCOPES)}` },
        body: JSON.stringify(proposalBody(servicePayload('svc-m'), [KEYS[0], KEYS[1]])),
      });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; hint: string } };
      expect(body.error.code).toBe('ReadOnly');
      expect(body.error.hint).toContain('127.0.0.1:9');
    } finally {
      await mirror.stop();
    }
  });
});
