/**
 * Chaos soak (issue 8): writers (propose, cosign, apply), readers (head GETs, latency) and
 * WATCHERS SSE watchers run against one registry process that is restarted at random moments
 * with SIGTERM or SIGKILL (same db, same port). At the end, after one last SIGKILL and
 * restart: every watcher saw every seq exactly once with the right digest, every
 * acknowledged apply is present at its seq, and the read p99 outside restart windows is
 * reported against SPEC §10 (2 ms).
 *
 * `npx tsx bench/soak.ts --seconds 120` runs it standalone (exit 1 on a lost, duplicated or
 * divergent event, a missing ack or an unclean SIGTERM exit); `SOAK_SECONDS=3600 npm run
 * bench -- soak --record` records it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { signPayload } from '../src/core/index.js';
import { mintToken } from '../src/http/capability.js';
import { KEYS } from '../test/helpers/fixtures.js';
import type { BenchMetric, BenchResult } from './bench.types.js';
import { percentile } from './descriptors.js';
import { median } from './measure.js';
import { drillEnv, freePort, SoakServer, type StopOutcome } from './soak-server.js';
import { WatcherFleet, type WatcherTally } from './soak-watchers.js';
import { type Ack, type Api, headDigest, httpApi, Writer } from './soak-writer.js';
import { machineBusySeconds } from './wrk.js';

const OUT = fileURLToPath(new URL('out/soak/', import.meta.url));
const WATCHERS = 100;
const WRITERS = 4;
/** Applies per second per writer (each apply is three writes: propose, cosign, apply). */
const WRITER_RATE = 5;
const READERS = 4;
/** Head GETs per second per reader: paced, far below saturation, as SPEC §10's p99 bar is. */
const READER_RATE = 50;
const SEED_IDS = 100;
/** Seconds between restarts, drawn uniformly. */
const RESTART_EVERY = [8, 25] as const;
/** A restart window ends this long after /readyz answers 200 again (reconnect storm). */
const WINDOW_TAIL_MS = 1000;

interface Restart {
  readonly outcome: StopOutcome;
  /** Signal to /readyz 200. */
  readonly downMs: number;
}

interface Sample {
  readonly t0: number;
  readonly t1: number;
  readonly ok: boolean;
}

export interface SoakResult {
  readonly seconds: number;
  readonly applies: number;
  readonly from: number;
  readonly to: number;
  readonly tally: WatcherTally;
  readonly missingAcks: number;
  readonly restarts: readonly Restart[];
  readonly reads: {
    outside: number;
    p50: number;
    p99: number;
    p999: number;
    errorsOutside: number;
    inside: number;
  };
  readonly writerErrors: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  readonly soakCores: number;
  readonly machineCores: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop with a pacing sleep: one GET at a time per reader, READER_RATE a second. */
async function reader(api: Api, ids: readonly string[], until: () => boolean, out: Sample[]): Promise<void> {
  const gap = 1000 / READER_RATE;
  let due = performance.now();
  while (!until()) {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    const t0 = performance.now();
    const ok = await api.getHead(id);
    out.push({ t0, t1: performance.now(), ok });
    due += gap;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else due = performance.now();
  }
}

function readStats(samples: readonly Sample[], windows: ReadonlyArray<readonly [number, number]>) {
  const inWindow = (s: Sample) => windows.some(([a, b]) => s.t1 >= a && s.t0 <= b);
  const outside = samples.filter((s) => !inWindow(s));
  const lat = outside
    .filter((s) => s.ok)
    .map((s) => s.t1 - s.t0)
    .sort((a, b) => a - b);
  return {
    outside: outside.length,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    p999: percentile(lat, 99.9),
    errorsOutside: outside.filter((s) => !s.ok).length,
    inside: samples.length - outside.length,
  };
}

export async function soak(
  seconds: number,
  log: (line: string) => void = () => undefined,
): Promise<SoakResult> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const key = randomBytes(32).toString('hex');
  const server = new SoakServer(
    await freePort(),
    drillEnv(key, { REGISTRY_DB: `${OUT}db` }),
    `${OUT}server.log`,
  );
  const token = mintToken(key, { identifier: 'soak', scopes: ['registry:propose', 'registry:apply'] });
  const api: Api = httpApi(server.url, token);
  const sign = KEYS.slice(0, 2).map(
    (k) => (p: Parameters<typeof signPayload>[0]) => signPayload(p, k, Date.now()),
  );

  const t0 = performance.now();
  await server.start();
  const windows: Array<[number, number]> = [[t0, performance.now() + WINDOW_TAIL_MS]];

