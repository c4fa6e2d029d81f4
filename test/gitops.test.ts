/**
 * Topology in Git: `registry export --dir` then `registry plan --dir` shows no change; edits,
 * an added and a removed file plan as update / create / deprecate, and the drafts `plan --out`
 * writes are accepted by `registry propose` + quorum + `registry apply` on a real server.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../src/client/index.js';
import { type Payload, signPayload } from '../src/core/index.js';
import { cli, writeKeys } from './helpers/cli-inproc.js';
import { KEYS, servicePayload, tempDir } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let env: Record<string, string>;
let keys: string[];
const dir = tempDir('registry-gitops-');

interface PlanJson {
  items: {
    action: string;
    id: string;
    version: number;
    file: string | null;
    proposal_id?: string;
    draft?: string;
  }[];
  untracked: string[];
}

async function planOf(args: readonly string[]): Promise<PlanJson> {
  const r = await cli(['plan', ...args, '--json'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

const actions = (p: PlanJson) => p.items.map((i) => `${i.action} ${i.id} v${i.version}`);

beforeAll(async () => {
  server = await startTestServer();
  const token = server.token(ALL_SCOPES);
  env = { REGISTRY_URL: server.url, REGISTRY_TOKEN: token };
  keys = writeKeys(dir.path, KEYS);
  const client = new RegistryClient({ baseUrl: server.url, token });
  for (const id of ['svc-a', 'svc-b', 'svc-c']) {
    const p: Payload = servicePayload(id, 1, null, { ts: Date.now() });
    const s = await client.propose(
      p,
      [KEYS[0], KEYS[1]].map((k) => signPayload(p, k, Date.now())),
    );
    await client.apply(s.proposal_id);
  }
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

describe('registry export --dir, then registry plan --dir', () => {
  it('plans no change right after an export, in JSON and in YAML', async () => {
    const json = join(dir.path, 'json');
    const r = await cli(['export', '--dir', json], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote 4 files');
    expect(JSON.parse(readFileSync(join(json, 'svc-a.json'), 'utf8'))).toEqual({
      id: 'svc-a',
      kind: 'service',
      body: servicePayload('svc-a').body,
    });
    expect(actions(await planOf(['--dir', json]))).toEqual([
      'unchanged governance v1',
      'unchanged svc-a v1',
      'unchanged svc-b v1',
      'unchanged svc-c v1',
    ]);
    const yaml = join(dir.path, 'yaml');
    expect((await cli(['export', '--dir', yaml, '--format', 'yaml'], env)).code).toBe(0);
    expect(readFileSync(join(yaml, 'svc-b.yaml'), 'utf8')).toMatch(/^id: svc-b\nkind: service\nbody:\n/);
    const plan = await planOf(['--dir', yaml]);
    expect(plan.items.every((i) => i.action === 'unchanged')).toBe(true);
    const text = await cli(['plan', '--dir', yaml], env);
    expect(text.stdout).toContain('plan: 0 create, 0 update, 0 deprecate, 4 unchanged');
    expect(text.stderr).toContain('no change');
  });

  it('plans an edit, an added file and a removed one; its drafts are proposed, signed and applied', async () => {
    const d = join(dir.path, 'edit');
    expect((await cli(['export', '--dir', d], env)).code).toBe(0);
    const a = JSON.parse(readFileSync(join(d, 'svc-a.json'), 'utf8'));
    a.body.endpoints[0].weight = 50;
    writeFileSync(join(d, 'svc-a.json'), JSON.stringify(a));
    writeFileSync(
      join(d, 'svc-new.yaml'),
      'id: svc-new\nkind: service\nbody:\n  name: svc-new\n  region: eu-west-1\n  endpoints:\n    - { addr: "10.1.0.1:443", tls: true, weight: 100 }\n',
    );
    rmSync(join(d, 'svc-c.json'));

    const noPrune = await cli(['plan', '--dir', d], env);
    expect(noPrune.stderr).toContain('have no file and stay as they are: svc-c (--prune deprecates them)');

    const drafts = join(dir.path, 'drafts');
    const plan = await planOf(['--dir', d, '--prune', '--out', drafts]);
    expect(actions(plan)).toEqual([
      'unchanged governance v1',
      'update svc-a v2',
      'unchanged svc-b v1',
      'deprecate svc-c v2',
      'create svc-new v1',
    ]);
    const changes = plan.items.filter((i) => i.action !== 'unchanged');
    for (const c of changes) {
      const file = c.draft ?? '';
      expect(file).toBe(join(drafts, `${c.id}.json`));
      const proposed = await cli(['propose', '--file', file, '--key', keys[0] ?? '', '--json'], env);
      expect(proposed.code).toBe(0);
      expect(JSON.parse(proposed.stdout)).toMatchObject({ proposal_id: c.proposal_id, status: 'pending' });
      expect(
        (await cli(['cosign', '--proposal', c.proposal_id ?? '', '--key', keys[1] ?? ''], env)).code,
      ).toBe(0);
      expect((await cli(['apply', '--proposal', c.proposal_id ?? ''], env)).code).toBe(0);
    }
    const client = new RegistryClient({ baseUrl: server.url });
    expect((await client.get('svc-c')).descriptor).toMatchObject({ version: 2, deprecated: true });
    expect((await client.get('svc-a')).descriptor.body).toEqual(a.body);
    expect((await client.get('svc-new')).descriptor.version).toBe(1);
    // Applied: the directory is the registry again.
    const after = await planOf(['--dir', d, '--prune']);
    expect(after.items.every((i) => i.action === 'unchanged')).toBe(true);
  });

  it('drafts a governance rotation from an edited governance file', async () => {
    const d = join(dir.path, 'gov');
    expect((await cli(['export', '--dir', d], env)).code).toBe(0);
    const g = JSON.parse(readFileSync(join(d, 'governance.json'), 'utf8'));
    g.body.signers.push(KEYS[3].signerId);
    writeFileSync(join(d, 'governance.json'), JSON.stringify(g));
    const drafts = join(dir.path, 'gov-drafts');
    const plan = await planOf(['--dir', d, '--out', drafts]);
    expect(actions(plan).filter((a) => !a.startsWith('unchanged'))).toEqual(['update governance v2']);
    const file = join(drafts, 'governance.json');
    const r = await cli(['propose', '--file', file, '--key', keys[0] ?? '', '--key', keys[1] ?? ''], env);
    expect(r.code).toBe(0);
    expect((await cli(['apply', '--proposal', plan.items[0]?.proposal_id ?? ''], env)).code).toBe(0);
    expect((await planOf(['--dir', d])).items.every((i) => i.action === 'unchanged')).toBe(true);
  });

  it('never deletes files no head wrote, and names them', async () => {
    const d = join(dir.path, 'stale');
    expect((await cli(['export', '--dir', d], env)).code).toBe(0);
    writeFileSync(join(d, 'svc-old.json'), '{}');
    writeFileSync(join(d, 'NOTES.md'), 'kept');
    const r = await cli(['export', '--dir', d, '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('also holds svc-old.json');
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'json', others: ['svc-old.json'] });
    expect(readFileSync(join(d, 'svc-old.json'), 'utf8')).toBe('{}');
  });

  it('refuses files it cannot plan (exit 2)', async () => {
    const d = join(dir.path, 'bad');
    expect((await cli(['export', '--dir', d], env)).code).toBe(0);
    writeFileSync(join(d, 'svc-x.json'), JSON.stringify({ id: 'svc-y', kind: 'service', body: {} }));
    let r = await cli(['plan', '--dir', d], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('svc-x.json holds id svc-y');
    rmSync(join(d, 'svc-x.json'));
    writeFileSync(join(d, 'svc-a.json'), JSON.stringify({ id: 'svc-a', kind: 'node', body: {} }));
    r = await cli(['plan', '--dir', d], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('an id keeps its kind');
    writeFileSync(
      join(d, 'svc-a.json'),
      JSON.stringify({ id: 'svc-a', kind: 'service', body: {}, version: 3 }),
    );
    expect((await cli(['plan', '--dir', d], env)).stderr).toContain('unknown field version');
    writeFileSync(join(d, 'svc-a.json'), JSON.stringify({ id: 'svc-a', kind: 'service', body: { name: 1 } }));
    r = await cli(['plan', '--dir', d], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('svc-a.json: ');
    expect((await cli(['export', '--dir', d, '--format', 'toml'], env)).code).toBe(2);
  });
});
