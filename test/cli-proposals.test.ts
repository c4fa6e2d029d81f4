import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli-inproc.js';
import { KEYS, proposalBody, servicePayload, tempDir } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

// `registry proposals` / `registry proposal ID` against a real server, and positional ids.

let server: TestServer;
let env: Record<string, string>;
let pendingId: string;
let readyId: string;
const dir = tempDir('registry-cli-proposals-');

beforeAll(async () => {
  server = await startTestServer();
  env = { REGISTRY_URL: server.url, REGISTRY_TOKEN: server.token(ALL_SCOPES) };
  const post = async (body: unknown) => {
    const r = await fetch(`${server.url}/v1/registry/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.REGISTRY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await r.json()) as { proposal_id: string }).proposal_id;
  };
  pendingId = await post(proposalBody(servicePayload('svc-pending'), [KEYS[0]]));
  readyId = await post(proposalBody(servicePayload('svc-ready'), [KEYS[0], KEYS[1]]));
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

describe('registry proposals', () => {
  it('prints a table with status and signatures against the threshold', async () => {
    const r = await cli(['proposals'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PROPOSAL\s+ID\s+VERSION\s+KIND\s+STATUS\s+SIGNED\s+EXPIRES$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${pendingId.slice(0, 12)}  svc-pending  1 +service +pending  1 of 2 `),
    );
    expect(lines[2]).toMatch(new RegExp(`^${readyId.slice(0, 12)}  svc-ready +1 +service +ready +2 of 2 `));
  });

  it('filters with --status and --prefix, and prints JSON with --json', async () => {
    const r = await cli(['proposals', '--status', 'ready', '--json'], env);
    const items = JSON.parse(r.stdout) as Array<{ proposal_id: string; missing: string[] }>;
    expect(items.map((i) => i.proposal_id)).toEqual([readyId]);
    expect(items[0]?.missing).toEqual([KEYS[2].signerId]);
    expect(JSON.parse((await cli(['proposals', '--prefix', 'svc-p', '--json'], env)).stdout)).toHaveLength(1);
    expect((await cli(['proposals', '--status', 'applied'], env)).code).toBe(2);
  });
});

