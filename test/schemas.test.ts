import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSchema, type Payload, parseBody } from '../src/core/index.js';
import { KEYS, proposalBody, servicePayload } from './helpers/fixtures.js';
import { schemaPayload, TICKS_V1 } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let writer: string;

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  writer = srv.token(ALL_SCOPES, { identifier: 'schema-writer' });
});
afterAll(async () => {
  await srv.stop();
});

const base = () => `${srv.url}/v1/registry`;

interface Answer {
  res: Response;
  text: string;
  json: Record<string, unknown> & {
    error?: { code: string; message: string; details?: Array<Record<string, unknown>> };
  };
}

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const body =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base()}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {}
  return { res, text, json };
}

async function publish(payload: Payload): Promise<{ digest: string }> {
  const p = await call('POST', '/proposals', {
    body: proposalBody(payload, [KEYS[0], KEYS[1]]),
    token: writer,
  });
  expect(p.res.status, p.text).toBe(202);
  const a = await call('POST', `/apply/${p.json.proposal_id}`, { token: writer });
  expect(a.res.status, a.text).toBe(200);
  return { digest: a.json.digest as string };
}

function expectDetails(a: Answer, status: number, code: string): Array<Record<string, unknown>> {
  expect(a.res.status, a.text).toBe(status);
  expect(a.json.error?.code).toBe(code);
  const details = a.json.error?.details;
  expect(Array.isArray(details)).toBe(true);
  return details as Array<Record<string, unknown>>;
}

