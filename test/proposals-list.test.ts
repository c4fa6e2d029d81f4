import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../src/core/index.js';
import { KEYS, NOW, proposalBody, servicePayload } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

// SPEC §5 GET /proposals, black-box: who signed and who is missing, per set during a rotation.

let srv: TestServer;
let admin: string;
const [k1, k2, k3, k4] = KEYS;
const id = (k: (typeof KEYS)[number]) => k.signerId;

interface Item {
  proposal_id: string;
  descriptor_id: string;
  version: number;
  kind: string;
  status: string;
  signatures: number;
  threshold: number;
  signed_by: string[];
  missing: string[];
  sets: Array<{ set: string; threshold: number; signed_by: string[]; missing: string[] }>;
  expires_at: string;
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}/v1/registry${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
  };
}

const list = async (query = '', token = admin) => {
  const r = await call('GET', `/proposals${query}`, token);
  expect(r.status).toBe(200);
  return r.json as { items: Item[]; next_cursor: string | null };
};
const propose = async (payload: Payload, signers: (typeof KEYS)[number][]) => {
  const r = await call('POST', '/proposals', admin, proposalBody(payload, signers));
  expect(r.status).toBe(202);
  return r.json.proposal_id as string;
};

let pending: string;
let ready: string;
let rotation: string;

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  admin = srv.token(ALL_SCOPES, { identifier: 'ops' });
  pending = await propose(servicePayload('svc-b'), [k1]);
  ready = await propose(servicePayload('svc-a'), [k1, k2]);
  const gov = await fetch(`${srv.url}/v1/registry/descriptors/governance`);
  const prev = (gov.headers.get('etag') ?? '').replaceAll('"', '');
  // Rotation: add k4, threshold 4 of 4. Signed by k1, k2 (current 2 of 3 met) and k4 (new: 3 of 4, not met).
  rotation = await propose(
    {
      id: 'governance',
      version: 2,
      kind: 'governance',
      prev,
      ts: NOW,
      body: { signers: [id(k1), id(k2), id(k3), id(k4)], threshold: 4 },
    } as Payload,
    [k1, k2, k4],
  );
});
afterAll(async () => {
  await srv.stop();
});

describe('GET /proposals', () => {
  it('lists live proposals by descriptor id with who signed and who is missing', async () => {
    const { items, next_cursor } = await list();
    expect(items.map((i) => i.descriptor_id)).toEqual(['governance', 'svc-a', 'svc-b']);
    expect(next_cursor).toBeNull();
    const a = items.find((i) => i.proposal_id === ready);
    expect(a).toMatchObject({ status: 'ready', signatures: 2, threshold: 2, kind: 'service', version: 1 });
    expect(a?.signed_by).toEqual([id(k1), id(k2)].sort());
    expect(a?.missing).toEqual([id(k3)]);
    const b = items.find((i) => i.proposal_id === pending);
    expect(b).toMatchObject({ status: 'pending', signatures: 1 });
    expect(b?.missing).toEqual([id(k2), id(k3)].sort());
    expect(Date.parse(b?.expires_at ?? '')).toBeGreaterThan(Date.now());
  });

  it('shows both signer sets during a rotation: pending until the new set reaches its threshold', async () => {
    const g = (await list()).items.find((i) => i.proposal_id === rotation);
    expect(g?.status).toBe('pending');
    expect(g?.signatures).toBe(3);
    expect(g?.missing).toEqual([id(k3)]);
    expect(g?.sets).toEqual([
      { set: 'current', threshold: 2, signed_by: [id(k1), id(k2)].sort(), missing: [id(k3)] },
      { set: 'new', threshold: 4, signed_by: [id(k1), id(k2), id(k4)].sort(), missing: [id(k3)] },
    ]);
    // The 202 of a co-signature agrees once both sets are met.
    const co = await call('POST', `/proposals/${rotation}/signatures`, admin, {
      signatures: proposalBody(
        (await call('GET', `/proposals/${rotation}`, admin)).json.descriptor as Payload,
        [k3],
      ).signatures,
    });
    expect(co.json.status).toBe('ready');
    expect((await list()).items.find((i) => i.proposal_id === rotation)?.status).toBe('ready');
  });

  it('filters by status and prefix, and pages with next_cursor', async () => {
    expect((await list('?status=pending')).items.map((i) => i.proposal_id)).toEqual([pending]);
    expect((await list('?prefix=svc-')).items.map((i) => i.descriptor_id)).toEqual(['svc-a', 'svc-b']);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await list(`?limit=1${cursor === '' ? '' : `&cursor=${cursor}`}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((i) => i.descriptor_id));
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(['governance', 'svc-a', 'svc-b']);
  });

  it('drops a proposal once it is applied', async () => {
    expect((await call('POST', `/apply/${ready}`, admin)).status).toBe(200);
    expect((await list()).items.map((i) => i.proposal_id)).not.toContain(ready);
  });

  it('shows a token only the ids its caveats cover', async () => {
    const svc = srv.token(['registry:propose'], { idPrefix: 'svc-' });
    expect((await list('', svc)).items.map((i) => i.descriptor_id)).toEqual(['svc-b']);
    const nodes = srv.token(['registry:apply'], { kinds: ['node'] });
    expect((await list('', nodes)).items).toEqual([]);
  });

  it.each([
    ['no token', undefined, '', 401, 'Unauthorized'],
    ['a read-only token', 'read', '', 403, 'Forbidden'],
    ['an unknown status', 'admin', '?status=applied', 400, 'BadRequest'],
    ['a bad limit', 'admin', '?limit=0', 400, 'BadRequest'],
    ['a forged cursor', 'admin', '?cursor=bm9wZQ', 400, 'BadRequest'],
  ] as const)('answers %s with the SPEC envelope', async (_name, who, query, status, code) => {
    const token = who === undefined ? undefined : who === 'read' ? srv.token(['registry:read']) : admin;
    const r = await call('GET', `/proposals${query}`, token);
    expect(r.status).toBe(status);
    expect(r.json.error?.code).toBe(code);
  });
});
