/**
 * SPEC §11 with AMNESIA=true, the ephemeral edge node: a mirror process with an empty cwd,
 * HOME and TMPDIR holds the upstream's topology and leaves all three empty.
 */

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RegistryClient, signPayload } from '../src/index.js';
import { GENESIS, KEYS, NOW, servicePayload, tempDir } from './helpers/fixtures.js';
import { runTsChild } from './helpers/run-child.js';
import { ALL_SCOPES, ROOT_KEY, startTestServer, type TestServer } from './helpers/server.js';

const CHILD = fileURLToPath(new URL('fixtures/mirror-amnesia-child.ts', import.meta.url));
const root = tempDir('registry-mirror-amnesia-');
let upstream: TestServer;

beforeAll(async () => {
  upstream = await startTestServer();
  const client = new RegistryClient({ baseUrl: upstream.url, token: upstream.token(ALL_SCOPES) });
  for (const id of ['svc-a@us-east-1', 'svc-b@eu-west-1']) {
    const p = servicePayload(id);
    const { proposal_id } = await client.propose(
      p,
      [KEYS[0], KEYS[1]].map((k) => signPayload(p, k, NOW)),
    );
    await client.apply(proposal_id);
  }
});

afterAll(async () => {
  await upstream?.stop();
  root.cleanup();
});

it('an amnesia mirror catches up and leaves its cwd, HOME and TMPDIR empty', async () => {
  const [cwd, home, tmp] = ['cwd', 'home', 'tmp'].map((d) => join(root.path, d)) as [string, string, string];
  for (const d of [cwd, home, tmp]) mkdirSync(d);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
    // tsx's transform cache would land in TMPDIR; it is the test harness's, not the registry's.
    TSX_DISABLE_CACHE: '1',
    MACAROON_ROOT_KEY: ROOT_KEY,
    SIGNER_ALLOWLIST: GENESIS.signers.join(','),
    SIG_THRESHOLD: String(GENESIS.threshold),
    MIRROR_OF: upstream.url,
  };
  const r = await runTsChild(CHILD, cwd, env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { version: number; governance: string };
  expect(out.version).toBe(3);
  expect(out.governance).toBe(
    await (await fetch(`${upstream.url}/v1/registry/descriptors/governance`)).text(),
  );
  const contents = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' });
  expect({ cwd: contents(cwd), home: contents(home), tmp: contents(tmp) }).toEqual({
    cwd: [],
    home: [],
    tmp: [],
  });
});
