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
