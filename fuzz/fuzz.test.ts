/**
 * The fuzz targets on a small time budget, so CI exercises them (STYLE §7, as undici's
 * test/fuzzing), plus a replay of every committed regression seed. Longer runs:
 * `npm run fuzz -- --runs N`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzLoop, summary } from './lib/driver.js';
import { type DecodeInput, DecodeTarget } from './targets/decode-verify-apply.js';
import { type HttpInput, HttpTarget } from './targets/http.js';

const SEED = 20_261_123;
const REGRESSIONS = new URL('./corpus/regressions/', import.meta.url);

type Regression =
  | { target: 'decode'; note: string; input: DecodeInput }
  | { target: 'http'; note: string; input: HttpInput };

const regressions = readdirSync(REGRESSIONS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, REGRESSIONS), 'utf8')) as Regression] as const);

describe('fuzz target decode-verify-apply', () => {
  let target: DecodeTarget;
  beforeAll(async () => {
    target = await DecodeTarget.create();
  });
  afterAll(() => target.close());

  it('keeps every invariant over 3,000 generated inputs', async () => {
    const stats = await fuzzLoop(target, { runs: 3000, seconds: 8, seed: SEED, stopOnFailure: true });
    expect(
      stats.failures.map((f) => f.message),
      summary(stats),
    ).toEqual([]);
    expect(stats.inputs).toBeGreaterThan(500);
    expect(stats.accepted).toBeGreaterThan(0);
  });

  it.each(regressions.filter(([, r]) => r.target === 'decode'))('replays regression %s', async (_file, r) => {
    await target.reset();
    expect(await target.replay(r.input as DecodeInput), r.note).toBeUndefined();
  });
});

describe('fuzz target http', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await HttpTarget.create();
  });
  afterAll(() => target.close());

  it('keeps every invariant over 400 requests', async () => {
    const stats = await fuzzLoop(target, { runs: 400, seconds: 8, seed: SEED, stopOnFailure: true });
    expect(
      stats.failures.map((f) => f.message),
      summary(stats),
    ).toEqual([]);
    expect(stats.inputs).toBeGreaterThan(100);
  });

  it.each(regressions.filter(([, r]) => r.target === 'http'))('replays regression %s', async (_file, r) => {
    expect(await target.replay(r.input as HttpInput), r.note).toBeUndefined();
  });
});
