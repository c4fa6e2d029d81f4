/**
 * `registry export` / `registry import` (backups) against a real server: a registry with a
 * governance rotation and a deprecation is exported, imported into a fresh store, served
 * again, and answers the same heads, versions, bytes and /watch; a tampered export is
 * refused and leaves no store behind.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/cli/config.js';
import { type Running, serve } from '../src/cli/serve.js';
import { RegistryClient } from '../src/client/index.js';
import { digestOf, type Payload, type SigningKey, signingBytes, signPayload } from '../src/core/index.js';
import { cli } from './helpers/cli-inproc.js';
import { GENESIS, KEYS, servicePayload, tempDir } from './helpers/fixtures.js';
import { genesisDescriptor, log, signed, startHostileRegistry } from './helpers/hostile-registry.js';
import { ALL_SCOPES, ROOT_KEY, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let client: RegistryClient;
let env: Record<string, string>;
const dir = tempDir('registry-backup-');
const PIN = ['--allow-signer', GENESIS.signers.join(','), '--sig-threshold', String(GENESIS.threshold)];

async function publish(payload: Payload, keys: readonly SigningKey[]): Promise<string> {
  const sigs = keys.map((k) => signPayload(payload, k, Date.now()));
  const p = await client.propose(payload, sigs);
  await client.apply(p.proposal_id);
  return digestOf(signingBytes(payload));
}

const now = () => Date.now();

beforeAll(async () => {
  server = await startTestServer();
  const token = server.token(ALL_SCOPES);
  env = { REGISTRY_URL: server.url, REGISTRY_TOKEN: token };
  client = new RegistryClient({ baseUrl: server.url, token });
  const gov1 = (await client.get('governance')).digest;
  const a1 = await publish(servicePayload('svc-a', 1, null, { ts: now() }), [KEYS[0], KEYS[1]]);
  const b1 = await publish(servicePayload('svc-b', 1, null, { ts: now() }), [KEYS[1], KEYS[2]]);
  // SPEC §3 rotation: KEYS[3] joins, KEYS[2] leaves; signed by both sets' thresholds.
  const rotation = {
    id: 'governance',
    version: 2,
    kind: 'governance',
    prev: gov1,
    ts: now(),
    body: { signers: [KEYS[0].signerId, KEYS[1].signerId, KEYS[3].signerId], threshold: 2 },
  } as Payload;
  await publish(rotation, [KEYS[0], KEYS[1]]);
  await publish(servicePayload('svc-a', 2, a1, { ts: now() }), [KEYS[3], KEYS[0]]);
  await publish(servicePayload('svc-b', 2, b1, { ts: now(), deprecated: true }), [KEYS[3], KEYS[1]]);
  await publish(servicePayload('svc-c', 1, null, { ts: now() }), [KEYS[0], KEYS[3]]);
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

async function startOn(db: string): Promise<Running> {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  // No SIGNER_ALLOWLIST: a non-empty store's governance head is authoritative (SPEC §3).
  const config = parseConfig({ MACAROON_ROOT_KEY: ROOT_KEY, REGISTRY_DB: db, BIND: '127.0.0.1:0' });
  return serve(config, { logDestination: sink });
}

/** Everything a reader can see: heads, every version's bytes, and the /watch replay. */
async function everything(url: string): Promise<unknown> {
  const c = new RegistryClient({ baseUrl: url });
  const heads = [];
  for await (const item of c.listAll()) {
    const versions = await c.versions(item.id);
    const bytes = [];
    for (const v of versions) {
      const r = await fetch(`${url}/v1/registry/descriptors/${item.id}/versions/${v.version}`);
      bytes.push({ etag: r.headers.get('etag'), body: await r.text() });
    }
    const head = await fetch(`${url}/v1/registry/descriptors/${item.id}`);
    heads.push({ item, versions, bytes, head: await head.text(), etag: head.headers.get('etag') });
  }
  const events = [];
  for await (const w of c.watch({ since: 0 })) {
    if (w.type === 'progress') break;
    events.push(w);
  }
  return {
    version: await c.version(),
    heads,
    events,
    regions: await fetch(`${url}/v1/registry/regions/map`).then((r) => r.status),
  };
}

