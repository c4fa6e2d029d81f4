/**
 * The CLI commands in process (runCommand with captured output) against a real server on a
 * socket: every command, its human and --json output, and the exit codes (0 ok, 1 refused,
 * 2 usage/config). The subprocess end-to-end runs are in cli-e2e.test.ts and cli-docs.test.ts.
 */
import { createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands/index.js';
import { devBanner } from '../src/cli/dev/dev-banner.js';
import { printDev, startDevServer } from '../src/cli/dev/dev-run.js';
import { seedSamples } from '../src/cli/dev/dev-seed.js';
import { ensureDevState } from '../src/cli/dev/dev-state.js';
import { privateKeyPem } from '../src/cli/key-file.js';
import { streamOutput } from '../src/cli/output.js';
import { allOptions } from '../src/cli/run-command.js';
import { RegistryClient } from '../src/client/index.js';
import { digestOf, signingBytes } from '../src/core/index.js';
import { cli, writeKeys } from './helpers/cli-inproc.js';
import { GENESIS, KEYS, servicePayload, tempDir } from './helpers/fixtures.js';
import { ALL_SCOPES, ROOT_KEY, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let dir: { path: string; cleanup: () => void };
let keys: string[];
let env: Record<string, string>;
const at = (name: string) => join(dir.path, name);

beforeAll(async () => {
  server = await startTestServer();
  dir = tempDir('registry-cli-');
  keys = writeKeys(dir.path, KEYS);
  env = { REGISTRY_URL: server.url, REGISTRY_TOKEN: server.token(ALL_SCOPES) };
});

afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

function writeJson(name: string, value: unknown): string {
  writeFileSync(at(name), JSON.stringify(value));
  return at(name);
}

describe('registry --help', () => {
  // `serve` parses its own flags and prints SERVE_HELP to the process's stdout (subprocess test).
  for (const spec of COMMANDS.filter((c) => c.passthrough !== true)) {
    it(`${spec.name} --help lists every flag and exits 0`, async () => {
      const r = await cli([...spec.name.split(' '), '--help']);
      expect(r.code).toBe(0);
      for (const name of Object.keys(allOptions(spec))) expect(r.stdout).toContain(`--${name}`);
    });
  }

  it('refuses an unknown flag with exit 2', async () => {
    const r = await cli(['digest', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--help');
  });
});

describe('registry keygen and signer-id', () => {
  it('writes a 0600 PKCS#8 key, prints its signer_id, and signer-id reads private and public PEM', async () => {
    const r = await cli(['keygen', '--out', at('k.pem'), '--public-out', at('k.pub.pem')]);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(statSync(at('k.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(at('k.pem'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(createPrivateKey(readFileSync(at('k.pem'))).asymmetricKeyType).toBe('ed25519');
    expect((await cli(['signer-id', '--key', at('k.pem')])).stdout.trim()).toBe(id);
    expect((await cli(['signer-id', '--key', at('k.pub.pem')])).stdout.trim()).toBe(id);
    expect(JSON.parse((await cli(['signer-id', '--key', at('k.pem'), '--json'])).stdout)).toEqual({
      signer_id: id,
    });
  });

  it('never overwrites a key without --force', async () => {
    await cli(['keygen', '--out', at('once.pem')]);
    const before = readFileSync(at('once.pem'), 'utf8');
    const again = await cli(['keygen', '--out', at('once.pem')]);
    expect(again.code).toBe(2);
    expect(readFileSync(at('once.pem'), 'utf8')).toBe(before);
    const forced = await cli(['keygen', '--out', at('once.pem'), '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).signer_id).toMatch(/^ed25519:/);
  });

  it('refuses a file that is not an ed25519 PEM key with exit 2', async () => {
    writeFileSync(at('junk.pem'), 'not a key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    writeFileSync(at('rsa.pem'), rsa);
    expect((await cli(['signer-id', '--key', at('junk.pem')])).code).toBe(2);
    const r = await cli(['signer-id', '--key', at('rsa.pem')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not ed25519');
    expect((await cli(['signer-id', '--key', at('missing.pem')])).code).toBe(2);
    expect((await cli(['sign', '--file', at('missing.json'), '--key', at('rsa.pem')])).code).toBe(2);
  });
});

describe('registry digest', () => {
  const payload = servicePayload('svc-digest');

  it('prints the proposal_id and writes the exact signing bytes', async () => {
    const file = writeJson('digest.json', payload);
    const bytes = signingBytes(payload);
    expect((await cli(['digest', '--file', file])).stdout.trim()).toBe(digestOf(bytes));
    expect(JSON.parse((await cli(['digest', '--file', file, '--json'])).stdout)).toEqual({
      proposal_id: digestOf(bytes),
    });
    const raw = await cli(['digest', '--file', file, '--bytes']);
    expect(raw.raw.equals(Buffer.from(bytes))).toBe(true);
    const wrote = await cli(['digest', '--file', file, '--bytes', '--out', at('digest.bin')]);
    expect(wrote.code).toBe(0);
    expect(readFileSync(at('digest.bin')).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads a proposal body or a descriptor with signatures the same way', async () => {
    const id = digestOf(signingBytes(payload));
    const body = writeJson('body.json', { descriptor: payload, signatures: [] });
    const desc = writeJson('desc.json', { ...payload, signatures: [] });
    expect((await cli(['digest', '--file', body])).stdout.trim()).toBe(id);
    expect((await cli(['digest', '--file', desc])).stdout.trim()).toBe(id);
  });

  it('refuses an invalid descriptor file with exit 2 (the core parser runs locally)', async () => {
    const bad = writeJson('bad.json', { ...payload, extra: 1 });
    const r = await cli(['digest', '--file', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown field');
    writeFileSync(at('notjson.json'), '{');
    expect((await cli(['digest', '--file', at('notjson.json')])).code).toBe(2);
    expect((await cli(['digest', '--file', writeJson('arr.json', [])])).code).toBe(2);
    expect((await cli(['digest'])).code).toBe(2);
  });
});

describe('propose, cosign, apply, get, list, watch', () => {
  it('applies a file signed to quorum in one request with apply --file (POST /apply)', async () => {
    const file = at('upload.json');
    const draft = await cli(
      [
        'draft',
        '--id',
        'svc-upload@us-east-1',
        '--kind',
        'service',
        '--body',
        '{"name":"svc-upload","region":"us-east-1","endpoints":[{"addr":"10.0.0.2:443","tls":true,"weight":1}]}',
        '--out',
        file,
      ],
      env,
    );
    expect(draft.code).toBe(0);
    const id = (await cli(['digest', '--file', file])).stdout.trim();
    expect((await cli(['sign', '--file', file, '--key', keys[0] as string, '--out', file])).code).toBe(0);
    const short = await cli(['apply', '--file', file], env);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('NoQuorum');
    expect((await cli(['sign', '--file', file, '--key', keys[1] as string, '--out', file])).code).toBe(0);
    const a = await cli(['apply', '--file', file, '--json'], env);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ descriptor_id: 'svc-upload@us-east-1', digest: id });
    expect((await cli(['apply', '--file', file, '--proposal', id], env)).code).toBe(2);
    expect((await cli(['apply'], env)).code).toBe(2);
  });

  it('runs the whole flow with human output and the exit codes of the issue', async () => {
    const file = at('flow.json');
    const draft = await cli(
      [
        'draft',
        '--id',
        'svc-flow@us-east-1',
        '--kind',
        'service',
        '--body',
        '{"name":"svc-flow","region":"us-east-1","endpoints":[{"addr":"10.0.0.1:443","tls":true,"weight":1}]}',
        '--out',
        file,
      ],
      env,
    );
    expect(draft.code).toBe(0);
    const id = (await cli(['digest', '--file', file])).stdout.trim();
    const p = await cli(['propose', '--file', file, '--key', keys[0] as string], env);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`proposal_id ${id}`);
    expect(p.stdout).toContain('pending (1 of 2 signatures)');

    const early = await cli(['apply', '--proposal', id], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('NoQuorum');
    expect(early.stderr).toMatch(/hint: .+/);
    expect(early.stderr).toMatch(/request_id: r-/);

    const c = await cli(['cosign', '--proposal', id, '--key', keys[1] as string], env);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('ready (2 of 2 signatures)');
    const a = await cli(['apply', '--proposal', id, '--json'], env);
    expect(a.code).toBe(0);
    const applied = JSON.parse(a.stdout);
    expect(applied).toMatchObject({ descriptor_id: 'svc-flow@us-east-1', descriptor_version: 1, digest: id });
    expect(JSON.parse((await cli(['apply', '--proposal', id, '--json'], env)).stdout)).toEqual(applied);

    const g = await cli(['get', '--id', 'svc-flow@us-east-1', '--json'], env);
    expect(JSON.parse(g.stdout)).toMatchObject({ id: 'svc-flow@us-east-1', version: 1 });
    const human = await cli(
      ['get', '--id', 'svc-flow@us-east-1', '--version', '1', '--out', at('got.json')],
      env,
    );
    expect(human.stderr).toContain(`digest ${id}`);
    expect(JSON.parse(readFileSync(at('got.json'), 'utf8')).signatures).toHaveLength(2);
    const h = await cli(['get', '--id', 'svc-flow@us-east-1', '--history'], env);
    expect(h.stdout).toMatch(new RegExp(`^VERSION +DIGEST +TS +DEPRECATED\nv1 +${id}  `));
    expect(
      JSON.parse((await cli(['get', '--id', 'svc-flow@us-east-1', '--history', '--json'], env)).stdout),
    ).toHaveLength(1);
    const missing = await cli(['get', '--id', 'svc-none'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NotFound');

    const l = await cli(['list', '--kind', 'service', '--prefix', 'svc-flow'], env);
    expect(l.stdout.split('\n')[1]).toMatch(/^svc-flow@us-east-1\s+1\s+service/);
    const lj = JSON.parse((await cli(['list', '--json', '--limit', '1'], env)).stdout);
    expect(lj).toHaveLength(1);
    expect((await cli(['list', '--kind', 'bogus'], env)).code).toBe(2);

    const w = await cli(['watch', '--since', '0', '--count', '2', '--json'], env);
    expect(w.code).toBe(0);
    const events = w.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.id)).toEqual(['1', '2']);
    const cur = await cli(['watch', '--until-current'], env);
    expect(cur.stdout).toContain('svc-flow@us-east-1 v1');
    expect(cur.stderr).toMatch(/# current at registry version \d+/);
    const curJson = await cli(['watch', '--until-current', '--json', '--since', '1000'], env);
    expect(JSON.parse(curJson.stdout.trim())).toMatchObject({ type: 'progress' });
  });

  it('drafts the next version from the head and deprecates', async () => {
    const file = at('next.json');
    const first = servicePayload('svc-next');
    const sigs = await cli([
      'sign',
      '--file',
      writeJson('next1.json', first),
      '--key',
      keys[0] as string,
      '--key',
      keys[1] as string,
      '--out',
      at('next1-signed.json'),
    ]);
    expect(sigs.code).toBe(0);
    expect((await cli(['propose', '--file', at('next1-signed.json')], env)).stdout).toContain('ready');
    await cli(['apply', '--proposal', digestOf(signingBytes(first))], env);

    expect((await cli(['draft', '--id', 'svc-next', '--deprecated', '--out', file], env)).code).toBe(0);
    const next = JSON.parse(readFileSync(file, 'utf8'));
    expect(next).toMatchObject({
      id: 'svc-next',
      version: 2,
      kind: 'service',
      deprecated: true,
      body: first.body,
    });
    expect(next.prev).toBe(digestOf(signingBytes(first)));
    const stdout = await cli(['draft', '--id', 'svc-next', '--json'], env);
    expect(JSON.parse(stdout.stdout)).toMatchObject({ version: 2 });
    expect((await cli(['draft', '--id', 'svc-next', '--kind', 'node'], env)).code).toBe(2);
    expect((await cli(['draft', '--id', 'svc-next', '--threshold', '1'], env)).code).toBe(2);
    expect((await cli(['draft', '--id', 'svc-new'], env)).code).toBe(2);
    expect((await cli(['draft', '--id', 'svc-new', '--kind', 'service'], env)).code).toBe(2);
    expect(
      (await cli(['draft', '--id', 'svc-new', '--kind', 'service', '--body', '{"name":1}'], env)).code,
    ).toBe(2);
  });

  it('drafts governance rotations from signer_ids and key files', async () => {
    const add = await cli(
      ['draft', '--id', 'governance', '--add-signer', keys[3] as string, '--threshold', '3', '--json'],
      env,
    );
    const body = JSON.parse(add.stdout).body;
    expect(body).toEqual({ signers: [...GENESIS.signers, KEYS[3].signerId], threshold: 3 });
    const rm = await cli(
      ['draft', '--id', 'governance', '--remove-signer', GENESIS.signers[2] as string, '--json'],
      env,
    );
    expect(JSON.parse(rm.stdout).body.signers).toEqual(GENESIS.signers.slice(0, 2));
    expect((await cli(['draft', '--id', 'governance', '--remove-signer', KEYS[4].signerId], env)).code).toBe(
      2,
    );
    expect((await cli(['draft', '--id', 'governance', '--add-signer', 'ed25519:short'], env)).code).toBe(2);
    // threshold above the set size: the core parser refuses it before anything is signed
    expect((await cli(['draft', '--id', 'governance', '--threshold', '9'], env)).code).toBe(2);
  });
});

describe('signatures from files, inline JSON and raw external signatures', () => {
  it('accepts --sig (inline and file) and --sig-file/--signer-id pairs', async () => {
    const payload = servicePayload('svc-ext');
    const file = writeJson('ext.json', payload);
    const one = await cli(['sign', '--file', file, '--key', keys[0] as string]);
    expect(JSON.parse(one.stdout).signer_id).toBe(KEYS[0].signerId);
    writeFileSync(at('sig0.json'), one.stdout);
    const raw = nodeSign(null, signingBytes(payload), createPrivateKey(readFileSync(keys[1] as string)));
    writeFileSync(at('sig1.bin'), raw);
    const p = await cli(
      [
        'propose',
        '--file',
        file,
        '--sig',
        at('sig0.json'),
        '--sig-file',
        at('sig1.bin'),
        '--signer-id',
        KEYS[1].signerId,
        '--json',
      ],
      env,
    );
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ status: 'ready', signatures: 2 });

    const inline = await cli(['sign', '--file', file, '--key', keys[2] as string, '--json']);
    const sig2 = JSON.parse(inline.stdout)[0];
    const c = await cli(
      ['cosign', '--proposal', digestOf(signingBytes(payload)), '--sig', JSON.stringify(sig2)],
      env,
    );
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('3 of 2');
  });

  it('refuses unpaired or malformed external signatures with exit 2, bad ones with exit 1', async () => {
    const file = writeJson('ext2.json', servicePayload('svc-ext2'));
    writeFileSync(at('short.bin'), Buffer.alloc(10));
    writeFileSync(at('zero.bin'), Buffer.alloc(64));
    expect((await cli(['propose', '--file', file, '--sig-file', at('zero.bin')], env)).code).toBe(2);
    expect(
      (
        await cli(
          ['propose', '--file', file, '--sig-file', at('short.bin'), '--signer-id', KEYS[0].signerId],
          env,
        )
      ).code,
    ).toBe(2);
    expect((await cli(['propose', '--file', file, '--sig', '{"signer_id":1}'], env)).code).toBe(2);
    expect((await cli(['propose', '--file', file, '--sig', '{nope'], env)).code).toBe(2);
    const bad = await cli(
      ['propose', '--file', file, '--sig-file', at('zero.bin'), '--signer-id', KEYS[0].signerId],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BadSignature');
    const foreign = await cli(['propose', '--file', file, '--key', keys[4] as string, '--json'], env);
    expect(foreign.code).toBe(1);
    expect(JSON.parse(foreign.stdout).error.code).toBe('BadSignature');
    expect((await cli(['sign', '--file', file])).code).toBe(2);
    expect((await cli(['cosign', '--proposal', 'xyz', '--key', keys[0] as string], env)).code).toBe(2);
    expect((await cli(['cosign', '--proposal', 'a'.repeat(64)], env)).code).toBe(2);
  });
});

describe('registry verify (offline)', () => {
  const payload = servicePayload('svc-verify');
  const allow = GENESIS.signers.join(',');

  it('accepts a descriptor that meets the threshold and refuses one that does not', async () => {
    const file = writeJson('v.json', payload);
    await cli([
      'sign',
      '--file',
      file,
      '--key',
      keys[0] as string,
      '--key',
      keys[1] as string,
      '--out',
      at('v2.json'),
    ]);
    const ok = await cli([
      'verify',
      '--file',
      at('v2.json'),
      '--allow-signer',
      allow,
      '--sig-threshold',
      '2',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('OK svc-verify v1');
    const viaEnv = await cli(['verify', '--file', at('v2.json'), '--json'], {
      SIGNER_ALLOWLIST: allow,
      SIG_THRESHOLD: '2',
    });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({
      ok: true,
      signers: [KEYS[0].signerId, KEYS[1].signerId],
    });

    const short = await cli([
      'verify',
      '--file',
      at('v2.json'),
      '--allow-signer',
      allow,
      '--sig-threshold',
      '3',
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('NoQuorum');
    const foreign = await cli([
      'verify',
      '--file',
      at('v2.json'),
      '--allow-signer',
      KEYS[0].signerId,
      '--sig-threshold',
      '1',
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('BadSignature');
  });

  it('needs an allow-list (exit 2)', async () => {
    const file = writeJson('v3.json', payload);
    expect((await cli(['verify', '--file', file])).code).toBe(2);
    expect((await cli(['verify', '--file', file, '--allow-signer', 'nope'])).code).toBe(2);
    expect(
      (await cli(['verify', '--file', file, '--allow-signer', allow, '--sig-threshold', 'x'])).code,
    ).toBe(2);
  });
});

describe('registry token mint', () => {
  it('mints a token the server honours, with the caveats asked for', async () => {
    const r = await cli(
      [
        'token',
        'mint',
        '--scope',
        'read,propose',
        '--kind',
        'service',
        '--id-prefix',
        'svc-',
        '--ttl',
        '1h',
        '--name',
        'ci',
      ],
      {
        MACAROON_ROOT_KEY: ROOT_KEY,
      },
    );
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const client = new RegistryClient({ baseUrl: server.url, token });
    expect(await client.version()).toBeGreaterThan(0);
    await expect(client.apply('a'.repeat(64))).rejects.toThrowRegistryError('Forbidden');
    const j = await cli(['token', 'mint', '--scope', 'registry:apply', '--ttl', 'never', '--json'], {
      MACAROON_ROOT_KEY: ROOT_KEY,
    });
    expect(JSON.parse(j.stdout)).toMatchObject({ scopes: ['registry:apply'], expires_at: null });
    // A read-only token is refused on propose: exit 1 with the code.
    const ro = (
      await cli(['token', 'mint', '--scope', 'read'], { MACAROON_ROOT_KEY: ROOT_KEY })
    ).stdout.trim();
    const refused = await cli(['propose', '--file', writeJson('ro.json', servicePayload('svc-ro'))], {
      ...env,
      REGISTRY_TOKEN: ro,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Forbidden');
  });

  it('refuses without a root key, a scope, or with a bad ttl (exit 2), never echoing the key', async () => {
    expect((await cli(['token', 'mint', '--scope', 'read'])).code).toBe(2);
    expect((await cli(['token', 'mint'], { MACAROON_ROOT_KEY: ROOT_KEY })).code).toBe(2);
    expect((await cli(['token', 'mint', '--scope', 'root'], { MACAROON_ROOT_KEY: ROOT_KEY })).code).toBe(2);
    expect(
      (await cli(['token', 'mint', '--scope', 'read', '--ttl', 'soon'], { MACAROON_ROOT_KEY: ROOT_KEY }))
        .code,
    ).toBe(2);
    const weak = await cli(['token', 'mint', '--scope', 'read'], { MACAROON_ROOT_KEY: 'abcd-secret' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).not.toContain('abcd-secret');
  });
});

describe('client settings', () => {
  it('exits 1 with StoreUnavailable when nothing listens, 2 on a malformed URL', async () => {
    const down = await cli(['list'], { REGISTRY_URL: 'http://127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('StoreUnavailable');
    expect((await cli(['list', '--url', 'ftp://x'])).code).toBe(2);
    expect((await cli(['watch', '--url', 'http://127.0.0.1:1'])).code).toBe(1);
  });

  it('sends no token when REGISTRY_TOKEN is unset (writes answer Unauthorized)', async () => {
    const r = await cli(['apply', '--proposal', 'a'.repeat(64)], { REGISTRY_URL: server.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Unauthorized');
  });
});

describe('registry dev building blocks', () => {
  it('creates DEV ONLY state once and reuses it', () => {
    const d = tempDir('registry-dev-');
    try {
      const first = ensureDevState(join(d.path, '_data'));
      expect(first.created).toBe(true);
      expect(first.keyFiles.every((f) => /DEV-ONLY-signer-\d\.pem$/.test(f))).toBe(true);
      expect(statSync(join(first.dir, 'DEV-ONLY-macaroon-root-key.hex')).mode & 0o777).toBe(0o600);
      const second = ensureDevState(join(d.path, '_data'));
      expect(second.created).toBe(false);
      expect(second.token).toBe(first.token);
      expect(second.keys.map((k) => k.signerId)).toEqual(first.keys.map((k) => k.signerId));
      const devGov = { signers: second.keys.map((k) => k.signerId), threshold: 2 };
      const banner = devBanner({
        url: 'http://127.0.0.1:9402',
        state: second,
        governance: devGov,
        seeded: [],
        kept: ['regions'],
        cli: 'node main.js',
        cwd: d.path,
      });
      expect(banner).toContain('DEV ONLY');
      expect(banner).toContain(second.token);
      expect(banner).toContain('_data/DEV-ONLY-signer-1.pem');
      expect(banner).toContain('threshold 2 of 3');
      expect(banner).toContain('http://127.0.0.1:9402/ui');
      expect(banner).not.toContain(second.rootKeyHex);
      expect(banner).not.toContain('rotated since genesis');
      // After the rotation runbook: the banner shows the stored set, not the key files'.
      const dave = KEYS[3].signerId;
      const rotated = devBanner({
        url: 'http://127.0.0.1:9402',
        state: second,
        governance: { signers: [second.keys[0]?.signerId ?? dave, dave], threshold: 2 },
        seeded: [],
        kept: ['regions'],
        cli: 'node main.js',
        cwd: d.path,
      });
      expect(rotated).toContain('governance 2 of 2 (the stored governance, rotated since genesis)');
      expect(rotated).toContain(dave);
    } finally {
      d.cleanup();
    }
  });

  it('seeds the samples through propose/cosign/apply once', async () => {
    const client = new RegistryClient({ baseUrl: server.url, token: env.REGISTRY_TOKEN ?? '' });
    const first = await seedSamples(client, KEYS, Date.now());
    expect(first.seeded).toEqual([
      'svc-storage@us-east-1',
      'svc-storage@eu-west-1',
      'svc-gateway@us-east-1',
      'regions',
    ]);
    const version = await client.version();
    const again = await seedSamples(client, KEYS, Date.now());
    expect(again.seeded).toEqual([]);
    expect(await client.version()).toBe(version);
    expect(Object.keys((await client.regionMap()).regions).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('serves, seeds once, prints the banner or JSON, and refuses a busy port or changed keys (exit-2 errors)', async () => {
    const d = tempDir('registry-dev-run-');
    const captured: string[] = [];
    const sink = { write: (c: string | Uint8Array) => captured.push(Buffer.from(c).toString()) };
    try {
      const first = await startDevServer({ bind: '127.0.0.1:0', dir: join(d.path, '_data') }, {});
      expect(first.seeded).toHaveLength(4);
      printDev(streamOutput(true, { stdout: sink, stderr: sink }), first, 'registry', d.path);
      const info = JSON.parse(captured.join(''));
      expect(info).toMatchObject({ dev_only: true, url: first.running.url, threshold: 2, first_run: true });
      const port = first.running.url.split(':').pop() ?? '';
      await expect(
        startDevServer({ bind: `127.0.0.1:${port}`, dir: join(d.path, 'other') }, {}),
      ).rejects.toThrow('is in use');
      await first.running.stop();

      const second = await startDevServer({ bind: '127.0.0.1:0', dir: join(d.path, '_data') }, {});
      expect(second.seeded).toEqual([]);
      expect(second.kept).toHaveLength(4);
      captured.length = 0;
      printDev(streamOutput(false, { stdout: sink, stderr: sink }), second, 'registry', d.path);
      expect(captured.join('')).toContain('already present (reused)');
      await second.running.stop();

      // A replaced dev key against the old store: SPEC §3, the stored governance is
      // authoritative, so dev starts on it and the banner shows the set in force.
      const stored = second.governance.signers;
      writeFileSync(join(d.path, '_data', 'DEV-ONLY-signer-1.pem'), privateKeyPem(KEYS[4]));
      const third = await startDevServer({ bind: '127.0.0.1:0', dir: join(d.path, '_data') }, {});
      expect(third.governance.signers).toEqual(stored);
      captured.length = 0;
      printDev(streamOutput(false, { stdout: sink, stderr: sink }), third, 'registry', d.path);
      expect(captured.join('')).toContain('rotated since genesis');
      await third.running.stop();
    } finally {
      d.cleanup();
    }
  });
});
