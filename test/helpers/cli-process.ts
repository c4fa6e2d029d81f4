import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BuiltCli {
  /** The compiled `cli/main.js`. */
  readonly main: string;
  /** A directory holding a `registry` executable that runs it (prepend it to PATH). */
  readonly binDir: string;
  cleanup(): void;
}

/**
 * Compiles src/ once (as `npm run build` does) into its own directory under
 * test/artifacts/, so test files never race each other or a developer over dist/. It sits
 * inside the repository so the compiled code resolves node_modules like dist/ does.
 */
export function buildCli(): BuiltCli {
  const artifacts = join(ROOT, 'test', 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(artifacts, 'cli-build-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(dir, 'out'),
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const main = join(dir, 'out', 'cli', 'main.js');
  // tsc emits even with type errors elsewhere in a working tree; only a missing entry point is fatal here.
  if (!existsSync(main)) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'registry'), `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
  chmodSync(join(binDir, 'registry'), 0o755);
  return { main, binDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ProcResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion (async: a server in this process keeps answering). */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `registry <args>` from the build. */
export function registry(
  cli: BuiltCli,
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
) {
  return run(process.execPath, [cli.main, ...args], opts);
}

/** Runs a bash script with `set -euo pipefail` and the built `registry` first on PATH; stderr merged into stdout. */
export function bash(
  cli: BuiltCli,
  script: string,
  opts: { cwd: string; env?: Record<string, string | undefined> },
) {
  return run('bash', ['-c', `set -euo pipefail\nexec 2>&1\n${script}`], {
    ...opts,
    env: { ...opts.env, PATH: `${cli.binDir}:${process.env.PATH ?? ''}` },
    timeoutMs: 120_000,
  });
}

export interface DevProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed on stdout so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `registry dev` in `cwd` and resolves once its stdout contains `until`. */
export function startDev(
  cli: BuiltCli,
  cwd: string,
  args: readonly string[],
  until: RegExp,
  env: Record<string, string | undefined> = {},
): Promise<DevProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.main, 'dev', ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    let started = false;
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const dev: DevProcess = {
      child,
      stdout: () => out,
      stderr: () => err,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`registry dev did not start: ${out}${err}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!started && until.test(out)) {
        started = true;
        clearTimeout(timer);
        resolve(dev);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    void exited.then((code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`registry dev exited ${code}: ${out}${err}`));
      }
    });
  });
}

export function tempCwd(prefix = 'registry-cli-e2e-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(ROOT, 'test', 'artifacts', prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