describe('registry export', () => {
  it('writes a header and one verified line per log entry', async () => {
    const file = join(dir.path, 'backup.jsonl');
    const r = await cli(['export', '--out', file, ...PIN, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ registry_version: 7, entries: 7, genesis_pinned: true });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    const header = JSON.parse(lines[0] ?? '');
    expect(header).toMatchObject({ format: 'registry-export/v1', registry_version: 7, genesis_pinned: true });
    expect(header.genesis).toBe((await client.getVersion('governance', 1)).digest);
    const entries = lines.slice(1).map((l) => JSON.parse(l));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(entries.map((e) => `${e.type} ${e.descriptor_id} v${e.version}`)).toEqual([
      'published governance v1',
      'published svc-a v1',
      'published svc-b v1',
      'published governance v2',
      'published svc-a v2',
      'deprecated svc-b v2',
      'published svc-c v1',
    ]);
    // The descriptor is embedded as the exact bytes served.
    const served = await fetch(`${server.url}/v1/registry/descriptors/svc-a/versions/2`).then((x) =>
      x.text(),
    );
    expect(lines[5]).toContain(`"descriptor":${served}}`);
  });

  it('without a pinned genesis trusts seq 1 and says so; a wrong pin is refused (exit 1)', async () => {
    const r = await cli(['export'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no pinned genesis');
    expect(r.stdout.split('\n')[0]).toContain('"genesis_pinned":false');
    const wrong = await cli(['export', '--allow-signer', KEYS[4].signerId, '--sig-threshold', '1'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/seq 1 refused/);
    expect((await cli(['export', '--sig-threshold', '2'], env)).code).toBe(2);
    expect((await cli(['export', '--json'], env)).code).toBe(2);
  });

  it('refuses a server that serves a forged entry and writes no file', async () => {
    const g = genesisDescriptor();
    const forged = signed(servicePayload('svc-x'), [KEYS[0], KEYS[4]]); // KEYS[4] is not allow-listed
    const hostile = await startHostileRegistry(log(g, forged));
    try {
      const file = join(dir.path, 'forged.jsonl');
      const r = await cli(['export', '--out', file, ...PIN], { REGISTRY_URL: hostile.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/BadSignature: seq 2 refused/);
      expect(existsSync(file)).toBe(false);
    } finally {
      await hostile.close();
    }
  });
});

describe('registry import', () => {
  let file: string;
  let lines: string[];
  beforeAll(async () => {
    file = join(dir.path, 'full.jsonl');
    expect((await cli(['export', '--out', file, ...PIN], env)).code).toBe(0);
    lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  });

  it('restores into a fresh store that serves identical heads, versions, bytes and /watch', async () => {
    const db = join(dir.path, 'restored');
    const r = await cli(['import', '--file', file, '--db', db, ...PIN], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imported 7 log entries');
    const restored = await startOn(db);
    try {
      const source = (await everything(server.url)) as { heads: unknown[]; events: unknown[] };
      expect(source.heads).toHaveLength(4);
      expect(source.events).toHaveLength(7);
      expect(await everything(restored.url)).toEqual(source);
    } finally {
      await restored.stop();
    }
  });

  it('refuses a store directory that is not empty (exit 2)', async () => {
    const db = join(dir.path, 'busy');
    mkdirSync(db);
    writeFileSync(join(db, 'x'), 'x');
    const r = await cli(['import', '--file', file, '--db', db, ...PIN], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
  });

  const tamper = (name: string, edit: (l: string[]) => string[], code: 1 | 2, message: RegExp) =>
    it(`refuses ${name} (exit ${code}) and leaves no store behind`, async () => {
      const bad = join(dir.path, `bad-${name.replace(/\W+/g, '-')}.jsonl`);
      writeFileSync(bad, `${edit([...lines]).join('\n')}\n`);
      const db = join(dir.path, `db-${name.replace(/\W+/g, '-')}`);
      const r = await cli(['import', '--file', bad, '--db', db, ...PIN], {});
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(code);
      expect(existsSync(db)).toBe(false);
    });

  const swap = (l: string[], i: number, j: number) => {
    const t = l[i] as string;
    l[i] = l[j] as string;
    l[j] = t;
    return l;
  };
  tamper(
    'a changed byte',
    (l) => l.map((x, i) => (i === 2 ? x.replace('10.0.0.7', '10.0.0.8') : x)),
    1,
    /seq 2 refused/,
  );
  tamper('reordered lines', (l) => swap(l, 2, 3), 1, /seq 3 refused \(seq\)/);
  tamper('a removed line', (l) => l.filter((_, i) => i !== 4), 1, /seq 5 refused \(seq\)/);
  tamper(
    'a removed last line',
    (l) => l.slice(0, -1),
    1,
    /ends at seq 6 but its header says registry version 7/,
  );
  tamper(
    'a bad signature',
    (l) =>
      l.map((x, i) => {
        if (i !== 5) return x;
        const e = JSON.parse(x);
        const sig = e.descriptor.signatures[0].sig as string;
        e.descriptor.signatures[0].sig = `${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
        return JSON.stringify(e);
      }),
    1,
    /BadSignature: seq 5 refused/,
  );
  tamper('a line that is not JSON', (l) => [...l.slice(0, 3), '{"seq":', ...l.slice(3)], 1, /line 4/);

  it('refuses another genesis than the pinned one, and warns when none is pinned', async () => {
    const db = join(dir.path, 'db-other-genesis');
    const r = await cli(
      ['import', '--file', file, '--db', db, '--allow-signer', KEYS[4].signerId, '--sig-threshold', '1'],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seq 1 refused/);
    expect(existsSync(db)).toBe(false);
    const open = await cli(['import', '--file', file, '--db', join(dir.path, 'db-unpinned'), '--json'], {});
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('no pinned genesis');
    expect(JSON.parse(open.stdout)).toMatchObject({ registry_version: 7, entries: 7 });
  });
});
