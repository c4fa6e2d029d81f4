import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../src/registry/index.js';
import { seedConsole } from './helpers/console-seed.js';
import { KEYS, proposalBody, servicePayload } from './helpers/fixtures.js';
import { skipWithout } from './helpers/require-tool.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

// The browser is a Debian package, not an npm one: npm test installs it (test/system-packages).
describe.skipIf(skipWithout(CHROMIUM))('console in headless Chromium', () => {
  let srv: TestServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    srv = await startTestServer({ WRITE_RATE: '1000' });
    await seedConsole(srv.running.deps.state.registry as Registry);
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'registry-chromium-'));
    // A new empty profile per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });

  it('opens every page and follows links from one to the next', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    await page.goto(`${srv.url}/ui`);
    expect(await page.textContent('#registry-version')).toBe(
      String(srv.running.deps.state.registry?.version),
    );
    await shot('overview');

    await page.click('nav >> text=Descriptors');
    await page.waitForURL('**/ui/descriptors');
    expect(await page.locator('#descriptors a').count()).toBe(5);
    await page.selectOption('select[name=kind]', 'service');
    await page.click('button[type=submit]');
    await page.waitForURL('**/ui/descriptors?kind=service*');
    expect(await page.locator('#descriptors a').count()).toBe(3);
    await shot('descriptors');

    await page.click('#descriptors >> text=svc-a');
    await page.waitForURL('**/ui/descriptors/svc-a');
    expect(await page.textContent('#digest')).toMatch(/^[0-9a-f]{64}$/);
    await page.click('#history >> text=v1 → v2');
    await page.waitForURL('**/ui/descriptors/svc-a?a=1&b=2');
    expect(await page.locator('table.diff td.add').count()).toBeGreaterThan(0);
    await shot('descriptor');

    await page.goto(`${srv.url}/ui/descriptors/svc-xss`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#body img').count()).toBe(0);

    await page.click('nav >> text=Proposals');
    await page.waitForURL('**/ui/proposals');
    expect(await page.textContent('#proposals')).toContain('1 of 2');
    await shot('proposals');

    await page.click('nav >> text=Region map');
    await page.waitForURL('**/ui/regions');
    expect(await page.locator('svg.regions rect.region').count()).toBe(2);
    // The diagram's service boxes are links to the service's descriptor.
    await page.click('svg.regions a[href="/ui/descriptors/svc-a"]');
    await page.waitForURL('**/ui/descriptors/svc-a');
    await page.goto(`${srv.url}/ui/regions`);
    await shot('regions');
    expect(errors.join('\n')).toBe('');
  });

  it('shows an applied change on the live page within a second, newest first', async () => {
    await page.goto(`${srv.url}/ui/live`);
    await page.waitForSelector('#state.ok');
    const token = srv.token(ALL_SCOPES);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = `${srv.url}/v1/registry`;
    const prop = await fetch(`${api}/proposals`, {
      method: 'POST',
      headers,
      body: JSON.stringify(proposalBody(servicePayload('svc-live'), [KEYS[0], KEYS[1]])),
    });
    const { proposal_id } = (await prop.json()) as { proposal_id: string };
    const started = Date.now();
    const applied = await fetch(`${api}/apply/${proposal_id}`, { method: 'POST', headers });
    expect(applied.status).toBe(200);
    const first = page.locator('#events li').first();
    await first.locator('a', { hasText: 'svc-live v1' }).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await shot('live');
    await first.locator('a').click();
    await page.waitForURL('**/ui/descriptors/svc-live');
    expect(await page.textContent('h1')).toBe('svc-live');
  });
});
