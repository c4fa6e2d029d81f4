/**
 * The test run's Debian packages: the one list (test/system-packages), the installer that
 * `npm test` and `.ci/run` share (scripts/system-packages.mjs), the gate tests use
 * (test/helpers/require-tool.ts) and the closing line (scripts/test.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPresent, LIST, readSystemPackages } from '../scripts/system-packages.mjs';
import { summarize } from '../scripts/test.mjs';
import { tempDir } from './helpers/fixtures.js';
import { skipWithout, systemPackage, toolsRequired } from './helpers/require-tool.js';

const ROOT = join(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'scripts', 'system-packages.mjs');

/** Runs the installer's CLI on a list of its own, with a PATH that holds only `node` (no apt-get). */
function installer(list: string, args: string[] = []) {
  const dir = tempDir('registry-syspkg-');
  const file = join(dir.path, 'list');
  writeFileSync(file, list);
  mkdirSync(join(dir.path, 'bin'));
  symlinkSync(process.execPath, join(dir.path, 'bin', 'node'));
  try {
    const r = spawnSync(process.execPath, [SCRIPT, '--list', file, ...args], {
      env: { PATH: join(dir.path, 'bin') },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    dir.cleanup();
  }
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('test/system-packages', () => {
  const entries = readSystemPackages();

  it('lists each tool once with its Debian package, scope and reason', () => {
    expect(entries.map((e) => e.check)).toEqual([...new Set(entries.map((e) => e.check))]);
    for (const e of entries) {
      expect(e.check, e.check).toMatch(/^(\/[\w./+-]+|[\w.+-]+)$/);
      expect(e.pkg, e.check).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      expect(e.why.length, e.check).toBeGreaterThan(0);
    }
    expect(entries.map((e) => e.pkg)).toEqual(
      expect.arrayContaining(['openssl', 'nats-server', 'chromium', 'prometheus', 'wrk']),
    );
  });

  it('names as "test" exactly the tools some test gates on with skipWithout', () => {
    const sources = [...testFiles(join(ROOT, 'test')), ...testFiles(join(ROOT, 'src'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const gated = new Set([...sources.matchAll(/skipWithout\('([^']+)'/g)].map((m) => m[1]));
    // A gate on a constant (skipWithout(CHROMIUM)) names the path that constant holds.
    for (const [, name] of sources.matchAll(/skipWithout\(([A-Z_]+)\)/g)) {
      const value = new RegExp(`const ${name} = '([^']+)'`).exec(sources)?.[1];
      expect(value, `the value of ${name}`).toBeDefined();
      gated.add(value ?? '');
    }
    gated.delete('no-such-tool');
    const listed = entries.filter((e) => e.scope === 'test').map((e) => e.check);
    expect([...gated].sort()).toEqual([...listed].sort());
  });

  it('refuses a line without a scope', () => {
    const r = installer('openssl openssl\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expected "<check> <package> test|ci <why>"');
  });
});

describe('scripts/system-packages.mjs', () => {
  it('does nothing, and never calls apt-get, when every tool is present', () => {
    const r = installer(
      `# comment\n${process.execPath} nodejs test the runtime\nnode nodejs ci the runtime\n`,
      ['--scope', 'test,ci'],
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('ignores the tools of a scope it was not asked for', () => {
    const r = installer('no-such-tool-x no-such-package ci only CI needs it\n');
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('without apt-get fails at once with one line naming the command to run', () => {
    const r = installer(
      'no-such-tool-x pkg-x test a\n/no/such/tool-y pkg-y test b\nno-such-tool-z pkg-z ci c\n',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const run =
      process.getuid?.() === 0
        ? 'apt-get update && apt-get install -y --no-install-recommends pkg-x pkg-y'
        : `sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends pkg-x pkg-y'`;
    expect(lines[0]).toContain('missing no-such-tool-x, /no/such/tool-y and cannot install');
    expect(lines[0]?.endsWith(`run: ${run}`)).toBe(true);
  });

  it('--check reports what is missing and exits 1, installing nothing', () => {
    const r = installer('no-such-tool-x pkg-x test a tool\n', ['--check']);
    expect(r).toEqual({
      code: 1,
      stdout: 'missing no-such-tool-x (Debian package pkg-x): a tool\n',
      stderr: '',
    });
  });

  it('finds a command only as an executable file on PATH, and an absolute path when it exists', () => {
    expect(isPresent('node')).toBe(true);
    expect(isPresent('no-such-tool-x')).toBe(false);
    expect(isPresent('system-packages')).toBe(false); // not on PATH
    expect(isPresent(process.execPath)).toBe(true);
    expect(isPresent(LIST)).toBe(true); // a plain file (a library's data) is enough
    expect(isPresent(ROOT)).toBe(true); // so is a directory (a library's install dir)
    expect(isPresent(join(ROOT, 'no-such-dir'))).toBe(false);
  });
});

describe('skipWithout', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);

  it('runs the tests when the tool is present', () => {
    expect(skipWithout('openssl', { present: true, env: { CI: 'true' }, warn })).toBe(false);
  });

  it('skips with the package to install when the tool is missing outside CI', () => {
    warnings.length = 0;
    expect(skipWithout('nats-server', { present: false, env: {}, warn })).toBe(true);
    expect(warnings).toEqual([
      expect.stringContaining('nats-server is missing (apt-get install -y nats-server)'),
    ]);
  });

  it('fails instead of skipping under CI=true and under npm test', () => {
    for (const env of [{ CI: 'true' }, { CI: '1' }, { REGISTRY_TEST_TOOLS: 'required' }]) {
      expect(toolsRequired(env)).toBe(true);
      expect(() => skipWithout('/usr/bin/chromium', { present: false, env, warn })).toThrow(
        /\/usr\/bin\/chromium is missing \(Debian package chromium, .*\); CI=true and npm test do not skip/,
      );
    }
    expect(toolsRequired({ CI: 'false' })).toBe(false);
  });

  it('refuses a tool the list does not name as a test tool', () => {
    expect(() => skipWithout('no-such-tool', { present: true })).toThrow(/not a "test" tool/);
    expect(() => systemPackage('wrk')).toThrow(/not a "test" tool/);
  });
});

describe('summarize (the closing line of npm test and .ci/run)', () => {
  const file = (status: string, ...tests: string[]) => ({
    status,
    assertionResults: tests.map((s) => ({ status: s })),
  });

  it('counts passed, failed and skipped tests, and a file that failed to load as failed', () => {
    expect(
      summarize({
        numPassedTests: 5,
        numFailedTests: 1,
        numPendingTests: 2,
        numTodoTests: 1,
        testResults: [file('passed', 'passed'), file('failed', 'passed', 'failed'), file('failed')],
      }),
    ).toEqual({ passed: 5, failed: 2, skipped: 3 });
  });
});
