/**
 * The soak's registry: the real CLI (`registry serve`, through tsx) on a fixed port and db, so
 * a restart is what an operator's supervisor does: same address, same data directory. Logs of
 * every incarnation go, appended, to one file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KEYS } from '../test/helpers/fixtures.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** A SIGTERM that has not ended the process by then counts as a hung shutdown (then SIGKILL). */
const TERM_GRACE_MS = 15_000;

/** A port free right now (the kernel picks it); the server binds it on every start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() =>
        typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The settings a drill's registry child runs with: the TEST ONLY signers (threshold 2), the
 * drill's macaroon root key, and no per-token write limit (the writers' pacing is the limit;
 * the limiter would only add 429s). `extra` adds the db and mode settings.
 */
export function drillEnv(rootKey: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    SIGNER_ALLOWLIST: KEYS.slice(0, 3)
      .map((k) => k.signerId)
      .join(','),
    SIG_THRESHOLD: '2',
    MACAROON_ROOT_KEY: rootKey,
    LOG_LEVEL: 'info',
    WRITE_RATE: '100000',
    ...extra,
  };
}

export interface StopOutcome {
  readonly signal: 'SIGTERM' | 'SIGKILL';
  /** SIGTERM: exited 0 within the grace period (SPEC §8 clean shutdown). SIGKILL: true. */
  readonly clean: boolean;
}

export class SoakServer {
  readonly url: string;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);
  readonly #env: Readonly<Record<string, string>>;
  readonly #log: string;

  constructor(port: number, env: Readonly<Record<string, string>>, logFile: string) {
    this.url = `http://127.0.0.1:${port}`;
    this.#env = { ...env, BIND: `127.0.0.1:${port}` };
    this.#log = logFile;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the server and resolves once /readyz answers 200 (store open, snapshot loaded). */
  async start(): Promise<void> {
    const out = openSync(this.#log, 'a');
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve'], {
      stdio: ['ignore', out, out],
      env: { ...process.env, ...this.#env },
    });
    closeSync(out);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    let gone = false;
    void this.#exited.then(() => {
      gone = true;
    });
    for (;;) {
      if (gone) throw new Error(`registry exited during start-up; see ${this.#log}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<StopOutcome> {
    const child = this.#child;
    if (child === undefined) return { signal, clean: true };
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      this.#exited,
      new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => resolve('hung'), TERM_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (code === 'hung') {
      child.kill('SIGKILL');
      await this.#exited;
    }
    this.#child = undefined;
    return { signal, clean: signal === 'SIGKILL' || code === 0 };
  }
}
