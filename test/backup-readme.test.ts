/**
 * README "Backups and GitOps" runs as written (bash, the built CLI on PATH) against a real
 * `registry dev`, and the store it restores serves what the dev registry served.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { RegistryClient } from '../src/client/index.js';
import { type BuiltCli, bash, buildCli, type DevProcess, startDev, tempCwd } from './helpers/cli-process.js';
import { codeBlocks, section } from './helpers/readme.js';
import { ROOT_KEY } from './helpers/server.js';

describe('README Backups and GitOps', { timeout: 120_000 }, () => {
  let cli: BuiltCli;
  let cwd: { path: string; cleanup: () => void };
  let dev: DevProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    cli = buildCli();
    cwd = tempCwd('registry-backup-docs-');
    dev = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0', '--json'], /\n/);
    const info = JSON.parse(dev.stdout().split('\n')[0] ?? '{}') as { url: string; token: string };
    url = info.url;
    token = info.token;
  }, 60_000);
  afterAll(async () => {
    await dev?.stop();
    cwd?.cleanup();
    cli?.cleanup();
  });

  it('backs up, restores, exports topology, plans, and applies a planned draft', async () => {
    const blocks = codeBlocks(section('Backups and GitOps'), ['sh']);
    expect(blocks).toHaveLength(3);
    const before = await fetch(`${url}/v1/registry/descriptors/svc-gateway@us-east-1`).then((r) => r.text());
    const r = await bash(cli, blocks.join('\n'), {
      cwd: cwd.path,
      env: { REGISTRY_URL: url, REGISTRY_TOKEN: token },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('wrote backup.jsonl: 5 log entries, registry version 5, every one verified');
    expect(r.stdout).toContain('imported 5 log entries into restored: registry version 5');
    expect(r.stdout).toContain('plan: 0 create, 0 update, 0 deprecate, 5 unchanged');
    expect(r.stdout).toContain('plan: 0 create, 1 update, 1 deprecate, 3 unchanged');
    expect(r.stdout).toContain('applied svc-storage@us-east-1 v2');

    const sink = new Writable({ write: (_c, _e, done) => done() });
    const restored = await serve(
      parseConfig({
        MACAROON_ROOT_KEY: ROOT_KEY,
        REGISTRY_DB: join(cwd.path, 'restored'),
        BIND: '127.0.0.1:0',
      }),
      { logDestination: sink },
    );
    try {
      expect(await new RegistryClient({ baseUrl: restored.url }).version()).toBe(5);
      const served = await fetch(`${restored.url}/v1/registry/descriptors/svc-gateway@us-east-1`);
      expect(await served.text()).toBe(before);
    } finally {
      await restored.stop();
    }
  });
});
