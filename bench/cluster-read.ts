/**
 * The read half of bench/cluster.ts: head reads per instance, full middleware, wrk with
 * bench/read.lua (random ids), as bench/read.ts measures them, on three servers holding the
 * same descriptors:
 * - embedded: bench/read-server.ts `registry` (the real `serve()` on a `level` store);
 * - cluster: bench/cluster-server.ts (the real `serve()`, REGISTRY_BACKEND=nats, connected to
 *   the 3-node cluster, its empty REGISTRY_DB materialized from the stream at start);
 * - bare: bench/read-server.ts `bare` (`node:http` + a Map of the same bytes), the reference.
 * Both registries answer from their local view; rounds rotate which server goes first.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { openCluster, Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { NatsLog } from '../src/store/nats/index.js';
import { KEYS, NOW } from '../test/helpers/fixtures.js';
import { startClusterServer, thenClose } from './cluster-child.js';
import { clusterDescriptors } from './cluster-descriptors.js';
import type { ServerStats } from './read-server.js';
import { type ServerHandle, startServer } from './read-servers.js';
import { machineBusySeconds, runWrk, type WrkResult } from './wrk.js';

const GENESIS_1 = { signers: [KEYS[0].signerId], threshold: 1 };
const DAY = 24 * 60 * 60 * 1000;

export type ReadServer = 'embedded' | 'cluster' | 'bare';

export interface ReadRun {
  readonly wrk: WrkResult;
  readonly server: ServerStats;
  /** CPU of every other process on the machine during the run, in cores. */
  readonly otherCores: number;
}

export interface ReadParams {
  readonly descriptors: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly outDir: string;
}

/**
 * Proposes every descriptor, then applies them all (threshold 1, one signature each); untimed
 * set-up. Two phases: an apply right after its propose can miss the proposal in an R3 bucket
 * (a stale read, reported in the notes of bench/cluster.ts).
 */
async function fill(registry: Registry, n: number): Promise<void> {
  const descs = clusterDescriptors(n, 'read', [KEYS[0]]);
  const pids: string[] = new Array(n);
  const inParallel = async (op: (i: number) => Promise<void>) => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) await op(i);
    };
    await Promise.all(Array.from({ length: 128 }, worker));
  };
  await inParallel(async (i) => {
    pids[i] = (await registry.propose(descs[i])).proposal_id;
  });
  await inParallel(async (i) => {
    await registry.apply(pids[i] as string, 'bench');
  });
  if (registry.version !== n + 1) throw new Error(`filled to version ${registry.version}, expected ${n + 1}`);
}

/** The embedded store (for the embedded and bare servers) and the stream, with the same descriptors. */
async function build(p: ReadParams, nats: { servers: readonly string[]; stream: string }): Promise<void> {
  const emb = await Registry.open(await openLevelStore(`${p.outDir}embedded-db`), {
    genesis: GENESIS_1,
    now: () => NOW,
  });
  try {
    await fill(emb, p.descriptors);
  } finally {
    await emb.close();
  }
  const log = await NatsLog.open({
    servers: nats.servers,
    stream: nats.stream,
    replicas: 3,
    proposalTtlMs: DAY,
    name: 'bench cluster read fill',
  });
  try {
    const c = await openCluster(await openLevelStore(`${p.outDir}fill-db`), log, {
      genesis: GENESIS_1,
      now: () => NOW,
    });
    try {
      await fill(c.registry, p.descriptors);
    } finally {
      await c.close();
    }
  } finally {
    await log.close();
  }
}

async function wrkRun(wrk: string, s: ServerHandle, ids: string, p: ReadParams, seconds: number) {
  await s.stats();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const r = await runWrk(wrk, {
    url: s.url,
    idsFile: ids,
    threads: 1,
    connections: p.connections,
    seconds,
  });
  const wall = (performance.now() - t0) / 1000;
  const busy = (machineBusySeconds() - busy0) / wall;
  const server = await s.stats();
  if (r.non2xx > 0 || !(r.requests > 0) || r.socketErrors !== undefined) {
    throw new Error(
      `wrk against ${s.url}: ${r.non2xx} non-2xx, socket errors ${r.socketErrors}\n${r.output}`,
    );
  }
  return { wrk: r, server, otherCores: Math.max(0, busy - server.cores - r.cores) };
}

