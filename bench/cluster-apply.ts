/**
 * The apply half of bench/cluster.ts: durable applies at the engine level (Registry.propose
 * and Registry.apply called directly, as bench/apply.ts does), every registry instance in a
 * child process of its own (bench/cluster-instance.ts), in three modes:
 * - embedded: `level`, fsync per group-committed batch;
 * - cluster R1: one instance, `openCluster` against one nats-server (stream and bucket R1);
 * - cluster R3 ×2: two instances against a 3-node JetStream cluster (replicas 3), A connected
 *   to node 1 and B to node 2; proposals go into the shared bucket through A, applies are
 *   split between A and B (even / odd), each half with half of the concurrency.
 * Plus cluster mode's bare baseline, in this process: `NatsLog.publish` alone (one JetStream
 * publish of ~700 B with headers, msg-id and a per-subject compare-and-set, to a fresh
 * subject), at the same concurrency and one at a time.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { NatsLog } from '../src/store/nats/index.js';
import { NOW } from '../test/helpers/fixtures.js';
import { type Instance, type InstanceSpec, startInstance, thenClose } from './cluster-child.js';
import { percentile, STORED_BYTES } from './descriptors.js';
import { machineBusySeconds, processCpuSeconds } from './wrk.js';

const DAY = 24 * 60 * 60 * 1000;

export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function latency(xs: readonly number[]): Latency {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

export interface ModeRun {
  /** Applies acknowledged per second, all instances together. */
  readonly rate: number;
  /** CPU of the instance processes during the throughput run, in cores (all together). */
  readonly instanceCores: number;
  /** CPU of the mode's nats-server processes during the throughput run, in cores. */
  readonly natsCores: number;
  /** Busy CPU of the whole machine during the throughput run, in cores. */
  readonly machineCores: number;
  readonly paced: Latency;
}

/** The pids of the nats-servers whose config lives under `dir` (the fixture's temp dir), from /proc. */
export function natsPids(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('nats-server') && argv.some((a) => a.startsWith(`${dir}/`)))
        pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const cpuOf = (pids: readonly number[]) => pids.reduce((a, pid) => a + processCpuSeconds(pid), 0);

export interface ApplyParams {
  readonly n: number;
  readonly concurrency: number;
  readonly rate: number;
  readonly pacedCount: number;
  readonly outDir: string;
}

/** Sends each instance its share at once; resolves when all have answered. */
async function split<T>(
  instances: readonly Instance[],
  pids: readonly string[],
  call: (x: Instance, share: string[]) => Promise<T>,
): Promise<T[]> {
  const k = instances.length;
  return Promise.all(
    instances.map((x, j) =>
      call(
        x,
        pids.filter((_, i) => i % k === j),
      ),
    ),
  );
}

/**
 * Opens the mode's instances (one after the other: the first creates the stream and the
 * genesis), proposes N + pacedCount through the first, measures, closes.
 * `profilePath`: the first instance's apply phase runs under the V8 profiler, written there.
 */
export async function runMode(
  label: string,
  specs: readonly InstanceSpec[],
  nats: readonly number[],
  p: ApplyParams,
  profilePath?: string,
): Promise<ModeRun> {
  // Filled as they start: the ones started are closed whatever happens.
  const instances: Instance[] = [];
  return thenClose(
    instances,
    (x) => x.close(),
    async () => {
      for (const [j, spec] of specs.entries()) {
        instances.push(await startInstance(spec, `${p.outDir}${label.replace(/\W+/g, '-')}-${j}.log`));
      }
      const first = instances[0] as Instance;
      const base = first.version;
      const { pids } = await first.call({ cmd: 'propose', tag: 'tput', n: p.n });
      const { pids: pacedPids } = await first.call({ cmd: 'propose', tag: 'paced', n: p.pacedCount });
      if (profilePath !== undefined) await first.call({ cmd: 'profile', on: true, path: profilePath });
      await Promise.all(instances.map((x) => x.call({ cmd: 'cpu' })));
      const busy0 = machineBusySeconds();
      const nats0 = cpuOf(nats);
      const t0 = performance.now();
      await split(instances, pids, (x, share) =>
        x.call({ cmd: 'apply', pids: share, concurrency: Math.ceil(p.concurrency / instances.length) }),
      );
      const wall = (performance.now() - t0) / 1000;
      const machineCores = (machineBusySeconds() - busy0) / wall;
      const natsCores = (cpuOf(nats) - nats0) / wall;
      const cpu = await Promise.all(instances.map((x) => x.call({ cmd: 'cpu' })));
      if (profilePath !== undefined) await first.call({ cmd: 'profile', on: false, path: profilePath });
      // Every instance materializes every apply (its own and the others'): all views converge.
      await checkVersions(instances, base + p.n);
      const lat = await split(instances, pacedPids, (x, share) =>
        x.call({ cmd: 'paced', pids: share, rate: p.rate / instances.length }),
      );
      await checkVersions(instances, base + p.n + p.pacedCount);
      return {
        rate: p.n / wall,
        instanceCores: cpu.reduce((a, c) => a + c.cores, 0),
        natsCores,
        machineCores,
        paced: latency(lat.flatMap((x) => x.latencies)),
      };
    },
  );
}

async function checkVersions(instances: readonly Instance[], version: number): Promise<void> {
  for (const x of instances) {
    const got = (await x.call({ cmd: 'wait', version })).version;
    if (got !== version) throw new Error(`instance ${x.pid} at version ${got}, expected ${version}`);
  }
}

export interface RawRun {
  readonly rate: number;
  readonly sequential: number;
  readonly paced: Latency;
}

/**
 * The bare baseline of cluster mode: NatsLog.publish of ~700 B to fresh subjects (expected
 * last subject sequence 0), n at `concurrency`, then one at a time for `seqMs`, then paced.
 */
export async function rawPublish(
  servers: readonly string[],
  stream: string,
  replicas: number,
  p: ApplyParams & { readonly seqMs: number },
): Promise<RawRun> {
  const log = await NatsLog.open({ servers, stream, replicas, proposalTtlMs: DAY, name: `bench ${stream}` });
  const bytes = new Uint8Array(STORED_BYTES).fill(0x61);
  let id = 0;
  const publish = async () => {
    const i = id++;
    const out = await log.publish(
      { id: `raw-${i}`, bytes, digest: randomBytes(32).toString('hex'), appliedBy: 'bench', ts: NOW },
      0,
    );
    if (out === 'conflict') throw new Error(`raw publish ${i}: conflict`);
  };
  try {
    let t0 = performance.now();
    await Promise.all(
      Array.from({ length: p.concurrency }, async (_, w) => {
        for (let i = w; i < p.n; i += p.concurrency) await publish();
      }),
    );
    const rate = p.n / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    let count = 0;
    while (performance.now() - t0 < p.seqMs) {
      await publish();
      count++;
    }
    const sequential = count / ((performance.now() - t0) / 1000);
    const latencies: number[] = [];
    const calls: Array<Promise<unknown>> = [];
    const start = performance.now();
    for (let i = 0; i < p.pacedCount; i++) {
      const wait = start + (i * 1000) / p.rate - performance.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      const call = publish().then(() => latencies.push(performance.now() - t));
      call.catch(() => undefined); // rejected again by Promise.all below
      calls.push(call);
    }
    await Promise.all(calls);
    return { rate, sequential, paced: latency(latencies) };
  } finally {
    await log.close();
  }
}
