/**
 * The failover drill's processes: registry children that never outlive the drill (SIGKILLed
 * at exit and on a signal; the nats fixture does the same for its servers), a start-up the
 * way a supervisor does it, and the stream leader as the nats nodes report it.
 */
import { readFileSync } from 'node:fs';
import type { NatsCluster, NatsNode } from '../test/fixtures/nats-server.js';
import type { SoakServer } from './soak-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registry children SIGKILLed at exit and on a signal, whatever state the drill is in. */
const children = new Set<SoakServer>();

function killChildren(): void {
  for (const c of children) {
    if (c.pid === undefined) continue;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

let hooked = false;

/** Tracks a registry child until `untrack`. */
export function track(server: SoakServer): void {
  children.add(server);
  if (hooked) return;
  hooked = true;
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killChildren();
      // The nats fixture's 'exit' handler SIGKILLs the nats-servers.
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export function untrack(server: SoakServer): void {
  children.delete(server);
}

export async function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** The stream leader, asked until the nodes agree on one. */
export async function leaderOf(cluster: NatsCluster, stream: string, timeoutMs: number): Promise<NatsNode> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const l = await cluster.streamLeader(stream);
    if (l !== undefined) return l;
    if (performance.now() > deadline) throw new Error(`no leader of stream ${stream} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The last line a child wrote to its log (why it exited). */
function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return (lines.at(-1) ?? '').slice(0, 300);
  } catch {
    return '';
  }
}

/**
 * Starts an instance the way a supervisor does: an exit during start-up is restarted, up
 * to three attempts; every exit is noted (it is a finding: start-up gave up on a transient error).
 */
export async function startSupervised(
  server: SoakServer,
  name: string,
  logFile: string,
  startExits: string[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      return;
    } catch (err) {
      startExits.push(`${name}: ${lastLine(logFile)}`);
      if (attempt >= 3) throw err;
    }
  }
}
