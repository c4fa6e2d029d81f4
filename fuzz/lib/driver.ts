/**
 * The fuzz loop shared by `npm run fuzz` and the vitest budget run: deterministic batches
 * (batch b draws from Rng(seed, b)), counts by outcome, failures kept with their input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvariantFailure, type Outcome } from './outcome.js';
import { Rng } from './rng.js';

export interface FuzzTarget<I> {
  readonly name: string;
  readonly batchSize: number;
  /** Fresh state at the start of every batch but the first. */
  reset(): Promise<void>;
  generate(rng: Rng): I;
  run(input: I): Promise<Outcome>;
  /** End-of-batch checks (a model compare, a known head read). */
  endBatch(): Promise<void>;
  /** The input alone against fresh state: does it still fail? (for minimising) */
  replay(input: I): Promise<string | undefined>;
  /** Smaller variants of a failing input, most aggressive first. */
  shrink(input: I): Iterable<I>;
  close(): Promise<void>;
}

export interface FailureRecord {
  readonly target: string;
  readonly seed: number;
  readonly batch: number;
  readonly index: number;
  readonly message: string;
  readonly input: unknown;
  /** The input reduced while it still fails on fresh state, when it does. */
  readonly minimized?: unknown;
}

export interface Stats {
  readonly target: string;
  inputs: number;
  accepted: number;
  applied: number;
  readonly rejected: Record<string, number>;
  readonly failures: FailureRecord[];
  ms: number;
}

export interface LoopOptions {
  readonly runs: number;
  readonly seconds?: number | undefined;
  readonly seed: number;
  /** Where failing inputs are written (none when undefined). */
  readonly failuresDir?: string | undefined;
  readonly progressEveryMs?: number;
  readonly onProgress?: (s: Stats) => void;
  /** Stop at the first failure (the test run). */
  readonly stopOnFailure?: boolean;
}

export async function fuzzLoop<I>(target: FuzzTarget<I>, opts: LoopOptions): Promise<Stats> {
  const stats: Stats = {
    target: target.name,
    inputs: 0,
    accepted: 0,
    applied: 0,
    rejected: {},
    failures: [],
    ms: 0,
  };
  const started = performance.now();
  const deadline = opts.seconds === undefined ? Number.POSITIVE_INFINITY : started + opts.seconds * 1000;
  let lastProgress = started;
  let batch = 0;
  outer: while (stats.inputs < opts.runs && performance.now() < deadline) {
    if (batch > 0) await target.reset();
    const rng = new Rng(opts.seed, batch);
    for (let index = 0; index < target.batchSize; index++) {
      if (stats.inputs >= opts.runs || performance.now() >= deadline) break;
      const input = target.generate(rng);
      stats.inputs++;
      try {
        count(stats, await target.run(input));
      } catch (err) {
        await fail(target, stats, opts, batch, index, err, input);
        if (opts.stopOnFailure === true) break outer;
        // The state may be off the model now: the next batch starts clean.
        break;
      }
      const now = performance.now();
      if (opts.onProgress !== undefined && now - lastProgress >= (opts.progressEveryMs ?? 5000)) {
        lastProgress = now;
        stats.ms = now - started;
        opts.onProgress(stats);
      }
    }
    try {
      await target.endBatch();
    } catch (err) {
      await fail(target, stats, opts, batch, -1, err, null);
      if (opts.stopOnFailure === true) break;
    }
    batch++;
  }
  stats.ms = performance.now() - started;
  return stats;
}

function count(stats: Stats, outcome: Outcome): void {
  if (outcome === 'accepted') stats.accepted++;
  else if (outcome === 'applied') {
    stats.accepted++;
    stats.applied++;
  } else stats.rejected[outcome] = (stats.rejected[outcome] ?? 0) + 1;
}

async function fail<I>(
  target: FuzzTarget<I>,
  stats: Stats,
  opts: LoopOptions,
  batch: number,
  index: number,
  err: unknown,
  input: I | null,
): Promise<void> {
  if (!(err instanceof InvariantFailure)) throw err;
  const base = { target: target.name, seed: opts.seed, batch, index, message: err.message, input };
  const minimized = input === null ? undefined : await minimize(target, input);
  const record: FailureRecord = minimized === undefined ? base : { ...base, minimized };
  stats.failures.push(record);
  if (opts.failuresDir !== undefined) {
    mkdirSync(opts.failuresDir, { recursive: true });
    const file = join(opts.failuresDir, `${target.name}-seed${opts.seed}-b${batch}-i${index}.json`);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  }
}

/** Greedy reduction on fresh state; undefined when the input does not fail alone. */
async function minimize<I>(target: FuzzTarget<I>, input: I): Promise<I | undefined> {
  await target.reset();
  if ((await target.replay(input)) === undefined) return undefined;
  let best = input;
  let tries = 0;
  let progress = true;
  while (progress && tries < 400) {
    progress = false;
    for (const candidate of target.shrink(best)) {
      if (++tries >= 400) break;
      await target.reset();
      if ((await target.replay(candidate)) !== undefined) {
        best = candidate;
        progress = true;
        break;
      }
    }
  }
  await target.reset();
  return best;
}

/** Text variants without one chunk, halving chunk sizes (delta debugging, one pass each). */
export function* shrinkText(text: string): Generator<string> {
  for (let size = Math.max(1, text.length >> 1); size >= 1; size >>= 1) {
    for (let at = 0; at < text.length; at += size) yield text.slice(0, at) + text.slice(at + size);
  }
}

export function summary(s: Stats): string {
  const rate = s.ms > 0 ? Math.round((s.inputs / s.ms) * 1000) : 0;
  const rejected = Object.entries(s.rejected)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, n]) => `${c}=${n}`)
    .join(' ');
  return `${s.target}: inputs=${s.inputs} accepted=${s.accepted} applied=${s.applied} rejected{${rejected}} failures=${s.failures.length} rate=${rate}/s time=${(s.ms / 1000).toFixed(1)}s`;
}
