/**
 * The fuzzer's seed corpus: every signed vector in `vectors/` (valid, invalid and the
 * chain), as proposal bodies, plus the TEST-ONLY keys that signed them.
 */
import { readFileSync } from 'node:fs';
import type { Payload, Signature, SigningKey } from '../../src/core/index.js';
import { fastSigner } from '../../test/helpers/fast-sign.js';
import { key, NOW } from '../../vectors/test-keys.js';
import type { Json, JsonObject, Vector, VectorFile } from '../../vectors/vector.types.js';

export type { Json, JsonObject };

export interface Seed {
  readonly name: string;
  /** The whole descriptor as a vector gives it. */
  readonly descriptor: JsonObject;
  /** `{ descriptor: <payload>, signatures }`: a POST /proposals body. */
  readonly proposal: JsonObject;
  readonly expect: Vector['expect'];
}

export interface FuzzKey {
  readonly n: number;
  readonly key: SigningKey;
  readonly sign: (payload: Payload, ts: number) => Signature;
}

function load(name: string): readonly Vector[] {
  const url = new URL(`../../vectors/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as VectorFile).vectors;
}

function asSeed(v: Vector): Seed | undefined {
  const d = v.descriptor;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return undefined;
  const { signatures = [], ...payload } = d;
  return {
    name: v.name,
    descriptor: d,
    proposal: { descriptor: payload, signatures },
    expect: v.expect,
  };
}

let cached: { seeds: readonly Seed[]; chain: readonly Seed[] } | undefined;

/** All vectors as seeds; `chain` is chain.json without its genesis, in order. */
export function vectorSeeds(): { seeds: readonly Seed[]; chain: readonly Seed[] } {
  if (cached !== undefined) return cached;
  const chainVectors = load('chain').filter((v) => v.check === 'verify');
  const all = [...chainVectors, ...load('valid'), ...load('invalid').filter((v) => v.check === 'verify')];
  const seeds = all.map(asSeed).filter((s): s is Seed => s !== undefined);
  const chain = chainVectors.map(asSeed).filter((s): s is Seed => s !== undefined);
  cached = { seeds, chain };
  return cached;
}

/** TEST-ONLY keys 1-5 and 9 (see vectors/README.md): 1-3 are the fuzz registry's genesis. */
export const FUZZ_KEYS: readonly FuzzKey[] = [1, 2, 3, 4, 5, 9].map((n) => {
  const k = key(n);
  return { n, key: k, sign: fastSigner(k) };
});

/** The vectors' genesis: keys 1, 2, 3 with threshold 2. */
export const FUZZ_GENESIS = {
  signers: FUZZ_KEYS.filter((k) => k.n <= 3).map((k) => k.key.signerId),
  threshold: 2,
};

/** The vectors' clock (every vector is checked at this time). */
export const FUZZ_NOW = NOW;
