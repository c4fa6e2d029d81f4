import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import type { AppEnv } from '../src/http/app.types.js';
import { sideBySide } from '../src/http/console/diff.js';
import type { Registry } from '../src/registry/index.js';
import { seedConsole, XSS_ATTR, XSS_SCRIPT } from './helpers/console-seed.js';
import { GENESIS } from './helpers/fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let app: Hono<AppEnv>;
let registry: Registry;
let pendingId: string;

beforeAll(async () => {
  srv = await startTestServer();
  app = createApp(srv.running.deps);
  registry = srv.running.deps.state.registry as Registry;
  ({ pendingId } = await seedConsole(registry));
});
afterAll(async () => {
  await srv.stop();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  return { res, html: await res.text() };
}

describe('console pages', () => {
  it('serves every page as HTML with a CSP that allows only same-origin script and style', async () => {
    for (const path of [
      '/ui',
      '/ui/descriptors',
      '/ui/descriptors/svc-a',
      '/ui/proposals',
      '/ui/regions',
      '/ui/log',
      '/ui/live',
    ]) {
      const { res, html } = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/<script>|style="/);
    }
    const css = await get('/ui/style.css');
    expect(css.res.headers.get('content-type')).toMatch(/^text\/css/);
    const js = await get('/ui/live.js');
    expect(js.res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.html).toContain('EventSource');
  });

  it('overview: version, readiness, counts by kind and state, governance, last events', async () => {
    const { html } = await get('/ui');
    expect(html).toContain(`<p class="big" id="registry-version">${registry.version}</p>`);
    expect(html).toMatch(/<th>writes<\/th><td class="ok">ok<\/td>/);
    // service: svc-a, svc-xss published; svc-b deprecated.
    expect(html).toMatch(/>service<\/a><\/td><td>2<\/td><td>1<\/td>/);
    expect(html).toContain(`threshold ${GENESIS.threshold} of ${GENESIS.signers.length}`);
    for (const s of GENESIS.signers) expect(html).toContain(s);
    expect(html).toContain('href="/ui/descriptors/regions"');
    expect(html).toContain('1 pending');
  });

  it('descriptors: lists heads with links, filters by kind, prefix and deprecated, pages with a cursor', async () => {
    const all = (await get('/ui/descriptors')).html;
    for (const id of ['governance', 'regions', 'svc-a', 'svc-b', 'svc-xss']) {
      expect(all).toContain(`href="/ui/descriptors/${id}"`);
    }
    const byKind = (await get('/ui/descriptors?kind=region_map')).html;
    expect(byKind).toContain('/ui/descriptors/regions"');
    expect(byKind).not.toContain('/ui/descriptors/svc-a"');
    const byPrefix = (await get('/ui/descriptors?prefix=svc-')).html;
    expect(byPrefix).not.toContain('/ui/descriptors/governance"');
    expect(byPrefix).toContain('/ui/descriptors/svc-xss"');
    const dep = (await get('/ui/descriptors?deprecated=yes')).html;
    expect(dep).toContain('/ui/descriptors/svc-b"');
    expect(dep).not.toContain('/ui/descriptors/svc-a"');
    const live = (await get('/ui/descriptors?deprecated=no&limit=2')).html;
    expect(live).toContain('/ui/descriptors/governance"');
    expect(live).toContain('/ui/descriptors/regions"');
    const next = /rel="next" href="([^"]+)"/.exec(live)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const page2 = (await get(next as string)).html;
    expect(page2).toContain('/ui/descriptors/svc-a"');
    expect(page2).toContain('/ui/descriptors/svc-xss"');
    expect(page2).not.toContain('/ui/descriptors/svc-b"');
    expect(page2).not.toContain('rel="next"');
    const unfiltered = (await get('/ui/descriptors?limit=2&prefix=svc-')).html;
    expect(unfiltered).toContain('rel="next"');
    expect((await get('/ui/descriptors?kind=nope')).res.status).toBe(400);
    const maybe = await get('/ui/descriptors?deprecated=maybe');
    expect(maybe.res.status).toBe(400);
    expect(maybe.html).not.toContain('descriptor schema');
    expect((await get('/ui/descriptors?deprecated=true')).html).toBe(dep);
    expect((await get('/ui/descriptors?limit=0')).res.status).toBe(400);
    expect((await get('/ui/descriptors?cursor=!!')).res.status).toBe(400);
    expect((await get('/ui/descriptors?prefix=zzz')).html).toContain('No descriptors match.');
  });

  it('descriptor: body, digest, signatures valid under the governance of the time, history and diff', async () => {
    const { html } = await get('/ui/descriptors/svc-a');
    expect(html).toContain(registry.head('svc-a').digest);
    expect(html).toContain('10.0.0.8:443');
    expect(html).toContain('<th>tier</th>');
    expect(html.match(/<td class="ok">valid<\/td>/g)?.length).toBe(2);
    expect(html).toContain('checked under governance v1');
    expect(html).toContain('href="/ui/descriptors/svc-a?a=1&amp;b=2"');
    const diff = (await get('/ui/descriptors/svc-a?a=1&b=2')).html;
    expect(diff).toContain('id="diff"');
    expect(diff).toMatch(/<td class="del">.*10\.0\.0\.7:443/);
    expect(diff).toMatch(/<td class="add">.*10\.0\.0\.8:443/);
    expect(diff).toContain('<td class="add">    &quot;labels&quot;: {</td>');
    const gov = (await get('/ui/descriptors/governance')).html;
    expect(gov).toContain('genesis: applied without a quorum');
    expect((await get('/ui/descriptors/svc-a?a=0&b=2')).res.status).toBe(400);
  });

  it('unknown descriptor or version: an HTML 404 carrying the SPEC code and request id', async () => {
    const { res, html } = await get('/ui/descriptors/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('404 NotFound');
    expect(html).toContain(res.headers.get('x-request-id') as string);
    expect((await get('/ui/descriptors/svc-a?a=1&b=9')).res.status).toBe(404);
  });

  it('proposals: status, signatures vs threshold, each signer signed or not, expiry', async () => {
    const { html } = await get('/ui/proposals');
    expect(html).toContain(pendingId.slice(0, 16));
    expect(html).toContain('svc-new');
    expect(html).toContain('1 of 2 needed');
    expect(html).toMatch(/<td class="">pending<\/td>/);
    expect(html).toContain(`<li class="signed" title="signed">${GENESIS.signers[0]}</li>`);
    for (const s of GENESIS.signers.slice(1))
      expect(html).toContain(`<li class="missing" title="not signed yet">${s}</li>`);
    expect(html).not.toContain(`<li class="missing" title="not signed yet">${GENESIS.signers[0]}</li>`);
    expect(html).toMatch(/\(in 23 h 59 min\)|\(in 24 h 0 min\)/);
  });

  it('region map: a diagram of regions and their services, each linking to its descriptor', async () => {
    const { html } = await get('/ui/regions');
    const svg = /<svg class="regions" id="region-diagram"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('>us-east-1</text>');
    expect(svg).toMatch(
      /<a href="\/ui\/descriptors\/svc-a"><title>svc-a 10\.0\.0\.8:443 weight 50 TLS<\/title>/,
    );
    expect(svg).toContain('10.0.0.8:443 · w 50 · TLS');
    expect(svg).toContain('<a href="/ui/descriptors/svc-xss">');
    expect(svg).not.toMatch(/<script|style=|on[a-z]+=/);
  });

  it('region map: one table per region with address, TLS, weight', async () => {
    const { html } = await get('/ui/regions');
    expect(html).toContain('<h2>us-east-1</h2>');
    expect(html).toMatch(/svc-a<\/a><\/td><td class="mono">10\.0\.0\.8:443<\/td><td>yes<\/td><td>50<\/td>/);
    expect(html).toMatch(/svc-xss<\/a><\/td><td class="mono">10\.0\.1\.1:80<\/td><td>no<\/td><td>1<\/td>/);
  });

  it('live: the last events server-rendered, then the script from the current version', async () => {
    const { html } = await get('/ui/live');
    expect(html).toContain('<script src="/ui/live.js" defer=""></script>');
    expect(html).toContain(`data-since="${registry.version}"`);
    expect(html).toContain('href="/ui/descriptors/svc-xss"');
  });

  it('renders hostile labels inert: escaped text, never markup', async () => {
    const { html } = await get('/ui/descriptors/svc-xss');
    expect(html).not.toContain(XSS_SCRIPT);
    expect(html).not.toContain(XSS_ATTR);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    const list = await get(`/ui/descriptors?prefix=${encodeURIComponent(XSS_ATTR)}`);
    expect(list.html).not.toContain(XSS_ATTR);
  });
});

