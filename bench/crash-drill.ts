/**
 * SPEC §10 crash drill: `kill -9` during applies, N trials; every acknowledged apply must be
 * present after the restart. The writer is test/fixtures/crash-writer.ts (the crash test's
 * child): it applies on 12 ids at once through the group committer and prints each apply
 * only after it resolved, so every line read here was acknowledged before the kill.
 *
 * Each store takes TRIALS_PER_STORE crashes in a row (the writer resumes every id from its
 * stored head), so recovery from a store that already recovered is drilled too.
 *
 * `npx tsx bench/crash-drill.ts --trials 20` runs it standalone and exits 1 on any missing
 * apply; `CRASH_TRIALS=20 npm run bench -- crash --record` records it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { type Ack, crashRun } from '../test/fixtures/crash-run.js';
import { GENESIS, NOW } from '../test/helpers/fixtures.js';
import type { BenchMetric, BenchResult } from './bench.types.js';
import { median } from './measure.js';

const OUT = fileURLToPath(new URL('out/crash-drill/', import.meta.url));
const TRIALS_PER_STORE = 5;
/** The kill lands after a random number of acks in this range, plus 0-25 ms. */
const KILL_AFTER = [10, 2000] as const;

export interface TrialResult {
  readonly acknowledged: number;
  readonly present: number;
  /** Applies in the store beyond the last ack: in flight at the kill, durable but unanswered. */
  readonly unacknowledged: number;
  /** The log is 1..version without a gap or a repeat. */
  readonly contiguous: boolean;
  readonly reopenMs: number;
}

const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** Reopens the store through the engine and counts the acknowledged applies it holds. */
async function check(path: string, acks: readonly Ack[]): Promise<TrialResult> {
  const t0 = performance.now();
  const registry = await Registry.open(await openLevelStore(path), { genesis: GENESIS, now: () => NOW });
  const reopenMs = performance.now() - t0;
  try {
    let present = 0;
    for (const a of acks) {
      const e = await registry.at(a.descriptor_id, a.descriptor_version).catch(() => undefined);
      if (e?.digest === a.digest && a.version <= registry.version) present++;
    }
    const last = registry.version;
    const seqs = (await registry.store.log(0, last + 1)).map((e) => e.seq);
    const contiguous = seqs.length === last && seqs.every((s, i) => s === i + 1);
    const lastAck = Math.max(0, ...acks.map((a) => a.version));
    return { acknowledged: acks.length, present, unacknowledged: last - lastAck, contiguous, reopenMs };
  } finally {
    await registry.close();
  }
}

export async function crashDrill(
  trials: number,
  onTrial: (i: number, r: TrialResult) => void = () => undefined,
): Promise<TrialResult[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const results: TrialResult[] = [];
  for (let i = 0; i < trials; i++) {
    const path = `${OUT}db-${Math.floor(i / TRIALS_PER_STORE)}`;
    const { acks } = await crashRun(path, randomInt(KILL_AFTER[0], KILL_AFTER[1]), randomInt(0, 25), 60_000);
    const r = await check(path, acks);
    results.push(r);
    onTrial(i, r);
  }
  return results;
}

const passed = (rs: readonly TrialResult[]) => rs.every((r) => r.present === r.acknowledged && r.contiguous);

export async function crashDrillBench(): Promise<BenchResult> {
  const trials = Number(process.env.CRASH_TRIALS ?? 20);
  const rs = await crashDrill(trials, (i, r) =>
    console.log(
      `   trial ${i + 1}: acknowledged ${r.acknowledged}, present ${r.present}, in flight and kept ${r.unacknowledged}`,
    ),
  );
  const metric = (label: string, unit: string, pick: (r: TrialResult) => number): BenchMetric => {
    const xs = rs.map(pick);
    return { label, value: median(xs), unit, rounds: xs };
  };
  const sum = (pick: (r: TrialResult) => number) => rs.reduce((x, r) => x + pick(r), 0);
  return {
    name: 'crash',
    title: 'SIGKILL during applies: acknowledged vs present after restart',
    params: {
      trials,
      writer: 'test/fixtures/crash-writer.ts: level store, 12 ids applied at once (group commit), fsync on',
      kill: `SIGKILL after ${KILL_AFTER[0]}-${KILL_AFTER[1]} acks (random) + 0-25 ms; ${TRIALS_PER_STORE} crashes per store in a row`,
      check:
        'reopen through the engine; every ack read back by id and version with the same digest; log 1..version contiguous',
    },
    metrics: [
      metric('acknowledged applies per trial', 'applies', (r) => r.acknowledged),
      metric('present after restart per trial', 'applies', (r) => r.present),
      metric('missing per trial', 'applies', (r) => r.acknowledged - r.present),
      metric('applied but unacknowledged (in flight at the kill)', 'applies', (r) => r.unacknowledged),
      metric('reopen after the crash', 'ms', (r) => r.reopenMs),
    ],
    ratios: [
      {
        label: 'present / acknowledged (all trials)',
        value: sum((r) => r.present) / sum((r) => r.acknowledged),
      },
    ],
    notes: [
      `Totals over ${trials} trials: ${sum((r) => r.acknowledged)} acknowledged, ${sum((r) => r.present)} present; ` +
        `logs contiguous in ${rs.filter((r) => r.contiguous).length} of ${trials}. SPEC §10 crash bar: ${passed(rs) ? 'met' : 'MISSED'}.`,
      'An apply in flight at the kill may be durable without its answer having reached the client: it counts as "unacknowledged", never as missing.',
    ],
  };
}

/** Standalone: `npx tsx bench/crash-drill.ts --trials N`; exit 1 when an ack is missing. */
async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--trials');
  const trials = at >= 0 ? Number(argv[at + 1]) : 20;
  if (!Number.isInteger(trials) || trials < 1) {
    console.error('usage: tsx bench/crash-drill.ts [--trials N]');
    return 2;
  }
  const rs = await crashDrill(trials, (i, r) =>
    console.log(
      `trial ${i + 1}/${trials}: acknowledged ${r.acknowledged}, present ${r.present}, contiguous ${r.contiguous}`,
    ),
  );
  const acked = rs.reduce((x, r) => x + r.acknowledged, 0);
  const present = rs.reduce((x, r) => x + r.present, 0);
  console.log(
    `crash drill: ${trials} trials, ${acked} acknowledged, ${present} present: ${passed(rs) ? 'OK' : 'FAILED'}`,
  );
  return passed(rs) ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