  // Seed the ids the readers read (untimed, before the chaos).
  const acks: Ack[] = [];
  const seedIds = Array.from({ length: SEED_IDS }, (_, i) => `soak-seed-${i}`);
  for (const id of seedIds) await new Writer(api, id, sign, acks).once();
  const from = await api.version();
  log(`seeded ${SEED_IDS} ids; watching from seq ${from}`);

  const fleet = new WatcherFleet(server.url, WATCHERS, from);
  fleet.start();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const start = performance.now();
  const end = start + seconds * 1000;
  let stopping = false;
  const until = () => stopping || performance.now() >= end;

  const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(api, `soak-writer-${i}`, sign, acks));
  const writing = writers.map((w) => w.run(WRITER_RATE, until));
  const samples: Sample[] = [];
  const reading = Array.from({ length: READERS }, () => reader(api, seedIds, until, samples));

  const restarts: Restart[] = [];
  const restart = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const a = performance.now();
    const outcome = await server.stop(signal);
    await server.start();
    const b = performance.now();
    windows.push([a, b + WINDOW_TAIL_MS]);
    restarts.push({ outcome, downMs: b - a });
    log(
      `restart ${restarts.length} at ${((a - start) / 1000).toFixed(0)} s: ${signal}${outcome.clean ? '' : ' (UNCLEAN)'}, ` +
        `ready after ${(b - a).toFixed(0)} ms; ${acks.length} acks, watchers at >= ${fleet.low}`,
    );
  };
  const chaos = (async () => {
    for (;;) {
      const gap = (RESTART_EVERY[0] + Math.random() * (RESTART_EVERY[1] - RESTART_EVERY[0])) * 1000;
      if (performance.now() + gap >= end) return;
      await sleep(gap);
      await restart(Math.random() < 0.5 ? 'SIGTERM' : 'SIGKILL');
    }
  })();

  await Promise.all([...writing, ...reading, chaos]);
  stopping = true;
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - start) / 1000;
  const soakCores = (cpu.user + cpu.system) / 1e6 / wall;
  const machineCores = (machineBusySeconds() - busy0) / wall;
  loop.disable();

  // One last crash after the last acks: they too must survive a kill -9.
  await restart('SIGKILL');
  const to = await api.version();
  const drainBy = performance.now() + 60_000;
  while (fleet.low < to && performance.now() < drainBy) await sleep(100);
  const tally = fleet.tally(to);
  fleet.stop();

  // Every ack at its seq (as the watchers saw the log) and readable with its digest.
  let missingAcks = 0;
  for (const a of acks) {
    const seen = fleet.digests.get(a.version);
    const stored = await headDigest(api, a.descriptor_id, a.descriptor_version);
    if ((a.version > from && seen !== a.digest) || stored !== a.digest) missingAcks++;
  }
  await server.stop('SIGTERM');
  api.close();

  return {
    seconds,
    applies: acks.length - SEED_IDS,
    from,
    to,
    tally,
    missingAcks,
    restarts,
    reads: readStats(samples, windows),
    writerErrors: writers.reduce((x, w) => x + w.errors, 0),
    loopDelayP99: loop.percentile(99) / 1e6,
    loopDelayMax: loop.max / 1e6,
    soakCores,
    machineCores,
  };
}

export function soakPassed(r: SoakResult): boolean {
  const t = r.tally;
  return (
    t.lost === 0 &&
    t.duplicated === 0 &&
    t.divergent === 0 &&
    t.outOfOrder === 0 &&
    r.missingAcks === 0 &&
    r.restarts.every((x) => x.outcome.clean)
  );
}

function summary(r: SoakResult): string {
  const t = r.tally;
  const kills = r.restarts.filter((x) => x.outcome.signal === 'SIGKILL').length;
  return (
    `soak ${r.seconds} s: ${r.applies} acknowledged applies (seq ${r.from}..${r.to}), ${r.restarts.length} restarts ` +
    `(${kills} SIGKILL, ${r.restarts.length - kills} SIGTERM, ${r.restarts.filter((x) => !x.outcome.clean).length} unclean); ` +
    `${WATCHERS} watchers: lost ${t.lost}, duplicated ${t.duplicated}, divergent ${t.divergent}, out of order ${t.outOfOrder}, ` +
    `reconnects ${t.reconnects}; missing acks ${r.missingAcks}; read p99 outside restarts ${r.reads.p99.toFixed(2)} ms ` +
    `(p50 ${r.reads.p50.toFixed(2)}, ${r.reads.outside} reads, ${r.reads.errorsOutside} errors); bounded by this ` +
    `process's event-loop delay p99 ${r.loopDelayP99.toFixed(1)} ms and the machine (${(r.machineCores * 100).toFixed(0)} % of a core busy)`
  );
}

