/**
 * SPEC §8 `registry serve` as a process: invalid settings exit 2 with one line naming the
 * setting, the amnesia guardrail creates nothing, a valid serve logs its bound URL, becomes
 * ready and exits 0 on SIGTERM/SIGINT, a store whose governance disagrees with the settings
 * exits 2 naming both, and the flag parser's --help and unknown flags. The CLI runs from
 * source under tsx (as test/crash.test.ts does), so no build is needed.
 */

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { fsTypeOf } from '../src/cli/tmpfs.js';
import { Registry } from '../src/registry/index.js';
import { GENESIS, KEYS, openLevelStore, tempDir } from './helpers/fixtures.js';
import { ROOT_KEY } from './helpers/server.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** Generous: a child under tsx on a loaded 2-core machine can take seconds to start. */
const CHILD_DEADLINE_MS = 45_000;
const TEST_TIMEOUT_MS = 90_000;

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Started {
  readonly child: Child;
  readonly exited: Promise<Exit>;
  /** Resolves with the first stdout JSON line that has a string `url` (the 'listening' log). */
  readonly listening: Promise<{ url: string; line: Record<string, unknown> }>;
  readonly stdout: () => string;
}

const cleanups: Array<() => void> = [];
const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of cleanups.splice(0)) d();
});

function dir(prefix = 'registry-serve-'): string {
  const d = tempDir(prefix);
  cleanups.push(d.cleanup);
  return d.path;
}

/** A minimal environment: nothing inherited may configure the child. */
function envOf(settings: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...settings };
}

const VALID: Record<string, string> = {
  MACAROON_ROOT_KEY: ROOT_KEY,
  SIGNER_ALLOWLIST: GENESIS.signers.join(','),
  SIG_THRESHOLD: String(GENESIS.threshold),
  BIND: '127.0.0.1:0',
  LOG_LEVEL: 'info',
};

function start(args: readonly string[], settings: Record<string, string>, cwd = dir()): Started {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd,
    env: envOf(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let onUrl: ((v: { url: string; line: Record<string, unknown> }) => void) | undefined;
  let failUrl: ((e: Error) => void) | undefined;
  const listening = new Promise<{ url: string; line: Record<string, unknown> }>((resolve, reject) => {
    onUrl = resolve;
    failUrl = reject;
  });
  // Not every test waits for it; an unobserved rejection must not fail the run.
  listening.catch(() => undefined);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        continue;
      }
      if (typeof line === 'object' && line !== null && typeof (line as { url?: unknown }).url === 'string') {
        onUrl?.({ url: (line as { url: string }).url, line: line as Record<string, unknown> });
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`registry ${args.join(' ')} did not exit within ${CHILD_DEADLINE_MS} ms: ${stderr}`));
    }, CHILD_DEADLINE_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      failUrl?.(new Error(`exited (code ${code}, signal ${signal}) before logging a url: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  exited.catch(() => undefined);
  return { child, exited, listening, stdout: () => stdout };
}

const run = (args: readonly string[], settings: Record<string, string>, cwd?: string) =>
  start(args, settings, cwd).exited;

/** Polls /readyz until it answers 200 (the store loads after the socket is bound). */
async function waitReady(url: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + CHILD_DEADLINE_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}/readyz never answered 200 (last: ${last})`);
}

