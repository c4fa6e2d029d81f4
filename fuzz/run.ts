/**
 * `npm run fuzz -- --runs N [--target decode|http|all] [--seed S] [--seconds T]`
 *
 * Runs N inputs per target (or until T seconds), prints progress and one summary line
 * per target, writes failing inputs to fuzz/corpus/failures/ and exits 1 on any failure.
 * Deterministic given the seed (default: a fresh one, printed so a run can be repeated).
 */
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fuzzLoop, type Stats, summary } from './lib/driver.js';
import { DecodeTarget } from './targets/decode-verify-apply.js';
import { HttpTarget } from './targets/http.js';

const FAILURES = fileURLToPath(new URL('./corpus/failures/', import.meta.url));

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run fuzz -- --runs N [--target decode|http|all] [--seed S] [--seconds T]\n`,
  );
  process.exit(2);
}

function positive(raw: string | undefined, name: string, fallback: number | undefined): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) usage(`--${name} must be a non-negative integer, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      target: { type: 'string', default: 'all' },
      seed: { type: 'string' },
      seconds: { type: 'string' },
    },
    strict: true,
  });
  const seconds = positive(values.seconds, 'seconds', undefined);
  const runs = positive(values.runs, 'runs', seconds === undefined ? 10_000 : Number.MAX_SAFE_INTEGER) ?? 0;
  const seed = positive(values.seed, 'seed', randomInt(2 ** 31)) ?? 0;
  const which = values.target;
  if (which !== 'decode' && which !== 'http' && which !== 'all')
    usage(`--target must be decode, http or all`);

  process.stdout.write(`fuzz: target=${which} runs=${runs} seconds=${seconds ?? '-'} seed=${seed}\n`);
  const results: Stats[] = [];
  const loop = {
    runs,
    seconds,
    seed,
    failuresDir: FAILURES,
    onProgress: (s: Stats) => process.stdout.write(`  … ${summary(s)}\n`),
  };
  if (which === 'decode' || which === 'all') {
    const t = await DecodeTarget.create();
    try {
      results.push(await fuzzLoop(t, loop));
    } finally {
      await t.close();
    }
  }
  if (which === 'http' || which === 'all') {
    const t = await HttpTarget.create();
    try {
      results.push(await fuzzLoop(t, loop));
    } finally {
      await t.close();
    }
  }
  let failed = 0;
  for (const s of results) {
    for (const f of s.failures)
      process.stdout.write(`FAIL ${f.target} batch ${f.batch} input ${f.index}: ${f.message}\n`);
    failed += s.failures.length;
  }
  for (const s of results) process.stdout.write(`${summary(s)} seed=${seed}\n`);
  if (failed > 0) process.stdout.write(`${failed} failing input(s) written to ${FAILURES}\n`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