/** The three servers answer one id (the middle one) with the same bytes and ETag. */
async function sameAnswer(all: Record<ReadServer, ServerHandle>, ids: string): Promise<void> {
  const list = readFileSync(ids, 'utf8').split('\n');
  const id = list[list.length >> 1] ?? '';
  const answers = await Promise.all(
    Object.values(all).map(async (s) => {
      const res = await fetch(`${s.url}/v1/registry/descriptors/${id}`);
      return {
        status: res.status,
        etag: res.headers.get('etag'),
        body: Buffer.from(await res.arrayBuffer()),
      };
    }),
  );
  const [a] = answers;
  if (
    a === undefined ||
    answers.some((x) => x.status !== 200 || x.etag !== a.etag || !x.body.equals(a.body))
  ) {
    throw new Error(
      `the servers do not answer ${id} alike: ${answers.map((x) => `${x.status} ${x.etag}`).join(', ')}`,
    );
  }
}

export async function readRounds(
  wrk: string,
  p: ReadParams,
  nats: { servers: readonly string[]; stream: string },
): Promise<{ runs: Record<ReadServer, ReadRun[]>; items: Record<ReadServer, number> }> {
  rmSync(p.outDir, { recursive: true, force: true });
  mkdirSync(p.outDir, { recursive: true });
  await build(p, nats);
  const ids = `${p.outDir}ids.txt`;
  const servers: Partial<Record<ReadServer, ServerHandle>> = {};
  const started: ServerHandle[] = [];
  const start = async (k: ReadServer, s: Promise<ServerHandle>) => {
    const h = await s;
    servers[k] = h;
    started.push(h);
  };
  return thenClose(
    started,
    (s) => s.stop(),
    async () => {
      // The bare server loads the heads (then closes the store) and writes the ids before the
      // embedded registry opens the same store.
      await start(
        'bare',
        startServer('bare', [`${p.outDir}embedded-db`, ids], {
          stdoutFile: `${p.outDir}bare.log`,
        }),
      );
      await start(
        'embedded',
        startServer('registry', [`${p.outDir}embedded-db`], {
          stdoutFile: `${p.outDir}embedded.log`,
        }),
      );
      await start(
        'cluster',
        startClusterServer(
          { db: `${p.outDir}cluster-db`, natsUrl: nats.servers.join(','), stream: nats.stream, replicas: 3 },
          { stdoutFile: `${p.outDir}cluster.log` },
        ),
      );
      const all = servers as Record<ReadServer, ServerHandle>;
      await sameAnswer(all, ids);
      const order: ReadServer[] = ['embedded', 'cluster', 'bare'];
      for (const k of order) await wrkRun(wrk, all[k], ids, p, p.warmupSeconds);
      const runs: Record<ReadServer, ReadRun[]> = { embedded: [], cluster: [], bare: [] };
      for (let r = 0; r < p.rounds; r++) {
        for (let j = 0; j < order.length; j++) {
          const k = order[(r + j) % order.length] as ReadServer;
          runs[k].push(await wrkRun(wrk, all[k], ids, p, p.seconds));
        }
        const f = (k: ReadServer) => runs[k][r]?.wrk.rps.toFixed(0);
        console.log(
          `   read round ${r + 1}: embedded ${f('embedded')}/s, cluster ${f('cluster')}/s, bare ${f('bare')}/s; ` +
            `other processes ${runs.cluster[r]?.otherCores.toFixed(2)} cores (cluster run)`,
        );
      }
      return {
        runs,
        items: { embedded: all.embedded.items, cluster: all.cluster.items, bare: all.bare.items },
      };
    },
  );
}
