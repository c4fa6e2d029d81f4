/**
 * Child processes of bench/cluster.ts (`node --import tsx <script>`), each a registry of its
 * own as in a deployment, driven over IPC:
 * - `startInstance`: bench/cluster-instance.ts, one engine called directly (request/answer);
 * - `startClusterServer`: bench/cluster-server.ts, the real `serve()` in cluster mode, with
 *   the protocol of bench/read-server.ts (ready message, `stats`, `stop`), so bench/read.ts's
 *   `ServerHandle` drives it like the embedded and bare servers.
 * A child that is still running when this process exits is killed (no child outlives the bench).
 */
import { spawnChild } from './ipc-child.js';
import type { ServerReady, ServerStats } from './read-server.js';
import type { ServerHandle } from './read-servers.js';

/**
 * Runs `body`, then `close` on every item (all of them, even when one fails); the first
 * failure of the body, else of a close, is thrown.
 */
export async function thenClose<T, X>(
  items: readonly X[],
  close: (x: X) => Promise<void>,
  body: () => Promise<T>,
): Promise<T> {
  const closeAll = async () => {
    const closed = await Promise.allSettled(items.map(close));
    const failed = closed.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  let out: T;
  try {
    out = await body();
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
  await closeAll();
  return out;
}

/** What bench/cluster-instance.ts opens: the embedded engine, or a cluster-mode instance. */
export type InstanceSpec =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'cluster';
      readonly servers: readonly string[];
      readonly stream: string;
      readonly replicas: number;
      /** Propose bench/descriptors.ts's ids as they are (`name@region`) instead of with `.`. */
      readonly atIds?: boolean;
    };

export type InstanceRequest =
  | { readonly cmd: 'propose'; readonly tag: string; readonly n: number }
  | { readonly cmd: 'apply'; readonly pids: readonly string[]; readonly concurrency: number }
  | { readonly cmd: 'paced'; readonly pids: readonly string[]; readonly rate: number }
  | { readonly cmd: 'wait'; readonly version: number }
  | { readonly cmd: 'profile'; readonly on: boolean; readonly path: string }
  | { readonly cmd: 'cpu' }
  | { readonly cmd: 'close' };

export interface InstanceAnswers {
  propose: { readonly pids: string[] };
  apply: { readonly ms: number };
  /** Each call's latency, ms, in issue order. */
  paced: { readonly latencies: number[] };
  wait: { readonly version: number };
  profile: Record<string, never>;
  /** CPU this process used since the previous `cpu` (or start), in cores. */
  cpu: { readonly cores: number };
  close: Record<string, never>;
}

export interface Instance {
  readonly pid: number;
  readonly version: number;
  call<C extends InstanceRequest['cmd']>(
    req: Extract<InstanceRequest, { cmd: C }>,
  ): Promise<InstanceAnswers[C]>;
  /** `close`, then waits for the exit. */
  close(): Promise<void>;
}

type Answer = { readonly ok: unknown } | { readonly err: string };

export async function startInstance(spec: InstanceSpec, stdoutFile: string): Promise<Instance> {
  const c = spawnChild('cluster-instance.ts', [JSON.stringify(spec)], stdoutFile, []);
  const ready = await c.next<Answer>();
  if ('err' in ready) throw new Error(`instance ${spec.kind}: ${ready.err}`);
  let queue: Promise<unknown> = Promise.resolve();
  const call = <T>(req: InstanceRequest): Promise<T> => {
    // One request at a time per child: answers come back in order.
    const p = queue.then(async () => {
      c.send(req);
      const a = await c.next<Answer>();
      if ('err' in a) throw new Error(`instance ${spec.kind} ${req.cmd}: ${a.err}`);
      return a.ok as T;
    });
    queue = p.catch(() => undefined);
    return p;
  };
  return {
    pid: c.pid,
    version: (ready.ok as { version: number }).version,
    call: (req) => call(req),
    async close() {
      await call({ cmd: 'close' });
      const code = await c.exited;
      if (code !== 0) throw new Error(`instance ${spec.kind} exited with ${code}`);
    },
  };
}

/** bench/cluster-server.ts: `serve()` with REGISTRY_BACKEND=nats on an empty `db`. */
export async function startClusterServer(
  args: { db: string; natsUrl: string; stream: string; replicas: number },
  opts: { stdoutFile: string; nodeArgs?: readonly string[] },
): Promise<ServerHandle> {
  const c = spawnChild(
    'cluster-server.ts',
    [args.db, args.natsUrl, args.stream, String(args.replicas)],
    opts.stdoutFile,
    opts.nodeArgs ?? [],
  );
  const ready = await c.next<ServerReady>();
  return {
    ...ready,
    stats: () => {
      c.send('stats');
      return c.next<ServerStats>();
    },
    stop: async () => {
      c.send('stop');
      const code = await c.exited;
      if (code !== 0) throw new Error(`cluster-server stopped with ${code}`);
    },
  };
}
