/**
 * SPEC §10 transparency log bar: durable applies/s with the log ≥ 0.9 × without it, same run.
 *
 * Per round, on `level` in a fresh temporary directory each time, alternating which goes first:
 * N proposals (threshold 3, pre-signed) are proposed untimed, then applied concurrently in
 * waves of WAVE through the engine's group committer, once with the log (leaves, tiles, edge
 * and a signed checkpoint in every synced batch) and once with the log's hooks emptied (the
 * same engine writing only the SPEC §4 keys). Reports the median of the per-round ratios.
 *
 * Run: npx tsx bench/tlog-apply.ts   (BENCH_TLOG_N, BENCH_TLOG_ROUNDS)
 */
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { KEYS, NOW, tempDir } from '../test/helpers/fixtures.js';
import { benchDescriptor, THRESHOLD_3 } from './descriptors.js';
import { median } from './measure.js';

const N = Number(process.env.BENCH_TLOG_N ?? 10_000);
const ROUNDS = Number(process.env.BENCH_TLOG_ROUNDS ?? 3);
const WAVE = 1_000;
const SIGNERS = KEYS.slice(0, 3);

async function run(withLog: boolean, tag: string): Promise<number> {
  const dir = tempDir('registry-bench-tlog-');
  const registry = await Registry.open(await openLevelStore(`${dir.path}/db`), {
    genesis: THRESHOLD_3,
    now: () => NOW,
  });
  if (!withLog) {
    // The baseline: the same engine with the log's batch hooks emptied.
    registry.log.extend = async () => [];
    registry.log.committed = () => undefined;
  }
  try {
    const pids: string[] = [];
    for (let i = 0; i < N; i += 256) {
      const chunk = Array.from({ length: Math.min(256, N - i) }, (_, j) =>
        benchDescriptor(i + j, tag, SIGNERS),
      );
      const out = await Promise.all(
        chunk.map((d) => registry.propose({ descriptor: d.payload, signatures: d.signatures })),
      );
      for (const s of out) pids.push(s.proposal_id);
    }
    const t0 = performance.now();
    for (let i = 0; i < N; i += WAVE) {
      await Promise.all(pids.slice(i, i + WAVE).map((p) => registry.apply(p, 'bench')));
    }
    const rate = N / ((performance.now() - t0) / 1000);
    if (withLog && registry.log.size !== N + 1) throw new Error(`log size ${registry.log.size}`);
    return rate;
  } finally {
    await registry.close();
    dir.cleanup();
  }
}

const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [true, false] : [false, true];
  const rates = new Map<boolean, number>();
  for (const withLog of order) rates.set(withLog, await run(withLog, `r${round}${withLog ? 'l' : 'b'}`));
  const on = rates.get(true) ?? 0;
  const off = rates.get(false) ?? 1;
  ratios.push(on / off);
  console.log(
    `round ${round + 1}: with log ${on.toFixed(0)}/s, without ${off.toFixed(0)}/s, ratio ${(on / off).toFixed(3)}`,
  );
}
console.log(`median ratio ${median(ratios).toFixed(3)} (bar ≥ 0.9), N=${N}, rounds=${ROUNDS}`);
