/**
 * Child process of bench/cluster-apply.ts: one registry engine in a process of its own (as
 * in a deployment), called directly (Registry.propose, Registry.apply, as bench/apply.ts
 * does), driven over IPC by bench/cluster-child.ts.
 *
 * argv[2] is an `InstanceSpec`:
 * - `embedded`: `level` in a temp dir, threshold-3 genesis, fsync per group-committed batch;
 * - `cluster`: `openCluster` on an empty `level` view (fsync too) and its own NATS connection.
 * Answers `{ ok: { version } }` once open, then one `{ ok }` or `{ err }` per request.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openCluster, Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { NatsLog } from '../src/store/nats/index.js';
import { KEYS, NOW, tempDir } from '../test/helpers/fixtures.js';
import type { InstanceAnswers, InstanceRequest, InstanceSpec } from './cluster-child.js';
import { clusterDescriptors } from './cluster-descriptors.js';
import { benchDescriptor, THRESHOLD_3 } from './descriptors.js';

const DAY = 24 * 60 * 60 * 1000;
const PROPOSE_CONCURRENCY = 256;
const SIGNERS = KEYS.slice(0, 3);

async function open(spec: InstanceSpec): Promise<{ registry: Registry; close: () => Promise<void> }> {
  const dir = tempDir('registry-bench-cluster-');
  const store = await openLevelStore(`${dir.path}/db`);
  if (spec.kind === 'embedded') {
    const registry = await Registry.open(store, { genesis: THRESHOLD_3, now: () => NOW });
    return {
      registry,
      async close() {
        await registry.close();
        dir.cleanup();
      },
    };
  }
  const log = await NatsLog.open({
    servers: spec.servers,
    stream: spec.stream,
    replicas: spec.replicas,
    proposalTtlMs: DAY,
    name: `bench ${spec.stream} ${process.pid}`,
  });
  const cluster = await openCluster(store, log, { genesis: THRESHOLD_3, proposalTtlMs: DAY, now: () => NOW });
  return {
    registry: cluster.registry,
    async close() {
      await cluster.close();
      await log.close();
      dir.cleanup();
    },
  };
}

/** Runs `op(0..n-1)` with `concurrency` calls in flight (closed loop). */
async function closedLoop(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await op(i);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `op(i)` `count` times at `rate` per second (open loop, setTimeout schedule); each call's ms. */
async function paced(rate: number, count: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = new Array(count);
  const calls: Array<Promise<unknown>> = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    const t = performance.now();
    const call = op(i).then(() => {
      latencies[i] = performance.now() - t;
    });
    // Handled now, rejected again by Promise.all below: a failed apply is an answer, not a crash.
    call.catch(() => undefined);
    calls.push(call);
  }
  await Promise.all(calls);
  return latencies;
}

async function waitVersion(r: Registry, version: number): Promise<number> {
  const deadline = performance.now() + 60_000;
  while (r.version < version && performance.now() < deadline) await sleep(5);
  return r.version;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as InstanceSpec;
let opened: Awaited<ReturnType<typeof open>>;
try {
  opened = await open(spec);
} catch (err) {
  process.send?.({ err: (err as Error).stack ?? String(err) });
  process.exit(1);
}
const { registry } = opened;
let session: Session | undefined;
let cpu = process.cpuUsage();
let since = performance.now();

async function handle(req: InstanceRequest): Promise<InstanceAnswers[InstanceRequest['cmd']]> {
  switch (req.cmd) {
    case 'propose': {
      const descs =
        spec.kind === 'cluster' && spec.atIds === true
          ? Array.from({ length: req.n }, (_, i) => {
              const d = benchDescriptor(i, req.tag, SIGNERS);
              return { descriptor: d.payload, signatures: d.signatures };
            })
          : clusterDescriptors(req.n, req.tag, SIGNERS);
      const pids: string[] = new Array(descs.length);
      await closedLoop(descs.length, PROPOSE_CONCURRENCY, async (i) => {
        const s = await registry.propose(descs[i]);
        if (s.status !== 'ready') throw new Error(`proposal ${i} is ${s.status}`);
        pids[i] = s.proposal_id;
      });
      return { pids };
    }
    case 'apply': {
      const t0 = performance.now();
      await closedLoop(req.pids.length, req.concurrency, (i) =>
        registry.apply(req.pids[i] as string, 'bench'),
      );
      return { ms: performance.now() - t0 };
    }
    case 'paced':
      return {
        latencies: await paced(req.rate, req.pids.length, (i) =>
          registry.apply(req.pids[i] as string, 'bench'),
        ),
      };
    case 'wait':
      return { version: await waitVersion(registry, req.version) };
    case 'profile':
      if (req.on) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      } else if (session !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(req.path, JSON.stringify(profile));
        session.disconnect();
        session = undefined;
      }
      return {};
    case 'cpu': {
      const used = process.cpuUsage(cpu);
      const now = performance.now();
      const cores = (used.user + used.system) / 1000 / (now - since);
      cpu = process.cpuUsage();
      since = now;
      return { cores };
    }
    case 'close':
      await opened.close();
      return {};
    default:
      throw new Error(`unknown request ${(req satisfies never as { cmd: string }).cmd}`);
  }
}

process.on('message', (m) => {
  const req = m as InstanceRequest;
  handle(req).then(
    (ok) => {
      process.send?.({ ok }, () => {
        if (req.cmd === 'close') process.exit(0);
      });
    },
    (err: unknown) => process.send?.({ err: (err as Error).stack ?? String(err) }),
  );
});
process.send?.({ ok: { version: registry.version } });