describe('schema descriptors', () => {
  let ticks: { digest: string };
  beforeAll(async () => {
    ticks = await publish(schemaPayload('ticks', TICKS_V1));
  });

  describe('POST /schemas/{id}/validate', () => {
    it('answers valid for a value the schema accepts', async () => {
      const a = await call('POST', '/schemas/ticks/validate', { body: { symbol: 'ACME', price: 12.5 } });
      expect(a.res.status).toBe(200);
      expect(a.json).toEqual({ valid: true, id: 'ticks', version: 1, digest: ticks.digest, errors: [] });
    });

    it('lists every error of a value it refuses, with JSON Pointers', async () => {
      const a = await call('POST', '/schemas/ticks/validate?version=1', {
        body: { price: 'high', extra: 1 },
      });
      expect(a.res.status).toBe(200);
      expect(a.json.valid).toBe(false);
      const errors = a.json.errors as Array<{ path: string; keyword: string; schema_path: string }>;
      expect(errors.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'required', 'type']);
      expect(errors.find((e) => e.keyword === 'type')).toMatchObject({
        path: '/price',
        schema_path: '#/properties/price/type',
      });
    });

    it('validates any JSON value, not only objects', async () => {
      const a = await call('POST', '/schemas/ticks/validate', { body: '42' });
      expect(a.json).toMatchObject({ valid: false, errors: [{ path: '', keyword: 'type' }] });
    });

    it('answers NotFound for an id that is not a schema, and for an unknown version', async () => {
      await publish(servicePayload('svc-not-a-schema'));
      for (const path of [
        '/schemas/svc-not-a-schema/validate',
        '/schemas/nope/validate',
        '/schemas/ticks/validate?version=9',
      ]) {
        const a = await call('POST', path, { body: {} });
        expect(a.res.status, path).toBe(404);
        expect(a.json.error?.code).toBe('NotFound');
      }
    });

    it('answers BadRequest for a bad version parameter or a body that is not JSON', async () => {
      for (const [path, body] of [
        ['/schemas/ticks/validate?version=0', '{}'],
        ['/schemas/ticks/validate?version=x', '{}'],
        ['/schemas/ticks/validate', '{"symbol":'],
      ] as const) {
        const a = await call('POST', path, { body });
        expect(a.res.status, path).toBe(400);
        expect(a.json.error?.code).toBe('BadRequest');
      }
    });

    it('answers the same from the fast lane as from the hono route', async () => {
      const { createApp } = await import('../src/http/app.js');
      const app = createApp(srv.running.deps);
      expect(srv.running.deps.state.registry?.schemas.cachedHead('ticks')).toBeDefined();
      for (const body of ['{"symbol":"A","price":"x"}', '{"symbol":"A"}', '{"symbol":', '"\\ud800"']) {
        // The lane answers once the head's validator is compiled (the first validate above did).
        const lane = await call('POST', '/schemas/ticks/validate', { body });
        const hono = await app.request('/v1/registry/schemas/ticks/validate', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        const honoText = await hono.text();
        expect(lane.res.status, body).toBe(hono.status);
        expect(lane.res.headers.get('content-type')).toBe(hono.headers.get('content-type'));
        const strip = (t: string) =>
          JSON.parse(t.replace(/"(ts|request_id)":"[^"]*"/g, '"$1":""')) as unknown;
        expect(strip(lane.text), body).toEqual(strip(honoText));
      }
    });

    it('counts verdicts in registry_schema_validations_total', async () => {
      const text = await (await fetch(`${srv.url}/metrics`)).text();
      expect(text).toMatch(/registry_schema_validations_total\{result="valid"\} [1-9]/);
      expect(text).toMatch(/registry_schema_validations_total\{result="invalid"\} [1-9]/);
      expect(text).toMatch(/registry_compatibility_checks_total\{result="compatible"\} \d/);
    });
  });

  describe('at propose', () => {
    it('reports every problem of an invalid schema at once, with paths into the request body', async () => {
      const bad = schemaPayload('bad-schema', {
        format: 'json-schema',
        schema: {
          type: 'object',
          foo: true,
          properties: { a: { type: 'strin' }, b: { type: 'string', format: 'no-such-format' } },
        },
        policy: 'loose',
      });
      const a = await call('POST', '/proposals', { body: proposalBody(bad, [KEYS[0]]), token: writer });
      const details = expectDetails(a, 400, 'BadRequest');
      expect(details).toEqual([
        { path: '/descriptor/body/policy', message: 'must be one of strict, lenient' },
      ]);
      const fixedPolicy = schemaPayload('bad-schema', { ...bad.body, policy: 'strict' });
      const b = await call('POST', '/proposals', {
        body: proposalBody(fixedPolicy, [KEYS[0]]),
        token: writer,
      });
      const paths = expectDetails(b, 400, 'BadRequest').map((d) => d.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/descriptor/body/schema/foo',
          '/descriptor/body/schema/properties/a/type',
          '/descriptor/body/schema/properties/b/format',
        ]),
      );
    });

    it('refuses a $schema of another dialect', async () => {
      const p = schemaPayload('draft-04', {
        format: 'json-schema',
        schema: { $schema: 'http://json-schema.org/draft-04/schema#' },
      });
      const a = await call('POST', '/proposals', { body: proposalBody(p, [KEYS[0]]), token: writer });
      expect(expectDetails(a, 400, 'BadRequest')[0]?.path).toBe('/descriptor/body/schema/$schema');
    });

    it('accepts draft-07 and x- annotations', async () => {
      await publish(
        schemaPayload('legacy', {
          format: 'json-schema',
          schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'array',
            items: [{ type: 'string' }],
            additionalItems: false,
            'x-owner': 'team-a',
          },
        }),
      );
      const ok = await call('POST', '/schemas/legacy/validate', { body: ['a'] });
      expect(ok.json.valid).toBe(true);
      const no = await call('POST', '/schemas/legacy/validate', { body: ['a', 'b'] });
      expect(no.json.valid).toBe(false);
    });
  });

  describe('references', () => {
    it('resolve $ref to a pinned schema version, never the network', async () => {
      await publish(
        schemaPayload('money', {
          format: 'json-schema',
          schema: {
            type: 'object',
            properties: { amount: { type: 'number' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
            required: ['amount', 'currency'],
          },
        }),
      );
      await publish(
        schemaPayload('order', {
          format: 'json-schema',
          schema: { type: 'object', properties: { total: { $ref: 'https://schemas.example/money' } } },
          references: [{ ref: 'https://schemas.example/money', id: 'money', version: 1 }],
        }),
      );
      const good = await call('POST', '/schemas/order/validate', {
        body: { total: { amount: 1, currency: 'EUR' } },
      });
      expect(good.json.valid).toBe(true);
      const bad = await call('POST', '/schemas/order/validate', {
        body: { total: { amount: 1, currency: 'euro' } },
      });
      expect(bad.json).toMatchObject({
        valid: false,
        errors: [{ path: '/total/currency', keyword: 'pattern' }],
      });
    });

    it('refuses a reference to a missing version, a non-schema, or an unresolved $ref', async () => {
      const p = schemaPayload('order-bad', {
        format: 'json-schema',
        schema: { type: 'object', properties: { total: { $ref: 'https://elsewhere.example/x' } } },
        references: [
          { ref: 'https://schemas.example/money', id: 'money', version: 7 },
          { ref: 'https://schemas.example/svc', id: 'svc-not-a-schema', version: 1 },
        ],
      });
      const a = await call('POST', '/proposals', { body: proposalBody(p, [KEYS[0]]), token: writer });
      const details = expectDetails(a, 400, 'BadRequest');
      expect(details.map((d) => d.path)).toEqual([
        '/descriptor/body/references/0',
        '/descriptor/body/references/1',
      ]);
      const unresolved = schemaPayload('order-bad', {
        format: 'json-schema',
        schema: { type: 'object', properties: { total: { $ref: 'https://elsewhere.example/x' } } },
      });
      const b = await call('POST', '/proposals', {
        body: proposalBody(unresolved, [KEYS[0]]),
        token: writer,
      });
      expect(expectDetails(b, 400, 'BadRequest')[0]?.message).toMatch(/resolves neither/);
    });
  });

  describe('service contracts', () => {
    it('pin existing schema versions, checked at propose', async () => {
      const ok = servicePayload('svc-ticker', 1, null, {
        body: {
          name: 'svc-ticker',
          region: 'us-east-1',
          endpoints: [{ addr: '10.0.0.9:443', tls: true, weight: 1 }],
          contracts: [{ id: 'ticks', version: 1 }],
        },
      } as Partial<Payload>);
      await publish(ok);
      const missing = servicePayload('svc-ticker2', 1, null, {
        body: {
          ...(ok.body as object),
          contracts: [
            { id: 'ticks', version: 5 },
            { id: 'svc-not-a-schema', version: 1 },
          ],
        },
      } as unknown as Partial<Payload>);
      const a = await call('POST', '/proposals', { body: proposalBody(missing, [KEYS[0]]), token: writer });
      expect(expectDetails(a, 400, 'BadRequest').map((d) => d.path)).toEqual([
        '/descriptor/body/contracts/0',
        '/descriptor/body/contracts/1',
      ]);
    });

    it('refuses more than 16 contracts or a malformed one', () => {
      const body = { name: 'a', region: 'b', endpoints: [{ addr: 'h:1', tls: true, weight: 1 }] };
      const many = Array.from({ length: 17 }, (_, i) => ({ id: 'x', version: i + 1 }));
      expect(() => parseBody('service', { ...body, contracts: many })).toThrowRegistryError('BadRequest');
      expect(() => parseBody('service', { ...body, contracts: [{ id: 'x' }] })).toThrowRegistryError(
        'BadRequest',
      );
      expect(() =>
        parseBody('service', { ...body, contracts: [{ id: 'x', version: 1, y: 2 }] }),
      ).toThrowRegistryError('BadRequest');
    });
  });

  describe('a refused built-in body', () => {
    it("lists every problem the kind schema sees, the message staying the parser's", async () => {
      const bad = servicePayload('svc-broken', 1, null, {
        body: {
          name: '',
          region: 'us-east-1',
          endpoints: [{ addr: 'nope', tls: 'yes', weight: 70000 }],
          x: 1,
        },
      } as unknown as Partial<Payload>);
      const a = await call('POST', '/proposals', { body: proposalBody(bad, [KEYS[0]]), token: writer });
      const paths = expectDetails(a, 400, 'BadRequest').map((d) => d.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/descriptor/body',
          '/descriptor/body/name',
          '/descriptor/body/endpoints/0/addr',
          '/descriptor/body/endpoints/0/tls',
          '/descriptor/body/endpoints/0/weight',
        ]),
      );
    });

    it('keeps a rule only the parser knows as the one detail', async () => {
      const long = servicePayload('svc-long', 1, null, {
        // The bracket pattern admits it; only the WHATWG URL parser knows it is no IPv6 address.
        body: { name: 'n', region: 'r', endpoints: [{ addr: '[:::::]:80', tls: true, weight: 1 }] },
      } as unknown as Partial<Payload>);
      const a = await call('POST', '/proposals', { body: proposalBody(long, [KEYS[0]]), token: writer });
      expect(expectDetails(a, 400, 'BadRequest')).toEqual([
        { path: '/descriptor/body', message: expect.stringMatching(/not an IPv6 address/) },
      ]);
    });
  });

  describe('hostile schemas', () => {
    it('refuses nesting deeper than 64 with a clear error', async () => {
      let deep: Record<string, unknown> = { type: 'string' };
      for (let i = 0; i < 70; i++) deep = { type: 'array', items: deep };
      const p = schemaPayload('deep', { format: 'json-schema', schema: deep });
      const a = await call('POST', '/proposals', { body: proposalBody(p, [KEYS[0]]), token: writer });
      expect(a.res.status).toBe(400);
      expect(a.json.error?.message).toMatch(/nesting deeper than 64/);
    });

    it('refuses a catastrophic pattern before it can run', async () => {
      const p = schemaPayload('redos', {
        format: 'json-schema',
        schema: { type: 'string', pattern: '^(a+)+$' },
      });
      const a = await call('POST', '/proposals', { body: proposalBody(p, [KEYS[0]]), token: writer });
      expect(expectDetails(a, 400, 'BadRequest')[0]).toMatchObject({
        path: '/descriptor/body/schema/pattern',
        message: expect.stringMatching(/exponential backtracking/),
      });
    });

    it('compiles a huge enum and validates against it (bounded by the body limit)', async () => {
      const values = Array.from({ length: 6000 }, (_, i) => `v${i}`);
      await publish(schemaPayload('big-enum', { format: 'json-schema', schema: { enum: values } }));
      expect((await call('POST', '/schemas/big-enum/validate', { body: '"v5999"' })).json.valid).toBe(true);
      expect((await call('POST', '/schemas/big-enum/validate', { body: '"v6000"' })).json.valid).toBe(false);
    });

    it('answers a value at the string limit against a nested-quantifier-free pattern', () => {
      const c = compileSchema({ type: 'string', pattern: '^([a-z0-9-]+\\.)*[a-z]+$' });
      expect(c.validate(`${'a'.repeat(1000)}!`).valid).toBe(false);
    });
  });

  describe('GET /kinds', () => {
    it('serves the JSON Schema of every kind body', async () => {
      const a = await call('GET', '/kinds');
      expect(a.res.status).toBe(200);
      const kinds = a.json.kinds as Record<string, Record<string, unknown>>;
      expect(Object.keys(kinds).sort()).toEqual(['governance', 'node', 'region_map', 'schema', 'service']);
      expect(kinds.service).toMatchObject({ type: 'object', required: ['name', 'region', 'endpoints'] });
      const doc = await call('GET', '/openapi.json');
      const components = (doc.json.components as { schemas: Record<string, unknown> }).schemas;
      expect(components.ServiceBody).toEqual(
        Object.fromEntries(
          Object.entries(kinds.service ?? {}).filter(([k]) => k !== '$schema' && k !== 'title'),
        ),
      );
      // The kind bodies, beside the request and envelope schemas.
      expect(
        Object.keys(components)
          .filter((k) => k.endsWith('Body'))
          .sort(),
      ).toEqual(['GovernanceBody', 'NodeBody', 'RegionMapBody', 'SchemaBody', 'ServiceBody']);
    });
  });
});

