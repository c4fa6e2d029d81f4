/**
 * fast-check arbitraries for proposal and co-sign bodies: SPEC-shaped records whose
 * fields are sometimes right, sometimes near the limits, sometimes any JSON at all.
 */
import fc from 'fast-check';
import { FUZZ_KEYS, FUZZ_NOW } from './seeds.js';

const KINDS = ['service', 'node', 'region_map', 'governance'] as const;
const SIGNER_IDS = FUZZ_KEYS.map((k) => k.key.signerId as string);

const anyJson = fc.jsonValue({ maxDepth: 4 });
const odd = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: anyJson });

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const id = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,20}$/),
  fc.constantFrom('regions', 'governance', 'svc-storage@us-east-1', 'a'.repeat(128), 'a'.repeat(129)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const addr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 70_000 })).map(([h, p]) => `${h}:${p}`),
  fc.webUrl(),
  fc.string({ maxLength: 30 }),
);
const weight = fc.oneof(fc.integer({ min: -2, max: 65_537 }), fc.double(), fc.constant(2 ** 53 + 1));
const endpoint = fc.record({ addr: odd(addr), tls: odd(fc.boolean()), weight: odd(weight) });
const labels = fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 20 }), {
  maxKeys: 34,
});

const serviceBody = fc.record(
  {
    name: odd(fc.string({ unit: 'binary', maxLength: 64 })),
    region: odd(fc.string({ maxLength: 16 })),
    endpoints: odd(fc.array(endpoint, { minLength: 0, maxLength: 66 })),
    labels: odd(labels),
  },
  { requiredKeys: ['name', 'region', 'endpoints'] },
);
const nodeBody = fc.record(
  {
    region: odd(fc.string({ maxLength: 16 })),
    addr: odd(addr),
    pubkey: odd(fc.string()),
    capabilities: odd(fc.array(fc.string(), { maxLength: 66 })),
    labels: odd(labels),
  },
  { requiredKeys: ['region', 'addr'] },
);
const regionBody = fc.record({
  regions: odd(
    fc.dictionary(
      fc.oneof(id, fc.string()),
      fc.record({
        services: fc.array(
          fc.record({ id: odd(id), addr: odd(addr), tls: odd(fc.boolean()), weight: odd(weight) }),
          {
            maxLength: 4,
          },
        ),
      }),
      { maxKeys: 4 },
    ),
  ),
});
const governanceBody = fc.record({
  signers: odd(
    fc.array(fc.oneof(fc.constantFrom(...SIGNER_IDS), fc.string()), { minLength: 0, maxLength: 7 }),
  ),
  threshold: odd(fc.integer({ min: -1, max: 8 })),
});

const version = fc.oneof(
  fc.integer({ min: 1, max: 8 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER),
);
const ts = fc.oneof(
  fc.integer({ min: FUZZ_NOW - 86_400_000, max: FUZZ_NOW + 400_000 }),
  fc.constantFrom(FUZZ_NOW + 300_000, FUZZ_NOW + 300_001, -1, 0, 1.5, 2 ** 53 + 1),
);

export const payloadArb = fc.record(
  {
    id: odd(id),
    version: odd(version),
    kind: odd(fc.oneof(fc.constantFrom(...KINDS), fc.string({ maxLength: 12 }))),
    body: fc.oneof(serviceBody, nodeBody, regionBody, governanceBody, anyJson),
    prev: odd(fc.oneof(fc.constant(null), hex64, fc.string({ maxLength: 70 }))),
    ts: odd(ts),
    deprecated: odd(fc.boolean()),
  },
  { requiredKeys: [] },
);

const b64 = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64url'));

export const signatureArb = fc.record(
  {
    signer_id: odd(
      fc.oneof(
        fc.constantFrom(...SIGNER_IDS),
        b64(32).map((k) => `ed25519:${k}`),
        fc.string(),
      ),
    ),
    alg: odd(fc.constantFrom('ed25519', 'ed448', 'ED25519', '')),
    sig: odd(fc.oneof(b64(64), b64(63), fc.string())),
    ts: odd(ts),
  },
  { requiredKeys: [] },
);

export const proposalArb = fc.record(
  { descriptor: odd(payloadArb), signatures: odd(fc.array(signatureArb, { maxLength: 5 })) },
  { requiredKeys: [] },
);

export const cosignArb = fc.record(
  { signatures: odd(fc.array(signatureArb, { maxLength: 5 })) },
  { requiredKeys: [] },
);

/** One value of `arb`, drawn deterministically from `seed`. */
export function draw<T>(arb: fc.Arbitrary<T>, seed: number): T {
  const [value] = fc.sample(arb, { seed, numRuns: 1 });
  return value as T;
}
