/**
 * The built CLI as a subprocess: the fresh-clone check of `npm start` (registry dev in an
 * empty directory reaches readiness, serves the seeded sample data, and a second run
 * reuses everything), process exit codes, and OpenSSL interoperability of keys and
 * signatures (PKCS#8/SPKI PEM, `openssl pkeyutl -rawin`).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/cli/commands/index.js';
import { allOptions } from '../src/cli/run-command.js';
import { RegistryClient } from '../src/client/index.js';
import { digestOf, signingBytes } from '../src/core/index.js';
import {
  type BuiltCli,
  buildCli,
  type DevProcess,
  registry,
  run,
  startDev,
  tempCwd,
} from './helpers/cli-process.js';
import { servicePayload } from './helpers/fixtures.js';
import { invocations } from './helpers/readme.js';
import { skipWithout } from './helpers/require-tool.js';

const BANNER_END = /Ctrl-C stops the registry/;

let cli: BuiltCli;
beforeAll(() => {
  cli = buildCli();
}, 60_000);
afterAll(() => cli?.cleanup());

describe('npm start on a fresh clone (registry dev in an empty directory)', { timeout: 120_000 }, () => {
  it('creates DEV ONLY state, seeds through the API, serves it; a second run reuses all of it', async () => {
    const cwd = tempCwd('registry-fresh-');
    const started: DevProcess[] = [];
    try {
      const first = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0'], BANNER_END);
      started.push(first);
      const banner = first.stdout();
      const url = /API +(http:\/\/127\.0\.0\.1:\d+)\/v1\/registry/.exec(banner)?.[1] ?? '';
      expect(url).not.toBe('');
      expect(banner).toContain('DEV ONLY');
      expect(banner).toContain('seeded now through propose/cosign/apply');
      const token = readFileSync(join(cwd.path, '_data', 'DEV-ONLY-token.txt'), 'utf8').trim();
      expect(banner).toContain(token);
      const files = readdirSync(join(cwd.path, '_data')).filter((f) => f !== 'db');
      expect(files.every((f) => f.startsWith('DEV-ONLY-'))).toBe(true);
      expect(files.sort()).toEqual([
        'DEV-ONLY-README.txt',
        'DEV-ONLY-macaroon-root-key.hex',
        'DEV-ONLY-signer-1.pem',
        'DEV-ONLY-signer-2.pem',
        'DEV-ONLY-signer-3.pem',
        'DEV-ONLY-token.txt',
      ]);
      // The root key is a secret even in dev: it stays in its file.
      const rootKey = readFileSync(join(cwd.path, '_data', 'DEV-ONLY-macaroon-root-key.hex'), 'utf8').trim();
      expect(banner + first.stderr()).not.toContain(rootKey);

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const client = new RegistryClient({ baseUrl: url, token });
      expect(await client.version()).toBe(5);
      const ids: string[] = [];
      for await (const item of client.listAll()) ids.push(item.id);
      expect(ids).toEqual([
        'governance',
        'regions',
        'svc-gateway@us-east-1',
        'svc-storage@eu-west-1',
        'svc-storage@us-east-1',
      ]);
      const gov = (await client.get('governance')).descriptor.body;
      expect(gov).toMatchObject({ threshold: 2 });
      expect(Object.keys((await client.regionMap()).regions).sort()).toEqual(['eu-west-1', 'us-east-1']);
      // Every sample went through a real quorum: two dev signers signed each.
      expect((await client.get('svc-storage@us-east-1')).descriptor.signatures).toHaveLength(2);

      // Every `registry ...` command the banner suggests exists with its flags.
      // (The title line "registry dev: DEV ONLY." is prose, not a command.)
      for (const inv of invocations(banner).filter((i) => i.words.length > 0)) {
        const found = findCommand(inv.words);
        expect(found, inv.source).toBeDefined();
        for (const f of inv.flags)
          expect(Object.keys(allOptions(found?.spec ?? COMMAND_NONE)), inv.source).toContain(f.slice(2));
      }
      expect(await first.stop()).toBe(0);

      const second = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0'], BANNER_END);
      started.push(second);
      const again = second.stdout();
      expect(again).toContain('already present (reused)');
      expect(again).toContain(token);
      const url2 = /API +(http:\/\/127\.0\.0\.1:\d+)\/v1\/registry/.exec(again)?.[1] ?? '';
      const client2 = new RegistryClient({ baseUrl: url2, token });
      expect(await client2.version()).toBe(5);
      expect(readFileSync(join(cwd.path, '_data', 'DEV-ONLY-token.txt'), 'utf8').trim()).toBe(token);
      expect(await second.stop()).toBe(0);
    } finally {
      // A failed assertion must not leave a server running.
      await Promise.all(started.map((d) => d.stop()));
      cwd.cleanup();
    }
  });

  it('defaults to 127.0.0.1:9402 and says so when the port is taken (exit 2)', async () => {
    const help = await registry(cli, ['dev', '--help'], { cwd: '/' });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('default 127.0.0.1:9402');
    const cwd = tempCwd('registry-busy-');
    const blocker = await startDev(cli, cwd.path, ['--bind', '127.0.0.1:0', '--dir', 'a'], BANNER_END);
    try {
      const port = /API +http:\/\/127\.0\.0\.1:(\d+)/.exec(blocker.stdout())?.[1] ?? '';
      const r = await registry(cli, ['dev', '--bind', `127.0.0.1:${port}`, '--dir', 'b'], { cwd: cwd.path });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is in use');
    } finally {
      await blocker.stop();
      cwd.cleanup();
    }
  });
});

const COMMAND_NONE = { name: 'none', summary: '', help: '', options: {}, run: async () => 2 };

describe('exit codes as a process', { timeout: 120_000 }, () => {
  it('0 ok, 1 refused, 2 usage; --help on every command', async () => {
    const cwd = tempCwd('registry-codes-');
    try {
      expect((await registry(cli, [], { cwd: cwd.path })).code).toBe(2);
      expect((await registry(cli, ['--help'], { cwd: cwd.path })).code).toBe(0);
      expect((await registry(cli, ['nope'], { cwd: cwd.path })).code).toBe(2);
      expect((await registry(cli, ['token'], { cwd: cwd.path })).stderr).toContain('token mint');
      expect((await registry(cli, ['serve', '--help'], { cwd: cwd.path })).code).toBe(0);
      const bad = await registry(cli, ['serve', '--bind', '127.0.0.1:0'], {
        cwd: cwd.path,
        env: { MACAROON_ROOT_KEY: '' },
      });
      expect(bad.code).toBe(2);
      expect((await registry(cli, ['keygen'], { cwd: cwd.path })).code).toBe(2);
      const key = await registry(cli, ['keygen', '--out', 'k.pem'], { cwd: cwd.path });
      expect(key.code).toBe(0);
      const refused = await registry(cli, ['list'], {
        cwd: cwd.path,
        env: { REGISTRY_URL: 'http://127.0.0.1:1' },
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('StoreUnavailable');
      for (const name of [
        'dev',
        'keygen',
        'signer-id',
        'draft',
        'digest',
        'sign',
        'verify',
        'propose',
        'cosign',
        'apply',
        'get',
        'list',
        'watch',
      ]) {
        expect((await registry(cli, [name, '--help'], { cwd: cwd.path })).code, name).toBe(0);
      }
      expect((await registry(cli, ['token', 'mint', '--help'], { cwd: cwd.path })).code).toBe(0);
    } finally {
      cwd.cleanup();
    }
  });
});

describe('OpenSSL interoperability', { timeout: 120_000 }, () => {
  it.skipIf(skipWithout('openssl'))('keys and signatures cross between openssl and registry', async () => {
    const cwd = tempCwd('registry-openssl-');
    const at = (f: string) => join(cwd.path, f);
    const ossl = (args: string[]) => run('openssl', args, { cwd: cwd.path });
    try {
      // registry keygen → openssl reads it, and derives the same public key
      const id = (
        await registry(cli, ['keygen', '--out', 'mine.pem', '--public-out', 'mine.pub.pem'], {
          cwd: cwd.path,
        })
      ).stdout.trim();
      expect((await ossl(['pkey', '-in', 'mine.pem', '-pubout', '-out', 'derived.pub.pem'])).code).toBe(0);
      expect(readFileSync(at('derived.pub.pem'), 'utf8')).toBe(readFileSync(at('mine.pub.pem'), 'utf8'));
      // openssl genpkey → registry reads it
      expect((await ossl(['genpkey', '-algorithm', 'ed25519', '-out', 'theirs.pem'])).code).toBe(0);
      expect((await ossl(['pkey', '-in', 'theirs.pem', '-pubout', '-out', 'theirs.pub.pem'])).code).toBe(0);
      const theirs = (
        await registry(cli, ['signer-id', '--key', 'theirs.pem'], { cwd: cwd.path })
      ).stdout.trim();
      expect(
        (await registry(cli, ['signer-id', '--key', 'theirs.pub.pem'], { cwd: cwd.path })).stdout.trim(),
      ).toBe(theirs);

      // openssl signs the signing bytes; registry verify accepts the raw signature
      const payload = servicePayload('svc-openssl');
      writeFileSync(at('d.json'), JSON.stringify(payload));
      expect(
        (
          await registry(cli, ['digest', '--file', 'd.json', '--bytes', '--out', 'd.bin'], {
            cwd: cwd.path,
          })
        ).code,
      ).toBe(0);
      expect(readFileSync(at('d.bin')).equals(Buffer.from(signingBytes(payload)))).toBe(true);
      expect(
        (await ossl(['pkeyutl', '-sign', '-rawin', '-inkey', 'theirs.pem', '-in', 'd.bin', '-out', 'd.sig']))
          .code,
      ).toBe(0);
      const signed = await registry(
        cli,
        [
          'sign',
          '--file',
          'd.json',
          '--sig-file',
          'd.sig',
          '--signer-id',
          theirs,
          '--key',
          'mine.pem',
          '--out',
          'signed.json',
        ],
        { cwd: cwd.path },
      );
      expect(signed.code, signed.stderr).toBe(0);
      const ok = await registry(
        cli,
        ['verify', '--file', 'signed.json', '--allow-signer', `${theirs},${id}`, '--sig-threshold', '2'],
        {
          cwd: cwd.path,
        },
      );
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(digestOf(signingBytes(payload)));

      // a registry signature verifies with openssl pkeyutl -verify
      const sig = JSON.parse(readFileSync(at('signed.json'), 'utf8')).signatures.find(
        (s: { signer_id: string }) => s.signer_id === id,
      ) as { sig: string };
      writeFileSync(at('mine.sig'), Buffer.from(sig.sig, 'base64url'));
      const v = await ossl([
        'pkeyutl',
        '-verify',
        '-rawin',
        '-pubin',
        '-inkey',
        'mine.pub.pem',
        '-in',
        'd.bin',
        '-sigfile',
        'mine.sig',
      ]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(existsSync(at('signed.json'))).toBe(true);
    } finally {
      cwd.cleanup();
    }
  });
});
