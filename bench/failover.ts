/**
 * Failover drill (issue 9): two registry instances (A, B) in cluster mode over a 3-node NATS
 * JetStream cluster, with writers and SSE watchers on both, while the stream leader's
 * nats-server is SIGKILLed (25 % of the run), then instance A (45 %), then both come back
 * (65 %: the nats node on its data, A on its own db). At the end: every acknowledged apply
 * is served by both instances at its seq, both serve identical listings and versions, every
 * watcher saw every seq exactly once, and the write pause of the leader election is measured.
 *
 * `npx tsx bench/failover.ts --seconds 40` runs it standalone (exit 1 when an invariant
 * breaks); `FAILOVER_SECONDS=180 npm run bench -- failover --record` records it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../src/http/capability.js';
import { hasNatsServer, startNatsCluster } from '../test/fixtures/nats-server.js';
import type { BenchResult, BenchSkipped } from './bench.types.js';
import type { FailoverPlan, FailoverResult, InstanceEnd } from './failover.types.js';
import { checkAcks, converge, gapIn, listAll, listingDiff, readyz, ViewMonitor } from './failover-checks.js';
import { leaderOf, startSupervised, track, untrack, within } from './failover-procs.js';
import { failoverFailures, failoverPassed, failoverReport } from './failover-report.js';
import { type AckTime, FailoverWriter } from './failover-writer.js';
import { drillEnv, freePort, SoakServer } from './soak-server.js';
import { WatcherFleet } from './soak-watchers.js';
import { type Api, httpApi } from './soak-writer.js';

const OUT = fileURLToPath(new URL('out/failover/', import.meta.url));
const STREAM = 'registry';
const WRITERS_PER_INSTANCE = 2;
/** Applies per second per writer (each is two requests: propose with both signatures, apply). */
const WRITER_RATE = 10;
const WATCHERS_PER_INSTANCE = 10;
/** When each chaos step lands, as a fraction of the run. */
const PHASES = { killLeader: 0.25, killA: 0.45, restart: 0.65 } as const;
const PLAN: FailoverPlan = {
  writersPerInstance: WRITERS_PER_INSTANCE,
  writerRate: WRITER_RATE,
  watchersPerInstance: WATCHERS_PER_INSTANCE,
  phases: PHASES,
};
/** Bounds on the steps that wait for the system (a stuck step fails the drill instead of hanging it). */
const READY_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 60_000;
/** How long the drill waits for A and B to agree (the bound it checks is in failover-report.ts). */
const CONVERGE_WAIT_MS = 120_000;