describe('console with READ_AUTH', () => {
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ READ_AUTH: 'true' });
  });
  afterAll(async () => {
    await guarded.stop();
  });

  it('asks for the same token as the API: 401 without, 403 without the read scope, 200 with it', async () => {
    const a = createApp(guarded.running.deps);
    const none = await a.request('/ui/descriptors');
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('Unauthorized');
    const wrong = await a.request('/ui', {
      headers: { authorization: `Bearer ${guarded.token(['registry:propose'])}` },
    });
    expect(wrong.status).toBe(403);
    const ok = await a.request('/ui', {
      headers: { authorization: `Bearer ${guarded.token(['registry:read'])}` },
    });
    expect(ok.status).toBe(200);
    // The stylesheet holds no data and stays public, so error pages are styled.
    expect((await a.request('/ui/style.css')).status).toBe(200);
  });

  it('answers 503 StoreUnavailable as a page while the engine is not loaded', async () => {
    const a = createApp({
      ...guarded.running.deps,
      readAuth: false,
      state: new (guarded.running.deps.state.constructor as new () => typeof guarded.running.deps.state)(),
    });
    const res = await a.request('/ui');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('StoreUnavailable');
  });
});

describe('side-by-side diff', () => {
  it('pairs changed lines, keeps common ones, shows pure adds and deletes', () => {
    const rows = sideBySide(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'e', 'f']);
    expect(rows.map((r) => r.kind)).toEqual(['same', 'change', 'same', 'change', 'add']);
    expect(sideBySide(['x', 'y'], ['y']).map((r) => r.kind)).toEqual(['del', 'same']);
  });

  it('falls back to pairing by position on very long inputs', () => {
    const long = Array.from({ length: 2500 }, (_, i) => `l${i}`);
    const rows = sideBySide(long, [...long.slice(0, -1), 'changed']);
    expect(rows.at(-1)?.kind).toBe('change');
    expect(rows.length).toBe(2500);
  });
});
