/**
 * Realistic service descriptors for the engine benchmarks (SPEC §10: "~700 B each"): the
 * stored bytes (JCS of the signed descriptor, SPEC §2) are padded to a target size with a
 * label, for the number of signatures the descriptor will carry.
 */
import { canonicalJson, type Payload, type Signature, type SigningKey } from '../src/core/index.js';
import { fastSigner } from '../test/helpers/fast-sign.js';
import { KEYS, NOW } from '../test/helpers/fixtures.js';

export const STORED_BYTES = 700;

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'] as const;

function base(i: number, tag: string, note: string): Payload {
  const region = REGIONS[i % REGIONS.length] ?? 'us-east-1';
  return {
    id: `svc-${tag}-${i.toString().padStart(6, '0')}@${region}`,
    version: 1,
    kind: 'service',
    prev: null,
    ts: NOW,
    body: {
      name: `svc-${tag}-${i}`,
      region,
      endpoints: [0, 1].map((e) => ({
        addr: `10.${i % 250}.${e}.${(i * 7 + e) % 250}:${8443 + e}`,
        tls: e % 2 === 0,
        weight: 100 - e * 10,
      })),
      labels: { team: 'storage-platform', tier: 'gold', owner: 'oncall-storage@example.net', note },
    },
  } as Payload;
}

/**
 * Version 1 of service `i` signed by `signers`, its stored bytes about `STORED_BYTES` long.
 * `tag` keeps the ids of different rounds apart.
 */
export function benchDescriptor(
  i: number,
  tag: string,
  signers: readonly SigningKey[],
): { payload: Payload; signatures: Signature[] } {
  const sign = signers.map((k) => signerFor(k));
  const probe = base(i, tag, '');
  // Same lengths as real signatures (64 bytes = 86 base64url characters), without the signing.
  const fake = signers.map((k) => ({ signer_id: k.signerId, alg: 'ed25519', sig: 'A'.repeat(86), ts: NOW }));
  const size = Buffer.byteLength(canonicalJson({ ...probe, signatures: fake }));
  const payload = base(i, tag, 'x'.repeat(Math.max(0, STORED_BYTES - size)));
  return { payload, signatures: sign.map((s) => s(payload, NOW)) };
}

const cache = new Map<SigningKey, ReturnType<typeof fastSigner>>();
function signerFor(k: SigningKey): ReturnType<typeof fastSigner> {
  let s = cache.get(k);
  if (s === undefined) {
    s = fastSigner(k);
    cache.set(k, s);
  }
  return s;
}

export const THRESHOLD_3 = { signers: KEYS.slice(0, 3).map((k) => k.signerId), threshold: 3 };

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