function mergeCounts(maps: readonly ReadonlyMap<string, number>[]): [string, number][] {
  const all = new Map<string, number>();
  for (const m of maps) for (const [k, n] of m) all.set(k, (all.get(k) ?? 0) + n);
  return [...all].sort((x, y) => y[1] - x[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function failover(
  seconds: number,
  log: (line: string) => void = () => undefined,
): Promise<FailoverResult> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const cluster = await startNatsCluster(3, { dir: `${OUT}nats` });
  const key = randomBytes(32).toString('hex');
  const token = mintToken(key, { identifier: 'failover', scopes: ['registry:propose', 'registry:apply'] });
  const env = (name: string): Record<string, string> =>
    drillEnv(key, {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: cluster.urls,
      NATS_REPLICAS: '3',
      NATS_STREAM: STREAM,
      REGISTRY_DB: `${OUT}${name}-db`,
    });
  const a = new SoakServer(await freePort(), env('a'), `${OUT}a.log`);
  const b = new SoakServer(await freePort(), env('b'), `${OUT}b.log`);
  track(a);
  track(b);
  const apiA: Api = httpApi(a.url, token);
  const apiB: Api = httpApi(b.url, token);
  const fleets: WatcherFleet[] = [];
  let abort = false;
  let monitor: ViewMonitor | undefined;
  const startExits: string[] = [];
  const timeline: string[] = [];
  let t0 = performance.now();
  const note = (line: string) => {
    const entry = `${((performance.now() - t0) / 1000).toFixed(1)} s: ${line}`;
    timeline.push(entry);
    log(entry);
  };
  try {
    // Both at once, as an operator's deploy starts them: one creates the stream and publishes the genesis.
    const startA = performance.now();
    let aFirstReadyMs = 0;
    await within(
      'start A and B',
      READY_TIMEOUT_MS,
      Promise.all([
        startSupervised(a, 'A', `${OUT}a.log`, startExits).then(
          () => (aFirstReadyMs = performance.now() - startA),
        ),
        startSupervised(b, 'B', `${OUT}b.log`, startExits),
      ]),
    );
    const from = await apiA.version();
    if ((await converge([apiA, apiB], SETTLE_TIMEOUT_MS)) === undefined)
      throw new Error('A and B never agreed at start');
    const digests = new Map<number, string>();
    fleets.push(
      new WatcherFleet(a.url, WATCHERS_PER_INSTANCE, from, digests),
      new WatcherFleet(b.url, WATCHERS_PER_INSTANCE, from, digests),
    );
    for (const f of fleets) f.start();
    monitor = new ViewMonitor([apiA, apiB], async () => {
      const views = await Promise.all(cluster.nodes.map((n) => n.stream(STREAM)));
      return Math.max(0, ...views.map((v) => v?.lastSeq ?? 0));
    });

    const acks: AckTime[] = [];
    const A = { name: 'A', api: apiA };
    const B = { name: 'B', api: apiB };
    const writers = [
      ...Array.from(
        { length: WRITERS_PER_INSTANCE },
        (_, i) => new FailoverWriter([A, B], `failover-a-${i}`, acks),
      ),
      ...Array.from(
        { length: WRITERS_PER_INSTANCE },
        (_, i) => new FailoverWriter([B, A], `failover-b-${i}`, acks),
      ),
    ];
    t0 = performance.now();
    const end = t0 + seconds * 1000;
    const at = (f: number) => t0 + f * seconds * 1000;
    const writing = writers.map((w) =>
      w.run(
        WRITER_RATE,
        () => performance.now() >= end,
        () => abort,
      ),
    );
    note(`A ready after ${aFirstReadyMs.toFixed(0)} ms; writers and watchers from seq ${from}`);

    // 25 %: SIGKILL the stream leader's nats-server.
    await sleep(at(PHASES.killLeader) - performance.now());
    const killed = await leaderOf(cluster, STREAM, 10_000);
    const tKillLeader = performance.now();
    await killed.stop('SIGKILL');
    note(`SIGKILL nats-server ${killed.name} (stream leader); ${acks.length} acks so far`);
    const next = await leaderOf(cluster, STREAM, 60_000);
    const electedMs = performance.now() - tKillLeader;
    note(`stream leader now ${next.name} (seen after ${electedMs.toFixed(0)} ms)`);

    // 45 %: SIGKILL instance A; its writers fail over to B, its watchers retry A.
    await sleep(at(PHASES.killA) - performance.now());
    const versionAtKill = (await readyz(apiA))?.version ?? 0;
    const tKillA = performance.now();
    const aKill = await a.stop('SIGKILL');
    note(`SIGKILL registry A at version ${versionAtKill} (${aKill.signal})`);

    // 65 %: the nats node back on its data, A back on its db.
    await sleep(at(PHASES.restart) - performance.now());
    const tRestart = performance.now();
    const nodeBack = (async () => {
      await killed.start(60_000);
      const jetstreamMs = performance.now() - tRestart;
      note(`nats-server ${killed.name} restarted: JetStream enabled after ${jetstreamMs.toFixed(0)} ms`);
      await killed.waitHealthy(SETTLE_TIMEOUT_MS);
      const healthyMs = performance.now() - tRestart;
      note(`nats-server ${killed.name} healthy (current with its streams) after ${healthyMs.toFixed(0)} ms`);
      return { jetstreamMs, healthyMs };
    })();
    const tA = performance.now();
    await within('restart A', READY_TIMEOUT_MS, startSupervised(a, 'A', `${OUT}a.log`, startExits));
    const aReadyMs = performance.now() - tA;
    const versionAtReady = (await readyz(apiA))?.version ?? 0;
    note(
      `registry A ready after ${aReadyMs.toFixed(0)} ms at version ${versionAtReady}: caught up ${versionAtReady - versionAtKill} seqs applied while it was down`,
    );
    const nodeRestart = await within('nats node restart', READY_TIMEOUT_MS, nodeBack);

    await sleep(end - performance.now());
    note(`end of the run: ${acks.length} acks; writers finish their version in flight`);
    await within('writers finishing', SETTLE_TIMEOUT_MS, Promise.all(writing));
    const tStopped = performance.now();
    const to = await converge([apiA, apiB], CONVERGE_WAIT_MS);
    const convergeMs = performance.now() - tStopped;
    note(
      to === undefined
        ? `A and B did not converge within ${CONVERGE_WAIT_MS} ms`
        : `A and B converged at version ${to} after ${convergeMs.toFixed(0)} ms`,
    );
    const drainBy = performance.now() + SETTLE_TIMEOUT_MS;
    while (to !== undefined && fleets.some((f) => f.low < to) && performance.now() < drainBy)
      await sleep(100);

    const times = acks.map((x) => x.at);
    const steady = gapIn(times, t0 + 1000, tKillLeader);
    const ackCheck = await checkAcks([apiA, apiB], acks, digests);
    const [listA, listB] = await Promise.all([listAll(apiA), listAll(apiB)]);
    const headMismatch: string[] = [];
    for (const w of writers) {
      const heads = [listA, listB].map((l) => l.find((x) => x.id === w.id)?.version ?? 0);
      if (heads.some((h) => h !== w.lastAcked))
        headMismatch.push(`${w.id}: acked v${w.lastAcked}, heads ${heads.join('/')}`);
    }
    const streamViews = await Promise.all(
      cluster.nodes.map(async (n) => {
        const s = await n.stream(STREAM);
        return { node: n.name, lastSeq: s?.lastSeq ?? -1, messages: s?.messages ?? -1 };
      }),
    );
    const ends = await Promise.all(
      (['A', 'B'] as const).map(async (name, i) => {
        const api = i === 0 ? apiA : apiB;
        const r = await readyz(api);
        const fleet = fleets[i] as WatcherFleet;
        const streamSeq = r?.streamSeq ?? -1;
        return {
          name,
          version: r?.version ?? -1,
          refused: r?.refused ?? -1,
          races: r?.races ?? 0,
          streamSeq,
          fleet,
          i,
        };
      }),
    );
    for (const f of fleets) f.stop();
    await monitor.stop();
    writeFileSync(`${OUT}views.txt`, `${monitor.lines(t0).join('\n')}\n`);
    const instances: InstanceEnd[] = [];
    for (const e of ends) {
      const server = e.i === 0 ? a : b;
      instances.push({
        name: e.name,
        version: e.version,
        refused: e.refused,
        races: e.races,
        streamSeq: e.streamSeq,
        tally: e.fleet.tally(to ?? Math.max(e.version, 0)),
        watchersAt: e.fleet.low,
        stop: await server.stop('SIGTERM'),
        acksVia: acks.filter((x) => x.via === e.name).length,
        view: monitor.stats(e.i),
        leaderPause: gapIn(
          acks.filter((x) => x.via === e.name).map((x) => x.at),
          tKillLeader,
          tKillA,
        ),
      });
    }
    note('A and B stopped (SIGTERM)');
    return {
      plan: PLAN,
      seconds,
      from,
      to,
      convergeMs,
      instances,
      acks: ackCheck,
      listingDiff: listingDiff(listA, listB),
      headMismatch,
      appliedUnacknowledged: writers.reduce((x, w) => x + w.appliedUnacknowledged, 0),
      applyNotFound: writers.reduce((x, w) => x + w.applyNotFound, 0),
      retries: writers.reduce((x, w) => x + w.retries, 0),
      staleView: writers.reduce((x, w) => x + w.staleView, 0),
      startExits,
      unexpected: writers.flatMap((w) => w.unexpected),
      retryReasons: mergeCounts(writers.map((w) => w.retryReasons)),
      stream: streamViews,
      leader: { killed: killed.name, next: next.name, electedMs },
      steadyGapMs: steady.longestMs,
      leaderPause: gapIn(times, tKillLeader, tKillA),
      aKillPause: gapIn(
        acks.filter((x) => x.ack.descriptor_id.startsWith('failover-a-')).map((x) => x.at),
        tKillA,
        tRestart,
      ),
      restartPause: gapIn(times, tRestart, end),
      aFirstReadyMs,
      aRestart: { readyMs: aReadyMs, versionAtKill, behindBy: versionAtReady - versionAtKill },
      nodeRestart,
      timeline,
    };
  } finally {
    abort = true;
    for (const f of fleets) f.stop();
    await monitor?.stop();
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    untrack(a);
    untrack(b);
    apiA.close();
    apiB.close();
    await cluster.stop();
  }
}

export async function failoverBench(): Promise<BenchResult | BenchSkipped> {
  if (!hasNatsServer)
    return { name: 'failover', skipped: 'nats-server not found (apt-get install nats-server)' };
  const seconds = Number(process.env.FAILOVER_SECONDS ?? 60);
  const r = await failover(seconds, (l) => console.log(`   ${l}`));
  const failures = failoverFailures(r);
  console.log(`   failover: ${failures.length === 0 ? 'OK' : `FAILED: ${failures.join('; ')}`}`);
  return failoverReport(r);
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : Number(process.env.FAILOVER_SECONDS ?? 60);
  if (!(seconds >= 20)) {
    console.error('usage: tsx bench/failover.ts [--seconds N] (N >= 20)');
    return 2;
  }
  if (!hasNatsServer) {
    console.error('failover: nats-server not found (PATH or NATS_SERVER_BIN); apt-get install nats-server');
    return 1;
  }
  const r = await failover(seconds, (l) => console.log(l));
  const report = failoverReport(r);
  for (const m of report.metrics) console.log(`${m.label}: ${Math.round(m.value)} ${m.unit}`);
  for (const x of report.ratios) console.log(`${x.label}: ${x.value.toFixed(2)} ×`);
  for (const n of report.notes) console.log(n);
  console.log(`failover: ${failoverPassed(r) ? 'OK' : 'FAILED'}`);
  return failoverPassed(r) ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
