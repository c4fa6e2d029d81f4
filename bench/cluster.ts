/**
 * Cluster mode (REGISTRY_BACKEND=nats) next to the embedded LevelDB mode, in one run:
 * - durable applies (threshold 3, pre-collected signatures) at the engine level, each
 *   registry instance in a process of its own (bench/cluster-apply.ts): embedded (fsync),
 *   cluster against one nats-server (R1), and two cluster instances against a 3-node
 *   JetStream cluster (replicas 3) with applies split between them; throughput at a fixed
 *   concurrency, p50/p95 at a fixed moderate rate; the bare baseline is one JetStream publish
 *   (NatsLog.publish) at the same concurrency, one at a time, and at the same rate;
 * - head reads per instance with wrk (bench/cluster-read.ts): a cluster instance, an embedded
 *   instance with the same descriptors, and bare node:http as the reference.
 * nats-servers come from test/fixtures/nats-server.ts (free loopback ports, temp dirs) and
 * are stopped before this returns; no child process outlives the run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  findNatsServer,
  type NatsCluster,
  type NatsServer,
  startNats,
  startNatsCluster,
} from '../test/fixtures/nats-server.js';
import type { BenchMetric, BenchResult, BenchSkipped } from './bench.types.js';
import {
  type ApplyParams,
  type ModeRun,
  natsPids,
  type RawRun,
  rawPublish,
  runMode,
} from './cluster-apply.js';
import type { InstanceSpec } from './cluster-child.js';
import { type ReadParams, readRounds } from './cluster-read.js';
import { summarizeProfile } from './cpu-profile.js';
import { median, ratioOfRounds } from './measure.js';
import { findWrk } from './wrk.js';

const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 5);
const N = Number(process.env.BENCH_CLUSTER_N ?? 10_000);
const CONCURRENCY = 256;
const RATE = 200;
const PACED_COUNT = Number(process.env.BENCH_CLUSTER_PACED ?? 1_000);
const SEQ_MS = 2_000;
const READ_DESCRIPTORS = Number(process.env.BENCH_CLUSTER_READ_N ?? 10_000);
const READ_ROUNDS = Number(process.env.BENCH_CLUSTER_READ_ROUNDS ?? 5);
const READ_SECONDS = Number(process.env.BENCH_CLUSTER_READ_SECONDS ?? 10);
/** Applies of the one R3 ×2 run with bench/descriptors.ts's `name@region` ids. */
const AT_N = 1_000;
/** Profile the R1 instance once when it applies less than this share of the raw publish rate. */
const PROFILE_BELOW = 0.5;

const OUT = fileURLToPath(new URL('out/cluster/', import.meta.url));
const PROFILE = `${OUT}r1-apply.cpuprofile`;

type Mode = 'embedded' | 'r1' | 'r3x1' | 'r3';
const MODES: readonly Mode[] = ['embedded', 'r1', 'r3x1', 'r3'];
const CLUSTER_MODES = ['r1', 'r3x1', 'r3'] as const;

function specs(mode: Mode, r: number | string, single: NatsServer, cluster: NatsCluster): InstanceSpec[] {
  switch (mode) {
    case 'embedded':
      return [{ kind: 'embedded' }];
    case 'r1':
      return [{ kind: 'cluster', servers: [single.url], stream: `apply-r1-${r}`, replicas: 1 }];
    case 'r3x1':
      return [
        { kind: 'cluster', servers: [cluster.nodes[0]?.url ?? ''], stream: `apply-r3x1-${r}`, replicas: 3 },
      ];
    case 'r3':
      // Instance A on node 1, B on node 2: each talks to its own server, as two hosts would.
      return [0, 1].map((k) => ({
        kind: 'cluster' as const,
        servers: [cluster.nodes[k]?.url ?? ''],
        stream: `apply-r3-${r}`,
        replicas: 3,
      }));
    default:
      throw new Error(`unknown mode ${mode satisfies never}`);
  }
}

interface ApplyRound {
  readonly modes: Record<Mode, ModeRun>;
  readonly raw1: RawRun;
  readonly raw3: RawRun;
}

