/** Spawns and drives bench/read-server.ts children over IPC (for bench/read.ts). */
import { spawnChild } from './ipc-child.js';
import type { ServerReady, ServerStats } from './read-server.js';

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
  const child = spawnChild('read-server.ts', [mode, ...args], opts.stdoutFile, opts.nodeArgs ?? []);
  const { next, exited } = child;
  const ready = await next<ServerReady>();
  return {
    ...ready,
    stats: () => {
      child.send('stats');
      return next<ServerStats>();
    },
    stop: async () => {
      child.send('stop');
      const code = await exited;
      if (code !== 0) throw new Error(`read-server ${mode} stopped with ${code}`);
    },
  };
}
