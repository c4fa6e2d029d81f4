/**
 * The SPEC §12 compatibility routes, the 409 Incompatible envelope and the console's schema
 * page, black-box through the app (`app.request`), over an engine wired to a stand-in checker
 * (test/helpers/schema-fixtures.ts `requiredAdded`) so the wiring is tested on its own.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, type Payload, signingBytes } from '../src/core/index.js';
import { createApp } from '../src/http/app.js';
import type { AppEnv } from '../src/http/app.types.js';
import { ServiceState } from '../src/http/service-state.js';
import type { Registry } from '../src/registry/index.js';
import { KEYS, openTestRegistry, proposalBody, publish, servicePayload } from './helpers/fixtures.js';
import { requiredAdded, schemaPayload } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let registry: Registry;
let app: Hono<AppEnv>;
let token: string;

function body(required: string[], compatibility?: string): Record<string, unknown> {
  return {
    format: 'json-schema',
    schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required },
    ...(compatibility === undefined ? {} : { compatibility }),
  };
}
const next = (id: string, b: Record<string, unknown>, version: number, prev: Payload) =>
  schemaPayload(id, b, version, digestOf(signingBytes(prev)));

async function call(method: string, path: string, payload?: unknown) {
  const res = await app.request(`/v1/registry${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  const text = await res.text();
  return {
    res,
    text,
    json: JSON.parse(text) as Record<string, unknown> & { error?: Record<string, unknown> },
  };
}

beforeAll(async () => {
  srv = await startTestServer();
  token = srv.token(ALL_SCOPES);
  ({ registry } = await openTestRegistry({ compatibility: requiredAdded }));
  const state = new ServiceState();
  state.registry = registry;
  app = createApp({ ...srv.running.deps, state });
  // orders: v1 BACKWARD, v2 loosens to NONE, v3 adds a required name (allowed under NONE).
  const v1 = schemaPayload('orders', body([]));
  await publish(registry, v1);
  const v2 = next('orders', body([], 'NONE'), 2, v1);
  await publish(registry, v2);
  await publish(registry, next('orders', body(['a'], 'FULL_TRANSITIVE'), 3, v2));
  await publish(registry, servicePayload('svc-plain'));
});
afterAll(async () => {
  await registry.close();
  await srv.stop();
});

describe('POST /proposals of an incompatible version', () => {
  it('answers 409 Incompatible with every violation in details', async () => {
    const head = registry.head('orders');
    const v4 = schemaPayload('orders', body(['a', 'b']), 4, head.digest);
    const a = await call('POST', '/proposals', proposalBody(v4, [KEYS[0]]));
    expect(a.res.status).toBe(409);
    expect(a.json.error).toMatchObject({ code: 'Incompatible', retryable: false });
    // FULL_TRANSITIVE (the mode of v3): against v1, v2 and v3.
    expect(a.json.error?.details).toEqual([
      { path: '/required', change: 'required-added', message: 'a is now required', against: 1 },
      { path: '/required', change: 'required-added', message: 'b is now required', against: 1 },
      { path: '/required', change: 'required-added', message: 'a is now required', against: 2 },
      { path: '/required', change: 'required-added', message: 'b is now required', against: 2 },
      { path: '/required', change: 'required-added', message: 'b is now required', against: 3 },
    ]);
  });
});

describe('POST /schemas/{id}/compatibility', () => {
  it('checks a candidate under the mode in force, against the versions it names', async () => {
    const a = await call('POST', '/schemas/orders/compatibility', body(['a', 'b']));
    expect(a.res.status).toBe(200);
    expect(a.json).toMatchObject({
      compatible: false,
      mode: 'FULL_TRANSITIVE',
      policy: 'strict',
      against: [1, 2, 3],
    });
    const ok = await call('POST', '/schemas/orders/compatibility?against=latest', body(['a']));
    expect(ok.json).toEqual({
      compatible: true,
      mode: 'FULL_TRANSITIVE',
      policy: 'strict',
      against: [3],
      violations: [],
    });
    const one = await call(
      'POST',
      '/schemas/orders/compatibility?against=2&mode=FORWARD&policy=lenient',
      body(['b']),
    );
    expect(one.json).toEqual({
      compatible: true,
      mode: 'FORWARD',
      policy: 'lenient',
      against: [2],
      violations: [],
    });
    const none = await call('POST', '/schemas/orders/compatibility?mode=BACKWARD', body(['b']));
    expect(none.json).toMatchObject({
      compatible: false,
      against: [3],
      violations: [{ change: 'required-added', against: 3 }],
    });
  });

  it('reports every problem of an invalid candidate with paths into the request body', async () => {
    const a = await call('POST', '/schemas/orders/compatibility', {
      format: 'json-schema',
      schema: { type: 'object', colour: 1, properties: { a: { type: 'strin' } } },
      policy: 'loose',
    });
    expect(a.res.status).toBe(400);
    expect(((a.json.error?.details ?? []) as Array<{ path: string }>).map((d) => d.path)).toEqual([
      '/policy',
    ]);
    const b = await call('POST', '/schemas/orders/compatibility', {
      format: 'json-schema',
      schema: { type: 'object', colour: 1 },
    });
    expect(((b.json.error?.details ?? []) as Array<{ path: string }>).map((d) => d.path)).toEqual([
      '/schema/colour',
    ]);
  });

  it('answers BadRequest for bad parameters and NotFound for a non-schema id or a missing version', async () => {
    for (const q of ['against=0', 'against=latest2', 'mode=SIDEWAYS', 'policy=loose']) {
      const a = await call('POST', `/schemas/orders/compatibility?${q}`, body([]));
      expect(a.res.status, q).toBe(400);
      expect(a.json.error?.code).toBe('BadRequest');
    }
    expect((await call('POST', '/schemas/svc-plain/compatibility', body([]))).res.status).toBe(404);
    expect((await call('POST', '/schemas/nope/compatibility', body([]))).res.status).toBe(404);
    expect((await call('POST', '/schemas/orders/compatibility?against=9', body([]))).res.status).toBe(404);
  });
});

describe('GET /schemas/{id}/compatibility/{from}/{to}', () => {
  it('checks two stored versions, BACKWARD strict unless told', async () => {
    const a = await call('GET', '/schemas/orders/compatibility/2/3');
    expect(a.json).toEqual({
      compatible: false,
      mode: 'BACKWARD',
      policy: 'strict',
      against: [2],
      violations: [{ path: '/required', change: 'required-added', message: 'a is now required', against: 2 }],
    });
    const f = await call('GET', '/schemas/orders/compatibility/2/3?mode=FORWARD');
    expect(f.json).toMatchObject({ compatible: true, mode: 'FORWARD' });
    expect((await call('GET', '/schemas/orders/compatibility/1/9')).res.status).toBe(404);
    expect((await call('GET', '/schemas/orders/compatibility/0/1')).res.status).toBe(400);
    expect((await call('GET', '/schemas/svc-plain/compatibility/1/1')).res.status).toBe(404);
  });

  it('counts verdicts in registry_compatibility_checks_total', async () => {
    const text = await srv.running.deps.metrics.text();
    expect(text).toMatch(/registry_compatibility_checks_total\{result="compatible"\} [1-9]/);
    expect(text).toMatch(/registry_compatibility_checks_total\{result="incompatible"\} [1-9]/);
  });
});

describe('the console schema page', () => {
  it('shows the document, the mode in force and the verdict of each version against the one before', async () => {
    const res = await app.request('/ui/schemas/orders');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('FULL_TRANSITIVE (strict)');
    expect(html).toContain('JSON Schema 2020-12');
    // v2 against v1 under BACKWARD: compatible; v3 against v2 under NONE (the mode v2 set): compatible.
    expect(html.match(/compatible under BACKWARD \(strict\)/g)).toHaveLength(1);
    expect(html).toContain('compatible under NONE (strict)');
    expect(html).toContain('&quot;required&quot;');
    const plain = await app.request('/ui/schemas/svc-plain');
    expect(plain.status).toBe(404);
    const link = await (await app.request('/ui/descriptors/orders')).text();
    expect(link).toContain('href="/ui/schemas/orders"');
  });
});