async function applyRounds(single: NatsServer, cluster: NatsCluster, p: ApplyParams): Promise<ApplyRound[]> {
  const rounds: ApplyRound[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const modes: Partial<Record<Mode, ModeRun>> = {};
    for (let j = 0; j < MODES.length; j++) {
      const mode = MODES[(r + j) % MODES.length] as Mode;
      const nats = mode === 'embedded' ? [] : natsPids(mode === 'r1' ? single.dir : cluster.dir);
      modes[mode] = await runMode(`${mode}-${r}`, specs(mode, r, single, cluster), nats, p);
    }
    const raw1 = await rawPublish([single.url], `raw-r1-${r}`, 1, { ...p, seqMs: SEQ_MS });
    const raw3 = await rawPublish([cluster.nodes[0]?.url ?? ''], `raw-r3-${r}`, 3, { ...p, seqMs: SEQ_MS });
    const m = modes as Record<Mode, ModeRun>;
    const f = (x: number) => x.toFixed(0);
    const ms = (x: number) => x.toFixed(2);
    console.log(
      `   apply round ${r + 1}: embedded ${f(m.embedded.rate)}/s, R1 ${f(m.r1.rate)}/s, R3×1 ${f(m.r3x1.rate)}/s, R3×2 ${f(m.r3.rate)}/s; ` +
        `raw publish R1 ${f(raw1.rate)}/s (seq ${f(raw1.sequential)}), R3 ${f(raw3.rate)}/s (seq ${f(raw3.sequential)}); ` +
        `p95 at ${RATE}/s: ${ms(m.embedded.paced.p95)} / ${ms(m.r1.paced.p95)} / ${ms(m.r3x1.paced.p95)} / ${ms(m.r3.paced.p95)} ms`,
    );
    rounds.push({ modes: m, raw1, raw3 });
  }
  return rounds;
}