describe('registry proposal ID', () => {
  it('shows who signed and who is missing, and the next step', async () => {
    const r = await cli(['proposal', pendingId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('status      pending (1 of 2)');
    expect(r.stdout).toContain(`  signed   ${KEYS[0].signerId}`);
    expect(r.stdout).toContain(`  missing  ${KEYS[1].signerId}`);
    expect(r.stdout).toContain(`next: registry cosign --proposal ${pendingId}`);
    expect((await cli(['proposal', '--proposal', readyId], env)).stdout).toContain(
      `next: registry apply --proposal ${readyId}`,
    );
  });

  it('answers NotFound (exit 1) for an unknown proposal, and refuses two ids (exit 2)', async () => {
    expect((await cli(['proposal', 'f'.repeat(64)], env)).code).toBe(1);
    const two = await cli(['proposal', pendingId, readyId], env);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('takes one PROPOSAL argument');
    const both = await cli(['proposal', pendingId, '--proposal', readyId], env);
    expect(both.code).toBe(2);
  });
});

describe('positional ids', () => {
  it('registry get ID is registry get --id ID; --history has a header', async () => {
    const r = await cli(['get', 'governance', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe('governance');
    const h = await cli(['get', 'governance', '--history'], env);
    expect(h.stdout.split('\n')[0]).toMatch(/^VERSION\s+DIGEST\s+TS\s+DEPRECATED$/);
    expect(h.stdout.split('\n')[1]).toMatch(/^v1 {7}[0-9a-f]{64} {2}\d{4}-/);
    expect((await cli(['digest', 'extra'], env)).code).toBe(2); // commands without a positional refuse one
  });
});

describe('registry status', () => {
  it('reports readiness, version and governance; exit 0 when ready', async () => {
    const r = await cli(['status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^url +http:\/\/127\.0\.0\.1:\d+\nready +yes \(store ok, bus ok, writes ok\)\nversion +\d+\ngovernance +v1: 2 of 3 signers\n/,
    );
    const j = JSON.parse((await cli(['status', '--json'], env)).stdout);
    expect(j).toMatchObject({ ready: true, governance: { threshold: 2, version: 1 } });
  });

  it('answers StoreUnavailable (exit 1) when nothing listens', async () => {
    const r = await cli(['status', '--url', 'http://127.0.0.1:9'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('StoreUnavailable');
  });
});

describe('registry token mint and inspect', () => {
  const ROOT = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
  it('mints a 24h token by default, a token without expiry only with --ttl never', async () => {
    const before = Date.now();
    const d = JSON.parse(
      (await cli(['token', 'mint', '--scope', 'read', '--json'], { MACAROON_ROOT_KEY: ROOT })).stdout,
    );
    const expires = Date.parse(d.expires_at);
    expect(expires - before).toBeGreaterThan(23.9 * 3600_000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3600_000 + 5000);
    const never = JSON.parse(
      (
        await cli(['token', 'mint', '--scope', 'read', '--ttl', 'never', '--json'], {
          MACAROON_ROOT_KEY: ROOT,
        })
      ).stdout,
    );
    expect(never.expires_at).toBeNull();
    const i = await cli(['token', 'inspect', '--token', never.token, '--json'], {});
    expect(JSON.parse(i.stdout)).toEqual({
      type: 'macaroon',
      identifier: 'registry-cli',
      location: 'registry',
      caveats: ['scope = registry:read'],
    });
  });

  it("shows a token's name and caveats, never its signature, reading REGISTRY_TOKEN by default", async () => {
    const token = (
      await cli(['token', 'mint', '--scope', 'propose', '--id-prefix', 'svc-', '--name', 'ci-bot'], {
        MACAROON_ROOT_KEY: ROOT,
      })
    ).stdout.trim();
    const r = await cli(['token', 'inspect'], { REGISTRY_TOKEN: token });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name        ci-bot');
    expect(r.stdout).toContain('caveat      scope = registry:propose');
    expect(r.stdout).toContain('caveat      id-prefix = svc-');
    expect(r.stdout).toMatch(/caveat {6}time < \d{4}-/);
    expect(r.stdout).not.toMatch(/signature/i);
  });

  it('decodes an OIDC JWT as sent, naming it as the registry would', async () => {
    const b = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const jwt = `${b({ alg: 'ES256' })}.${b({ iss: 'https://ci', sub: 'repo:x', exp: 1_900_000_000 })}.c2ln`;
    const r = await cli(['token', 'inspect', '--token', jwt], {});
    expect(r.stdout).toContain('name        oidc:https://ci#repo:x');
    expect(r.stdout).toContain('claim       exp = 1900000000 (2030-03-17T17:46:40.000Z)');
    expect((await cli(['token', 'inspect', '--token', 'not-a-token!'], {})).code).toBe(2);
    expect((await cli(['token', 'inspect'], {})).code).toBe(2);
  });
});

describe('registry watch --prefix and --id', () => {
  it('prints only the events of the id or prefix asked for, columns aligned', async () => {
    const apply = (id: string) =>
      fetch(`${server.url}/v1/registry/apply/${id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.REGISTRY_TOKEN}` },
      });
    expect((await apply(readyId)).status).toBe(200);
    const all = await cli(['watch', '--until-current'], env);
    const lines = all.stdout.trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.lastIndexOf(' '))).size, all.stdout).toBe(1);
    const byId = await cli(['watch', '--id', 'svc-ready', '--until-current'], env);
    expect(byId.stdout.trim().split('\n')).toHaveLength(1);
    expect(byId.stdout).toContain('svc-ready v1');
    const byPrefix = await cli(['watch', '--prefix', 'gov', '--until-current'], env);
    expect(
      byPrefix.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[3]),
    ).toEqual(['governance']);
    expect((await cli(['watch', '--id', 'svc-ready', '--prefix', 'gov'], env)).code).toBe(2);
  });
});

describe('registry verify --url', () => {
  it('checks a signed file against the live governance and head; offline flags are refused beside it', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { signPayload } = await import('../src/core/index.js');
    const payload = servicePayload('svc-verify-live');
    const file = join(dir.path, 'live.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...payload,
        signatures: [KEYS[0], KEYS[1]].map((k) => signPayload(payload, k, Date.now())),
      }),
    );
    const ok = await cli(['verify', '--file', file, '--url', server.url], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('OK svc-verify-live v1');
    // svc-ready v1 exists now: a second v1 no longer extends the head.
    const stale = servicePayload('svc-ready');
    writeFileSync(
      file,
      JSON.stringify({
        ...stale,
        signatures: [KEYS[0], KEYS[1]].map((k) => signPayload(stale, k, Date.now())),
      }),
    );
    const r = await cli(['verify', '--file', file, '--url', server.url], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('StaleVersion');
    expect(
      (await cli(['verify', '--file', file, '--url', server.url, '--allow-signer', KEYS[0].signerId], env))
        .code,
    ).toBe(2);
  });
});

