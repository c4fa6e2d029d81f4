/** Spawns and drives bench/read-server.ts children over IPC (for bench/read.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServerReady, ServerStats } from './read-server.js';

const CHILD = fileURLToPath(new URL('read-server.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ServerHandle extends ServerReady {
  /** CPU and event-loop delay since the previous call (the first call starts the window). */
  stats(): Promise<ServerStats>;
  /** Clean stop (SIGTERM path of `serve`), waits for the exit. */
  stop(): Promise<void>;
}

export async function startServer(
  mode: 'registry' | 'bare',
  args: readonly string[],
  opts: { stdoutFile: string; nodeArgs?: readonly string[] },
): Promise<ServerHandle> {
  const out = openSync(opts.stdoutFile, 'w');
  const p: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', TSX, CHILD, mode, ...args],
    { stdio: ['ignore', out, 'inherit', 'ipc'] },
  );
  closeSync(out);
  const inbox: unknown[] = [];
  const waiting: Array<(m: unknown) => void> = [];
  p.on('message', (m) => {
    const w = waiting.shift();
    if (w === undefined) inbox.push(m);
    else w(m);
  });
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  const next = <T>(): Promise<T> => {
    const m = inbox.shift();
    if (m !== undefined) return Promise.resolve(m as T);
    return Promise.race([
      new Promise<T>((resolve) => waiting.push((x) => resolve(x as T))),
      exited.then((code): T => {
        throw new Error(`read-server ${mode} exited with ${code}`);
      }),
    ]);
  };
  const ready = await next<ServerReady>();
  return {
    ...ready,
    stats: () => {
      p.send('stats');
      return next<ServerStats>();
    },
    stop: async () => {
      p.send('stop');
      const code = await exited;
      if (code !== 0) throw new Error(`read-server ${mode} stopped with ${code}`);
    },
  };
}
