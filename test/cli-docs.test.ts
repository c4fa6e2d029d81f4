/**
 * The README cannot rot: every `registry ...` command in it must exist with the flags it
 * uses, and the CLI, Walkthrough and Signer rotation runbook sections are executed as
 * written (bash, the built CLI on PATH) against a real `registry dev` started as a child
 * process. Only the port differs: the dev server binds a free one and the scripts' URL is
 * rewritten to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/cli/commands/index.js';
import { allOptions } from '../src/cli/run-command.js';
import { RegistryClient } from '../src/client/index.js';
import { type BuiltCli, bash, buildCli, type DevProcess, startDev, tempCwd } from './helpers/cli-process.js';
import {
  codeBlocks,
  type Invocation,
  inlineInvocations,
  invocations,
  README,
  section,
  subsections,
} from './helpers/readme.js';
import { skipWithout } from './helpers/require-tool.js';

/** Problems with one invocation: unknown command, stray words, unknown flags. */
function problems(inv: Invocation): string[] {
  const found = findCommand(inv.words);
  if (found === undefined) return [`${inv.source}: no command "${inv.words.join(' ')}"`];
  const out: string[] = [];
  // A command with a positional argument (`registry get ID`) takes one bare word.
  const allowed = found.spec.positional === undefined ? 0 : 1;
  if (found.rest.length > allowed) out.push(`${inv.source}: unexpected "${found.rest.join(' ')}"`);
  else if (found.rest.length === 1 && inv.flags.includes(`--${found.spec.positional}`)) {
    out.push(`${inv.source}: ${found.spec.positional} given twice (argument and flag)`);
  }
  const options = allOptions(found.spec);
  for (const flag of inv.flags) {
    const name = flag.replace(/^--?/, '');
    const ok = flag.startsWith('--') ? name in options : Object.values(options).some((o) => o.short === name);
    if (!ok) out.push(`${inv.source}: registry ${found.spec.name} has no flag ${flag}`);
  }
  return out;
}

