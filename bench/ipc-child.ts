/**
 * A bench child process (`node --import tsx <script>`) driven over IPC: `next` takes its
 * messages in order (or fails once it has exited), `send` talks to it. A child still
 * running when this process exits is killed, so none outlives a bench.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface Child {
  readonly pid: number;
  next<T>(): Promise<T>;
  send(m: unknown): void;
  readonly exited: Promise<number | null>;
}

export function spawnChild(
  script: string,
  args: readonly string[],
  stdoutFile: string,
  nodeArgs: readonly string[],
): Child {
  const out = openSync(stdoutFile, 'w');
  const p = spawn(
    process.execPath,
    [...nodeArgs, '--import', TSX, fileURLToPath(new URL(script, import.meta.url)), ...args],
    { stdio: ['ignore', out, 'inherit', 'ipc'] },
  );
  closeSync(out);
  live.add(p);
  const inbox: unknown[] = [];
  const waiting: Array<(m: unknown) => void> = [];
  p.on('message', (m) => {
    const w = waiting.shift();
    if (w === undefined) inbox.push(m);
    else w(m);
  });
  const exited = new Promise<number | null>((resolve) =>
    p.on('exit', (code) => {
      live.delete(p);
      resolve(code);
    }),
  );
  return {
    pid: p.pid ?? -1,
    exited,
    send: (m) => p.send(m as object),
    next: <T>() => {
      const m = inbox.shift();
      if (m !== undefined) return Promise.resolve(m as T);
      return Promise.race([
        new Promise<T>((resolve) => waiting.push((x) => resolve(x as T))),
        exited.then((code): T => {
          throw new Error(`${script} exited with ${code}`);
        }),
      ]);
    },
  };
}