/** One more R1 run with the instance's apply phase under the V8 profiler: where the time goes. */
async function profileNotes(single: NatsServer, p: ApplyParams): Promise<string[]> {
  const run = await runMode(
    'r1-profile',
    [{ kind: 'cluster', servers: [single.url], stream: 'apply-r1-profile', replicas: 1 }],
    natsPids(single.dir),
    p,
    PROFILE,
  );
  const s = summarizeProfile(PROFILE, 80);
  const share = (xs: ReadonlyArray<readonly [string, number]>, re: RegExp) =>
    (100 * xs.filter(([l]) => re.test(l)).reduce((a, [, t]) => a + t, 0)) / s.totalMs;
  const pct = (xs: ReadonlyArray<readonly [string, number]>) =>
    xs.map(([l, t]) => `${l} ${((100 * t) / s.totalMs).toFixed(1)} %`).join('; ');
  const verify = share(s.inclusive, /^verifySignatures /);
  const errors = share(s.self, /^(RequestError|TimeoutError) \(node_modules\/@nats-io/);
  const gc = share(s.self, /^\(garbage collector\)/);
  return [
    `CPU profile of the R1 instance's apply phase (the V8 profiler through node:inspector, as \`node --cpu-prof\` but only around the applies; ` +
      `${run.rate.toFixed(0)} applies/s under the profiler, instance at ${run.instanceCores.toFixed(2)} cores, its nats-server at ${run.natsCores.toFixed(2)}; bench/out/cluster/r1-apply.cpuprofile). ` +
      `Where the instance's CPU goes: ${verify.toFixed(0)} % in the ed25519 checks of every signature of every stream message it materializes ` +
      `(verifySignatures; "run" is node:crypto's one-shot verify), ${errors.toFixed(0)} % in nats.js making a RequestError and a TimeoutError ` +
      `(each with a stack trace) for every request, before any answer, ${gc.toFixed(0)} % in GC.`,
    `Profile, self time: ${pct(s.self.slice(0, 10))}.`,
    `Profile, inclusive time: ${pct(s.inclusive.slice(0, 14))}.`,
  ];
}

export async function clusterBench(): Promise<BenchResult | BenchSkipped> {
  const wrk = findWrk();
  if (findNatsServer() === undefined || wrk === undefined) {
    return {
      name: 'cluster',
      skipped:
        'nats-server or wrk is not installed (Debian: apt-get install -y nats-server wrk); nothing measured',
    };
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const p: ApplyParams = { n: N, concurrency: CONCURRENCY, rate: RATE, pacedCount: PACED_COUNT, outDir: OUT };
  const rp: ReadParams = {
    descriptors: READ_DESCRIPTORS,
    rounds: READ_ROUNDS,
    seconds: READ_SECONDS,
    warmupSeconds: 3,
    connections: 64,
    outDir: `${OUT}read/`,
  };
  const single = await startNats();
  let cluster: NatsCluster | undefined;
  try {
    cluster = await startNatsCluster(3);
    const rounds = await applyRounds(single, cluster, p);
    const at = await runMode(
      'r3-at',
      specs('r3', 'at', single, cluster).map((x) => ({ ...x, atIds: true })),
      natsPids(cluster.dir),
      { ...p, n: AT_N },
    );
    console.log(
      `   R3 ×2 with @ ids: ${at.rate.toFixed(0)}/s, p95 at ${RATE}/s ${at.paced.p95.toFixed(2)} ms, p99 ${at.paced.p99.toFixed(2)} ms`,
    );
    const r1 = median(rounds.map((x) => x.modes.r1.rate));
    const raw1 = median(rounds.map((x) => x.raw1.rate));
    const profile = r1 < PROFILE_BELOW * raw1 ? await profileNotes(single, p) : [];
    const reads = await readRounds(wrk, rp, { servers: cluster.nodes.map((x) => x.url), stream: 'reads' });
    return result(rounds, at, reads, profile);
  } finally {
    await cluster?.stop();
    await single.stop();
  }
}

function result(
  rounds: readonly ApplyRound[],
  at: ModeRun,
  reads: Awaited<ReturnType<typeof readRounds>>,
  profile: readonly string[],
): BenchResult {
  const metric = <T>(label: string, unit: string, xs: readonly T[], pick: (x: T) => number): BenchMetric => {
    const v = xs.map(pick);
    return { label, value: median(v), unit, rounds: v };
  };
  const us = 1000;
  const names: Record<Mode, string> = {
    embedded: 'embedded',
    r1: 'cluster R1',
    r3x1: 'cluster R3 ×1',
    r3: 'cluster R3 ×2',
  };
  const m = (mode: Mode) => rounds.map((x) => x.modes[mode]);
  const { runs } = reads;
  const rps = (k: keyof typeof runs) => runs[k].map((x) => x.wrk.rps);
  const perCpu = (k: keyof typeof runs) => runs[k].map((x) => x.wrk.rps / x.server.cores);
  const metrics = [
    ...MODES.map((k) =>
      metric(`${names[k]} applies, ${CONCURRENCY} in flight`, 'apply/s', m(k), (x) => x.rate),
    ),
    metric(`raw publish R1, ${CONCURRENCY} in flight`, 'publish/s', rounds, (x) => x.raw1.rate),
    metric(`raw publish R3, ${CONCURRENCY} in flight`, 'publish/s', rounds, (x) => x.raw3.rate),
    metric('raw publish R1, one at a time', 'publish/s', rounds, (x) => x.raw1.sequential),
    metric('raw publish R3, one at a time', 'publish/s', rounds, (x) => x.raw3.sequential),
    ...MODES.flatMap((k) => [
      metric(`${names[k]} apply p50 at ${RATE}/s`, 'µs', m(k), (x) => x.paced.p50 * us),
      metric(`${names[k]} apply p95 at ${RATE}/s`, 'µs', m(k), (x) => x.paced.p95 * us),
    ]),
    metric(`cluster R3 ×2 applies, \`@\` ids (one run of ${AT_N})`, 'apply/s', [at], (x) => x.rate),
    metric(`cluster R3 ×2 apply p95 at ${RATE}/s, \`@\` ids`, 'µs', [at], (x) => x.paced.p95 * us),
    metric(`cluster R3 ×2 apply p99 at ${RATE}/s, \`@\` ids`, 'µs', [at], (x) => x.paced.p99 * us),
    metric(`raw publish R1 p50 at ${RATE}/s`, 'µs', rounds, (x) => x.raw1.paced.p50 * us),
    metric(`raw publish R1 p95 at ${RATE}/s`, 'µs', rounds, (x) => x.raw1.paced.p95 * us),
    metric(`raw publish R3 p50 at ${RATE}/s`, 'µs', rounds, (x) => x.raw3.paced.p50 * us),
    metric(`raw publish R3 p95 at ${RATE}/s`, 'µs', rounds, (x) => x.raw3.paced.p95 * us),
    ...MODES.map((k) =>
      metric(`${names[k]} instance CPU during the applies`, '% core', m(k), (x) => x.instanceCores * 100),
    ),
    ...MODES.map((k) =>
      metric(`${names[k]} instance CPU per apply`, 'µs', m(k), (x) => (x.instanceCores / x.rate) * 1e6),
    ),
    ...CLUSTER_MODES.map((k) =>
      metric(`${names[k]} nats-server CPU during the applies`, '% core', m(k), (x) => x.natsCores * 100),
    ),
    ...MODES.map((k) =>
      metric(`machine busy during ${names[k]} applies`, '% core', m(k), (x) => x.machineCores * 100),
    ),
    metric('embedded registry reads, wrk', 'req/s', runs.embedded, (x) => x.wrk.rps),
    metric('cluster registry reads, wrk', 'req/s', runs.cluster, (x) => x.wrk.rps),
    metric('bare node:http + Map, wrk', 'req/s', runs.bare, (x) => x.wrk.rps),
    metric('embedded registry CPU under wrk', '% core', runs.embedded, (x) => x.server.cores * 100),
    metric('cluster registry CPU under wrk', '% core', runs.cluster, (x) => x.server.cores * 100),
    metric('other processes, cluster read runs', '% core', runs.cluster, (x) => x.otherCores * 100),
  ];
  const ratio = (a: readonly number[], b: readonly number[]) => ratioOfRounds(a, b);
  const rate = (k: Mode) => m(k).map((x) => x.rate);
  const p95 = (k: Mode) => m(k).map((x) => x.paced.p95);
  const raw1 = rounds.map((x) => x.raw1.rate);
  const raw3 = rounds.map((x) => x.raw3.rate);
  const ratios = [
    { label: 'cluster R1 / embedded applies/s', value: ratio(rate('r1'), rate('embedded')) },
    { label: 'cluster R3 ×1 / embedded applies/s', value: ratio(rate('r3x1'), rate('embedded')) },
    { label: 'cluster R3 ×2 / embedded applies/s', value: ratio(rate('r3'), rate('embedded')) },
    { label: 'cluster R1 applies / raw publish R1 (same concurrency)', value: ratio(rate('r1'), raw1) },
    { label: 'cluster R3 ×1 applies / raw publish R3 (same concurrency)', value: ratio(rate('r3x1'), raw3) },
    { label: 'cluster R3 ×2 applies / raw publish R3 (same concurrency)', value: ratio(rate('r3'), raw3) },
    { label: 'cluster R3 ×2 applies, `@` ids / `.` ids', value: at.rate / median(rate('r3')) },
    { label: `cluster R1 / embedded apply p95 at ${RATE}/s`, value: ratio(p95('r1'), p95('embedded')) },
    { label: `cluster R3 ×1 / embedded apply p95 at ${RATE}/s`, value: ratio(p95('r3x1'), p95('embedded')) },
    { label: `cluster R3 ×2 / embedded apply p95 at ${RATE}/s`, value: ratio(p95('r3'), p95('embedded')) },
    { label: 'cluster / embedded reads (median of rounds)', value: ratio(rps('cluster'), rps('embedded')) },
    { label: 'cluster / bare reads', value: ratio(rps('cluster'), rps('bare')) },
    { label: 'embedded / bare reads', value: ratio(rps('embedded'), rps('bare')) },
    {
      label: 'cluster / embedded reads per server CPU-second',
      value: ratio(perCpu('cluster'), perCpu('embedded')),
    },
  ];
  return {
    name: 'cluster',
    title: 'cluster mode (NATS JetStream) vs embedded LevelDB: durable applies and head reads',
    params: {
      'applies per mode and round': `${N} (fresh ids, version 1), threshold 3 (3 signers), ~700 B stored`,
      concurrency: `${CONCURRENCY} applies in flight (closed loop), split evenly between the instances of a mode`,
      'paced rate': `${RATE}/s for ${PACED_COUNT} applies (open loop, setTimeout schedule), split evenly between the instances`,
      rounds: `${ROUNDS} apply rounds (modes rotate which goes first; fresh store, stream and bucket per mode and round), ${READ_ROUNDS} read rounds`,
      embedded: 'level (classic-level), fsync per group-committed batch, one process',
      'cluster R1':
        'one instance, one nats-server (JetStream file store), stream and proposal bucket with 1 replica',
      'cluster R3 ×1': 'one instance (connected to node 1) of a 3-node JetStream cluster, NATS_REPLICAS=3',
      'cluster R3 ×2':
        'two instances (A connected to node 1, B to node 2) of a 3-node JetStream cluster, NATS_REPLICAS=3; proposals through A, applies alternate A/B',
      instances:
        'each registry instance is a child process of its own (bench/cluster-instance.ts) calling Registry.propose/apply directly',
      'nats-server':
        'Debian 2.9.10 on loopback (test/fixtures/nats-server.ts), sharing the 2 cores with the instances',
      reads: `${READ_DESCRIPTORS} service descriptors of ~700 B + genesis in each server; wrk 1 thread, 64 connections, ${READ_SECONDS} s per run, random ids (bench/read.lua); rounds rotate the order after 3 s of warm-up each`,
    },
    metrics,
    ratios,
    notes: notes(reads.items, reads.runs, profile),
  };
}

function notes(
  items: Record<string, number>,
  runs: Record<string, ReadonlyArray<{ readonly wrk: { readonly rps: number } }>>,
  profile: readonly string[],
): string[] {
  const spreadOf = (xs: ReadonlyArray<{ readonly wrk: { readonly rps: number } }>) => {
    const r = xs.map((x) => x.wrk.rps);
    return `${(Math.max(...r) / Math.min(...r)).toFixed(2)} ×`;
  };
  const spread = {
    embedded: spreadOf(runs.embedded ?? []),
    cluster: spreadOf(runs.cluster ?? []),
    bare: spreadOf(runs.bare ?? []),
  };
  return [
    'Engine level, not HTTP: both modes would pay the same HTTP cost per apply, and the figure that differs is the write path under it (a synced local batch vs NATS round trips). Reads are measured over HTTP (full middleware), where a deployment serves them.',
    "What one cluster apply does: read the proposal from the shared bucket (KV get), look up the id's last stream sequence (a STREAM.MSG.GET, for an id this instance has not seen yet, as every id here), publish with the per-id compare-and-set, wait for its own follower to deliver the message and materialize it (ed25519 check of every signature, synced local batch), then delete the bucket entry (not awaited). Embedded: a quorum re-count without crypto and one synced batch shared by every apply queued meanwhile.",
    "Every cluster instance materializes every apply (its own and the other instance's), with the signature checks. R3 ×1 next to R1 is the cost of JetStream replication; R3 ×2 next to R3 ×1 is what a second instance costs when both instances and the three nats-servers share this machine's 2 cores, not the write scaling of two hosts.",
    "Durability is not the same: an embedded apply answers after LevelDB's fsync; JetStream (default configuration, as the fixture runs it) acknowledges a publish before any fsync (its file store syncs on a timer, 2 min by default; `sync_interval: always` only exists from nats-server 2.10), so R1 holds an acknowledged apply in one server's page cache and R3 in 2 of 3 servers' memory. The cluster instance's view is fsynced, but it is a copy of the stream.",
    'The raw publish baseline is NatsLog.publish alone (what an apply cannot go below per message): ~700 B, headers, msg-id, expected last subject sequence 0 on a fresh subject, from the bench process.',
    `Servers held ${items.embedded} (embedded), ${items.cluster} (cluster) and ${items.bare} (bare, services only) heads; the cluster instance materialized its view from the stream at start, before listening.`,
    "Descriptor ids carry `.` where bench/descriptors.ts has `@` (same size), in every mode but the one `@` run. This bench found that, on a 3-node nats-server 2.9.10 cluster, a stream message whose subject held `@` often reached the follower's ordered consumer with its subject cut at the `@` and the rest glued to its ack reply; nats.js then recreated the consumer asking it for only max_messages minus its old pending count (often 1), and the follower stalled until its idle heartbeats ran out. Since 3591869 store/nats/subject.ts escapes `@` and `:` too: the `@` rows (README's `name@region` ids, R3 ×2) check that fix against the `.` ids of the same run.",
    'This bench also found that, against the 3-node cluster, an apply sent right after its propose through the same instance sometimes answered NotFound ("no pending proposal") although the proposal was stored (1 to 34 of 3,000 propose-then-apply pairs at 128 in flight): a direct get answered by a replica that had not applied the create yet. Since 4f78da7 the bucket is read through its stream leader (allow_direct off); the read set-up here still proposes everything first, then applies.',
    `Reads: both registries keep their main thread at one full core under wrk (the CPU rows), so their rates are their per-request costs. The same server process moves between rounds on this 2-core VM shared with wrk (max/min of its rounds this run: embedded ${spread.embedded}, cluster ${spread.cluster}, bare ${spread.bare}), and the cluster/embedded ratio moved between 0.77 and 0.95 across the runs made while writing this bench. A CPU profile of both under wrk (\`node --cpu-prof\`, taken apart from this run) is dominated by writev (the socket writes) in both, with no NATS or follower work above 1 % in the cluster one.`,
    ...profile,
  ];
}