describe('README commands', () => {
  const blocks = codeBlocks(README, ['sh', 'bash', 'shell']);
  const fromBlocks = blocks.flatMap(invocations);
  const inline = inlineInvocations(README).filter((i) => i.words.length > 0);

  it('finds the commands it checks', () => {
    expect(fromBlocks.length).toBeGreaterThan(30);
    const names = new Set(fromBlocks.map((i) => findCommand(i.words)?.spec.name));
    for (const n of [
      'draft',
      'propose',
      'cosign',
      'apply',
      'get',
      'watch',
      'digest',
      'sign',
      'verify',
      'keygen',
      'signer-id',
      'token mint',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('every command in a code block exists with the flags it uses', () => {
    expect(fromBlocks.flatMap(problems)).toEqual([]);
  });

  it('every `registry ...` inline code span names a real command and flags', () => {
    expect(inline.flatMap(problems)).toEqual([]);
  });

  it('the checker itself catches a wrong command, a wrong flag and a stray word', () => {
    const bad = invocations(
      'registry apply --proposl X\nID=$(registry digestt --file a)\nregistry get foo --id x\nregistry list foo',
    );
    expect(bad.flatMap(problems)).toHaveLength(4);
  });
});

describe('README sections run as written', { timeout: 120_000 }, () => {
  let cli: BuiltCli;
  let cwd: { path: string; cleanup: () => void };
  let dev: DevProcess;
  let url: string;
  let token: string;
  let client: RegistryClient;

  beforeAll(async () => {
    cli = buildCli();
    cwd = tempCwd('registry-docs-');
    dev = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0', '--json'], /\n/);
    const info = JSON.parse(dev.stdout().split('\n')[0] ?? '{}') as { url: string; token: string };
    url = info.url;
    token = info.token;
    client = new RegistryClient({ baseUrl: url, token });
  }, 60_000);

  afterAll(async () => {
    const code = await dev?.stop();
    cwd?.cleanup();
    cli?.cleanup();
    expect(code).toBe(0); // SIGTERM: clean shutdown, exit 0 (SPEC §8)
  });

  /** A README shell text with the default URL pointed at this test's dev server. */
  function script(blocks: readonly string[]): string {
    return blocks.join('\n').replaceAll('http://127.0.0.1:9402', url);
  }
  const env = () => ({ REGISTRY_URL: url, REGISTRY_TOKEN: token });

  it('Walkthrough: propose, a refused early apply, cosign, apply, get, watch', async () => {
    const blocks = codeBlocks(section('Walkthrough'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    // The walkthrough sets REGISTRY_URL and REGISTRY_TOKEN itself.
    const r = await bash(cli, script(blocks), {
      cwd: cwd.path,
      env: { REGISTRY_URL: '', REGISTRY_TOKEN: '' },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('pending (1 of 2 signatures)');
    expect(r.stdout).toMatch(/NoQuorum[\s\S]*hint: [\s\S]*exit 1/);
    expect(r.stdout).toContain('ready (2 of 2 signatures)');
    expect(r.stdout).toContain('applied svc-search@us-east-1 v1');
    expect(r.stdout).toMatch(/^\s+6 {2}\S+ {2}published {3}svc-search@us-east-1 v1 +[0-9a-f]{64}$/m);
    expect(r.stdout).toContain('# current at registry version 6');
    expect((await client.get('svc-search@us-east-1')).descriptor.signatures).toHaveLength(2);
  });

  const cliParts = subsections(section('CLI'));
  const blocksOf = (title: (t: string) => boolean) => {
    const part = cliParts.find(([t]) => title(t));
    if (part === undefined) throw new Error('README CLI section lost a subsection this test runs');
    return script(codeBlocks(part[1]));
  };

  it('CLI: the token block mints a token that may propose but not apply', async () => {
    const t = await bash(
      cli,
      blocksOf((t) => t === 'Tokens'),
      { cwd: cwd.path, env: env() },
    );
    expect(t.code, t.stdout).toBe(0);
    const minted = t.stdout.trim();
    await expect(
      new RegistryClient({ baseUrl: url, token: minted }).apply('a'.repeat(64)),
    ).rejects.toThrowRegistryError('Forbidden');
  });

  // The block needs `openssl pkeyutl -rawin` (OpenSSL 3); whether it runs is decided before
  // any assertion, so a skip never hides the half of a test that did not run.
  it.skipIf(skipWithout('openssl'))('CLI: the external-signer (openssl) block applies v2', async () => {
    const r = await bash(
      cli,
      blocksOf((t) => t.startsWith('External signers')),
      {
        cwd: cwd.path,
        env: env(),
      },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('applied svc-gateway@us-east-1 v2');
    const head = await client.get('svc-gateway@us-east-1');
    expect(head.descriptor.version).toBe(2);
    expect(head.descriptor.signatures).toHaveLength(2);
  });

  describe('Signer rotation runbook', () => {
    const steps = subsections(section('Signer rotation runbook'));
    const step = (title: string) => {
      const s = steps.find(([t]) => t === title);
      if (s === undefined) throw new Error(`runbook has no "### ${title}"`);
      return script(codeBlocks(s[1]));
    };
    const signerOf = async (file: string) =>
      (await bash(cli, `registry signer-id --key ${file}`, { cwd: cwd.path })).stdout.trim();

    it('has exactly the three steps this test checks', () => {
      expect(steps.map(([t]) => t)).toEqual([
        'Add a signer',
        'Remove a compromised signer',
        'Change the threshold',
      ]);
    });

    it('Add a signer: governance v2 has four signers, threshold 2', async () => {
      const before = (await client.get('governance')).descriptor;
      const r = await bash(cli, step('Add a signer'), { cwd: cwd.path, env: env() });
      expect(r.code, r.stdout).toBe(0);
      const gov = (await client.get('governance')).descriptor;
      expect(gov.version).toBe(before.version + 1);
      expect(gov.body).toEqual({
        signers: [
          ...(before.body as unknown as { signers: string[] }).signers,
          await signerOf('dave.pub.pem'),
        ],
        threshold: 2,
      });
    });

    it('Remove a compromised signer: it is gone and its signatures are refused', async () => {
      const compromised = await signerOf('_data/DEV-ONLY-signer-3.pem');
      const r = await bash(cli, step('Remove a compromised signer'), { cwd: cwd.path, env: env() });
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(
        /BadSignature: signer \S+ is not in the allow-list[\s\S]*refused as expected: exit 1/,
      );
      const gov = (await client.get('governance')).descriptor.body as unknown as {
        signers: string[];
        threshold: number;
      };
      expect(gov.signers).toHaveLength(3);
      expect(gov.signers).not.toContain(compromised);
      expect(gov.threshold).toBe(2);
    });

    it('Change the threshold: offline signatures, verify, propose, apply; now 3 of 3', async () => {
      const r = await bash(cli, step('Change the threshold'), { cwd: cwd.path, env: env() });
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/^OK governance v\d+ /m);
      const gov = (await client.get('governance')).descriptor;
      expect(gov.body).toMatchObject({ threshold: 3 });
      expect(gov.signatures).toHaveLength(3);
      // Two signatures no longer make a quorum.
      const two = await bash(
        cli,
        `registry draft --id svc-storage@us-east-1 --out t.json
registry propose --file t.json --key _data/DEV-ONLY-signer-1.pem --key _data/DEV-ONLY-signer-2.pem
registry apply --proposal "$(registry digest --file t.json)" || echo "exit $?"`,
        { cwd: cwd.path, env: env() },
      );
      expect(two.stdout).toMatch(/NoQuorum[\s\S]*exit 1/);
    });

    it('after the runbook, `registry dev` (npm start) starts again on the stored governance', async () => {
      expect(await dev.stop()).toBe(0);
      dev = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0', '--json'], /\n/);
      const info = JSON.parse(dev.stdout().split('\n')[0] ?? '{}') as {
        url: string;
        threshold: number;
        governance_signers: string[];
      };
      url = info.url;
      client = new RegistryClient({ baseUrl: url, token });
      const gov = (await client.get('governance')).descriptor.body as {
        readonly signers: readonly string[];
        threshold: number;
      };
      expect(info.threshold).toBe(3);
      expect(info.governance_signers).toEqual(gov.signers);
      expect(gov.threshold).toBe(3);
    });
  });
});