describe('schema routes with READ_AUTH', () => {
  let locked: TestServer;
  beforeAll(async () => {
    locked = await startTestServer({ WRITE_RATE: '1000', READ_AUTH: 'true' });
    const w = locked.token(ALL_SCOPES);
    const p = schemaPayload('ticks', TICKS_V1);
    const url = `${locked.url}/v1/registry`;
    const headers = { authorization: `Bearer ${w}`, 'content-type': 'application/json' };
    const r = await fetch(`${url}/proposals`, {
      method: 'POST',
      headers,
      body: JSON.stringify(proposalBody(p, [KEYS[0], KEYS[1]])),
    });
    const { proposal_id } = (await r.json()) as { proposal_id: string };
    expect((await fetch(`${url}/apply/${proposal_id}`, { method: 'POST', headers })).status).toBe(200);
  });
  afterAll(async () => {
    await locked.stop();
  });

  it('asks for a read token, and hides a schema outside the token kind caveat', async () => {
    const validate = (token?: string) =>
      fetch(`${locked.url}/v1/registry/schemas/ticks/validate`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: '{"symbol":"A"}',
      });
    expect((await validate()).status).toBe(401);
    expect((await validate(locked.token(['registry:read'], { kinds: ['service'] }))).status).toBe(404);
    const ok = await validate(locked.token(['registry:read'], { kinds: ['schema'] }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { valid: boolean }).valid).toBe(true);
    expect((await fetch(`${locked.url}/v1/registry/kinds`)).status).toBe(401);
  });
});