describe('--output', () => {
  it('prints yaml documents, json as --json, and refuses a contradiction', async () => {
    const y = await cli(['status', '--output', 'yaml'], env);
    expect(y.stdout).toMatch(/^---\nurl: http:\/\/127\.0\.0\.1:\d+\nready: true\n/);
    expect(JSON.parse((await cli(['status', '-o', 'json'], env)).stdout).ready).toBe(true);
    expect((await cli(['status', '--json', '--output', 'yaml'], env)).code).toBe(2);
    expect((await cli(['status', '--output', 'xml'], env)).code).toBe(2);
  });
});

describe('registry diff', () => {
  it('shows the lines that changed between two versions, as the console does', async () => {
    const head = (await cli(['get', 'svc-ready', '--json'], env)).stdout;
    const v1 = JSON.parse(head) as { version: number };
    const { digestOf, signPayload, signingBytes } = await import('../src/core/index.js');
    const next = servicePayload(
      'svc-ready',
      v1.version + 1,
      digestOf(signingBytes(servicePayload('svc-ready'))),
      {
        body: {
          name: 'svc-ready',
          region: 'us-east-1',
          endpoints: [{ addr: '10.0.0.9:443', tls: true, weight: 100 }],
        },
      },
    );
    const post = await fetch(`${server.url}/v1/registry/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.REGISTRY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        descriptor: next,
        signatures: [KEYS[0], KEYS[1]].map((k) => signPayload(next, k, Date.now())),
      }),
    });
    const { proposal_id } = (await post.json()) as { proposal_id: string };
    expect((await cli(['apply', '--proposal', proposal_id], env)).code).toBe(0);
    const r = await cli(['diff', 'svc-ready', '--from', '1', '--to', '2'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^--- svc-ready v1 [0-9a-f]{64}\n\+\+\+ svc-ready v2 [0-9a-f]{64}\n/);
    expect(r.stdout).toMatch(/^- +"addr": "10\.0\.0\.7:443",$/m);
    expect(r.stdout).toMatch(/^\+ +"addr": "10\.0\.0\.9:443",$/m);
    expect(r.stdout).toMatch(/^- +"version": 1,$/m);
    expect(r.stdout).toMatch(/^ {2} +"name": "svc-ready",$/m);
    expect(JSON.parse((await cli(['diff', 'svc-ready', '--from', '1', '--json'], env)).stdout).to).toBe(2);
    expect((await cli(['diff', 'svc-ready'], env)).code).toBe(2);
  });
});
