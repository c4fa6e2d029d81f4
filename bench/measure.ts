/** Timing helpers shared by the benchmarks. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Calls `op(i)` for i = 0, 1, 2, ... in batches of `batch` until at least `minMs` have passed;
 * returns operations per second. `op` returns false on a wrong answer, which aborts the run:
 * a benchmark of a verifier that says no is measuring nothing.
 */
export function opsPerSecond(op: (i: number) => boolean, batch: number, minMs: number): number {
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(minMs * 1e6));
  let done = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let j = 0; j < batch; j++) {
      if (!op(done + j)) throw new Error(`operation ${done + j} returned false`);
    }
    done += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return done / (Number(elapsed) / 1e9);
}

export interface Contender {
  readonly label: string;
  readonly op: (i: number) => boolean;
}

/**
 * Runs every contender `rounds` times, interleaved (the order rotates each round, so a slow
 * spell of a noisy VM does not land on one contender only), after one warm-up pass each.
 */
export function race(
  contenders: readonly Contender[],
  opts: { readonly rounds: number; readonly roundMs: number; readonly batch: number },
): Map<string, number[]> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (const c of contenders) opsPerSecond(c.op, opts.batch, Math.min(300, opts.roundMs));
  for (let r = 0; r < opts.rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length];
      if (c === undefined) continue;
      out.get(c.label)?.push(opsPerSecond(c.op, opts.batch, opts.roundMs));
    }
  }
  return out;
}

/** Median of the round-by-round ratios a[i] / b[i]: robust to drift that hits both contenders of a round. */
export function ratioOfRounds(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / (b[i] ?? Number.NaN)));
}