export async function soakBench(): Promise<BenchResult> {
  const seconds = Number(process.env.SOAK_SECONDS ?? 120);
  const r = await soak(seconds, (l) => console.log(`   ${l}`));
  console.log(`   ${summary(r)}`);
  const one = (label: string, unit: string, value: number): BenchMetric => ({
    label,
    value,
    unit,
    rounds: [value],
  });
  const down = r.restarts.map((x) => x.downMs);
  const t = r.tally;
  const p99ok = r.reads.p99 <= 2;
  return {
    name: 'soak',
    title: `chaos soak: writers, readers and ${WATCHERS} watchers across random SIGTERM/SIGKILL restarts`,
    params: {
      duration: `${seconds} s`,
      server:
        'registry serve (src/cli/main.ts through tsx), level store, fsync on, same db and port on every restart',
      restarts: `every ${RESTART_EVERY[0]}-${RESTART_EVERY[1]} s (uniform), SIGTERM or SIGKILL with equal odds, plus one SIGKILL after the last apply`,
      writers: `${WRITERS} × ${WRITER_RATE} applies/s, each propose (1 signature) + cosign (2nd) + apply, threshold 2; after an error the writer re-reads its head and goes on`,
      readers: `${READERS} × ${READER_RATE} head GETs/s over ${SEED_IDS} ids, keep-alive`,
      watchers: `${WATCHERS} raw SSE readers, resume with Last-Event-ID after every dropped stream`,
      'restart window': `from the signal to ${WINDOW_TAIL_MS} ms after /readyz answers 200 again; reads in it are not in the p99`,
    },
    metrics: [
      one('acknowledged applies', 'applies', r.applies),
      one('restarts', 'restarts', r.restarts.length),
      one('unclean SIGTERM exits', 'restarts', r.restarts.filter((x) => !x.outcome.clean).length),
      {
        label: 'restart: signal to ready',
        value: median(down),
        unit: 'ms',
        rounds: down.length <= 24 ? down : [Math.min(...down), Math.max(...down)],
      },
      one('lost events (all watchers)', 'events', t.lost),
      one('duplicated events (all watchers)', 'events', t.duplicated),
      one('divergent events (digest differs for a seq)', 'events', t.divergent),
      one('watchers with any of the above', 'watchers', t.badWatchers),
      one('watcher reconnects', 'reconnects', t.reconnects),
      one('acknowledged applies missing at the end', 'applies', r.missingAcks),
      one('read p50 outside restart windows', 'µs', r.reads.p50 * 1000),
      one('read p99 outside restart windows', 'µs', r.reads.p99 * 1000),
      one('read p99.9 outside restart windows', 'µs', r.reads.p999 * 1000),
      one('reads outside restart windows', 'reads', r.reads.outside),
      one('read errors outside restart windows', 'reads', r.reads.errorsOutside),
      one('writer errors (retried)', 'errors', r.writerErrors),
      one('soak process event-loop delay p99', 'ms', r.loopDelayP99),
      one('soak process CPU', '% core', r.soakCores * 100),
      one('whole machine CPU', '% core', r.machineCores * 100),
    ],
    ratios: [{ label: 'read p99 outside restarts / SPEC bar 2 ms', value: r.reads.p99 / 2 }],
    notes: [
      `Correctness: ${soakPassed(r) ? 'met' : 'FAILED'}: every watcher saw seqs ${r.from + 1}..${r.to} exactly once with the digest of the log, ` +
        'every acknowledged apply is readable by id and version with its digest and sits at the seq its apply answered.',
      `SPEC §10 read p99 ≤ 2 ms outside restart windows: ${p99ok ? 'met' : 'MISSED'} (${r.reads.p99.toFixed(2)} ms).`,
      `What bounds the read latency here: readers, writers and ${WATCHERS} watchers share one Node process (its event-loop delay p99 is ` +
        `${r.loopDelayP99.toFixed(1)} ms, max ${r.loopDelayMax.toFixed(0)} ms, and a reply waits for it), and the server, the load and the ` +
        `other work on the machine share 2 cores (${(r.machineCores * 100).toFixed(0)} % of a core busy on average). bench/read.ts measures the bar in isolation.`,
    ],
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 120;
  if (!(seconds >= 5)) {
    console.error('usage: tsx bench/soak.ts [--seconds N] (N >= 5)');
    return 2;
  }
  const r = await soak(seconds, (l) => console.log(l));
  console.log(summary(r));
  console.log(`soak: ${soakPassed(r) ? 'OK' : 'FAILED'}`);
  return soakPassed(r) ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