/** stderr is exactly one non-empty line. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n');
  expect(lines.at(-1), 'stderr ends with a newline').toBe('');
  expect(lines.length, `stderr is one line: ${JSON.stringify(stderr)}`).toBe(2);
  return lines[0] ?? '';
}

describe('registry serve (process)', () => {
  describe('when a setting is invalid', () => {
    it.each([
      ['BIND', { BIND: '127.0.0.1:70000' }],
      ['MACAROON_ROOT_KEY', { MACAROON_ROOT_KEY: 'abc' }],
      ['SIG_THRESHOLD', { SIG_THRESHOLD: '0' }],
      ['SIGNER_ALLOWLIST', { SIGNER_ALLOWLIST: `${GENESIS.signers.join(',')},${GENESIS.signers[0]}` }],
      ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
      ['PROPOSAL_TTL', { PROPOSAL_TTL: '500ms' }],
      ['OIDC_ISSUERS', { OIDC_ISSUERS: '/nonexistent/oidc-issuers.json' }],
    ] as const)(
      '%s: exits 2 with one line on stderr naming it, and creates no store',
      async (setting, bad) => {
        const cwd = dir();
        const db = join(cwd, 'db');
        const r = await run(['serve'], { ...VALID, REGISTRY_DB: db, ...bad }, cwd);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain(setting);
        expect(r.stdout).toBe('');
        expect(existsSync(db)).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'exits 2 when MACAROON_ROOT_KEY is missing',
      async () => {
        const { MACAROON_ROOT_KEY: _, ...rest } = VALID;
        const r = await run(['serve'], { ...rest, REGISTRY_DB: join(dir(), 'db') });
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain('MACAROON_ROOT_KEY');
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when a setting can only be checked against the machine (SPEC §8: before anything is created)', () => {
    it(
      'exits 2 for an empty store without SIGNER_ALLOWLIST, naming it, creating nothing and logging nothing',
      async () => {
        const cwd = dir();
        const db = join(cwd, 'db');
        const { SIGNER_ALLOWLIST: _, SIG_THRESHOLD: __, ...rest } = VALID;
        const r = await run(['serve'], { ...rest, REGISTRY_DB: db }, cwd);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain('SIGNER_ALLOWLIST is required');
        expect(r.stderr).toContain('SIG_THRESHOLD defaults to 2');
        expect(r.stdout).toBe('');
        expect(existsSync(db)).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'exits 2 with one line when BIND is in use (no stack trace)',
      async () => {
        const blocker = createServer();
        await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
        const port = (blocker.address() as AddressInfo).port;
        try {
          const cwd = dir();
          const r = await run(
            ['serve'],
            { ...VALID, BIND: `127.0.0.1:${port}`, REGISTRY_DB: join(cwd, 'db') },
            cwd,
          );
          expect(r.code).toBe(2);
          expect(oneLine(r.stderr)).toBe(
            `registry serve: BIND=127.0.0.1:${port} is already in use (another registry?)`,
          );
        } finally {
          await new Promise<void>((r) => blocker.close(() => r()));
        }
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when AMNESIA=true and REGISTRY_DB is on disk', () => {
    it(
      'exits 2 naming the setting and does not create the directory',
      async () => {
        const parent = dir();
        // The amnesia guardrail needs a non-tmpfs path; the test's own temp dir must be one.
        expect(fsTypeOf(parent)).not.toBe('tmpfs');
        const db = join(parent, 'new-db');
        const r = await run(['serve'], { ...VALID, AMNESIA: 'true', REGISTRY_DB: db }, parent);
        expect(r.code).toBe(2);
        const line = oneLine(r.stderr);
        expect(line).toContain('AMNESIA');
        expect(line).toContain('REGISTRY_DB');
        expect(existsSync(db)).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refuses --db with --amnesia the same way',
      async () => {
        const parent = dir();
        const db = join(parent, 'flag-db');
        const r = await run(['serve', '--amnesia', '--db', db], VALID, parent);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain('REGISTRY_DB');
        expect(existsSync(db)).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when the settings are valid', () => {
    it.each(['SIGTERM', 'SIGINT'] as const)(
      'logs the bound url, answers /readyz 200, and exits 0 on %s',
      async (signal) => {
        const cwd = dir();
        const db = join(cwd, 'db');
        const s = start(['serve'], { ...VALID, REGISTRY_DB: db }, cwd);
        const { url, line } = await s.listening;
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
        expect(line).toMatchObject({ msg: 'listening', service: 'registry', amnesia: false });
        const ready = await waitReady(url);
        expect(ready).toMatchObject({ ready: true, store: 'ok', writes: 'ok', version: 1 });
        const version = await fetch(`${url}/v1/registry/version`);
        expect(await version.json()).toEqual({ version: 1 });

        s.child.kill(signal);
        const r = await s.exited;
        expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain('"msg":"stopped"');
        expect(existsSync(db)).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'takes --bind, --db, --allow-signer (repeated) and --sig-threshold from flags',
      async () => {
        const cwd = dir();
        const db = join(cwd, 'flag-db');
        const s = start(
          [
            'serve',
            '--bind',
            '127.0.0.1:0',
            '--db',
            db,
            '--allow-signer',
            `${KEYS[0].signerId},${KEYS[1].signerId}`,
            '--allow-signer',
            KEYS[2].signerId,
            '--sig-threshold',
            '3',
          ],
          // Invalid env values the flags override.
          { MACAROON_ROOT_KEY: ROOT_KEY, BIND: 'nope', SIG_THRESHOLD: '0', LOG_LEVEL: 'info' },
          cwd,
        );
        const { url } = await s.listening;
        await waitReady(url);
        const gov = (await (await fetch(`${url}/v1/registry/descriptors/governance`)).json()) as {
          body: { signers: string[]; threshold: number };
        };
        expect(gov.body).toEqual({ signers: KEYS.slice(0, 3).map((k) => k.signerId), threshold: 3 });
        s.child.kill('SIGTERM');
        expect((await s.exited).code).toBe(0);
        expect(existsSync(db)).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it.runIf(fsTypeOf('/dev/shm') === 'tmpfs')(
      'with AMNESIA=true and REGISTRY_DB on tmpfs, serves from memory and creates nothing',
      async () => {
        const db = `/dev/shm/registry-serve-test-${process.pid}-${Date.now()}`;
        const s = start(['serve'], { ...VALID, AMNESIA: 'true', REGISTRY_DB: db });
        const { url, line } = await s.listening;
        expect(line).toMatchObject({ amnesia: true });
        await waitReady(url);
        s.child.kill('SIGTERM');
        expect((await s.exited).code).toBe(0);
        expect(existsSync(db)).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when the stored governance disagrees with SIGNER_ALLOWLIST', () => {
    it(
      'exits 2 with one line naming both signer sets and thresholds',
      async () => {
        const cwd = dir();
        const db = join(cwd, 'db');
        const seeded = await Registry.open(await openLevelStore(db), { genesis: GENESIS });
        await seeded.close();

        const configured = [KEYS[0].signerId, KEYS[3].signerId];
        const r = await run(
          ['serve'],
          { ...VALID, REGISTRY_DB: db, SIGNER_ALLOWLIST: configured.join(','), SIG_THRESHOLD: '1' },
          cwd,
        );
        expect(r.code).toBe(2);
        const line = oneLine(r.stderr);
        for (const id of [...GENESIS.signers, ...configured]) expect(line).toContain(id);
        expect(line).toContain('threshold 1');
        expect(line).toContain(`threshold ${GENESIS.threshold}`);

        // The same settings as the stored head (in another order) start normally.
        const s = start(
          ['serve'],
          { ...VALID, REGISTRY_DB: db, SIGNER_ALLOWLIST: [...GENESIS.signers].reverse().join(',') },
          cwd,
        );
        const { url } = await s.listening;
        await waitReady(url);
        s.child.kill('SIGTERM');
        expect((await s.exited).code).toBe(0);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when serve() refuses a store in-process', () => {
    it('releases the store, so it can be opened again', async () => {
      const db = join(dir(), 'db');
      const seeded = await Registry.open(await openLevelStore(db), { genesis: GENESIS });
      await seeded.close();
      const config = parseConfig({
        ...VALID,
        LOG_LEVEL: 'silent',
        REGISTRY_DB: db,
        SIGNER_ALLOWLIST: KEYS[3].signerId,
        SIG_THRESHOLD: '1',
      });
      await expect(serve(config)).rejects.toThrowRegistryError('BadRequest', KEYS[3].signerId);
      const again = await openLevelStore(db);
      expect(await again.version()).toBe(1);
      await again.close();
    });
  });

  describe('flags', () => {
    it(
      'serve --help prints the flags and exits 0',
      async () => {
        const r = await run(['serve', '--help'], {});
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        for (const flag of ['--bind', '--db', '--sig-threshold', '--allow-signer', '--amnesia']) {
          expect(r.stdout).toContain(flag);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'an unknown flag exits 2 with one line naming it',
      async () => {
        const r = await run(['serve', '--no-such-flag'], VALID);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain('--no-such-flag');
        expect(r.stdout).toBe('');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a flag without its value exits 2',
      async () => {
        const r = await run(['serve', '--bind'], VALID);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toContain('--bind');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'an unknown command exits 2; --help exits 0',
      async () => {
        const unknown = await run(['frobnicate'], {});
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('frobnicate');
        const help = await run(['--help'], {});
        expect(help.code).toBe(0);
        expect(help.stdout).toContain('serve');
      },
      TEST_TIMEOUT_MS,
    );
  });
});
