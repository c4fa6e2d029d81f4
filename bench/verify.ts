/**
 * ed25519 verifications per second over ~700-byte descriptor signing bytes (SPEC §2):
 * the core's `signatureProblem` (node:crypto plus the strict-RFC 8032 checks), raw
 * `crypto.verify` with a cached KeyObject (the bare baseline), and `@noble/ed25519`
 * `verify(sig, msg, pub, { zip215: false })`, in one run over the same messages.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as ed from '@noble/ed25519';
import {
  decodeBase64url,
  parsePayload,
  type Signature,
  signatureProblem,
  signingBytes,
  signPayload,
} from '../src/core/index.js';
import { BASE_TS, NOW, testKey } from '../vectors/test-keys.js';
import type { BenchResult } from './bench.types.js';
import { type Contender, median, race, ratioOfRounds } from './measure.js';

const MESSAGES = 256;
const ROUNDS = 5;
const ROUND_MS = 700;
const BATCH = 64;

interface Sample {
  readonly message: Uint8Array;
  readonly signature: Signature;
  readonly sig: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly keyObject: KeyObject;
}

/** A realistic service descriptor payload; about 700 bytes of signing bytes. */
function payload(i: number): unknown {
  const region = ['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3] ?? 'us-east-1';
  return {
    id: `svc-bench-${i.toString().padStart(5, '0')}@${region}`,
    version: 1 + (i % 7),
    kind: 'service',
    body: {
      name: `svc-bench-${i}`,
      region,
      endpoints: [0, 1, 2, 3].map((e) => ({
        addr: `10.${i % 250}.${e}.${(i * 7 + e) % 250}:${8443 + e}`,
        tls: e % 2 === 0,
        weight: 100 - e * 10,
      })),
      labels: {
        team: 'storage-platform',
        tier: ['gold', 'silver', 'bronze'][i % 3] ?? 'gold',
        cost_center: `cc-${(1000 + i).toString()}`,
        runbook: `https://runbooks.example.net/storage/svc-bench-${i}`,
        owner: 'oncall-storage@example.net',
        pager: 'https://pager.example.net/services/storage-platform',
        zone: `${region}${'abc'[i % 3] ?? 'a'}`,
      },
    },
    prev: i % 7 === 0 ? null : `${(i * 2654435761).toString(16).padStart(8, '0').slice(0, 8)}`.repeat(8),
    ts: BASE_TS + i * 1_000,
  };
}

function samples(): Sample[] {
  const keys = [1, 2, 3].map(testKey);
  const out: Sample[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const key = keys[i % keys.length];
    if (key === undefined) throw new Error('unreachable');
    const p = parsePayload(payload(i), NOW);
    const signature = signPayload(p, key, BASE_TS + i);
    const sig = decodeBase64url(signature.sig, 64);
    if (sig === undefined) throw new Error('unreachable');
    const x = Buffer.from(key.publicKey).toString('base64url');
    out.push({
      message: signingBytes(p),
      signature,
      sig,
      publicKey: key.publicKey,
      keyObject: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }),
    });
  }
  return out;
}

export async function verifyBench(): Promise<BenchResult> {
  const all = samples();
  const at = (i: number): Sample => all[i % all.length] as Sample;
  const contenders: Contender[] = [
    {
      label: 'core signatureProblem (node:crypto)',
      op: (i) => signatureProblem(at(i).signature, at(i).message) === null,
    },
    {
      label: 'raw crypto.verify, cached KeyObject',
      op: (i) => cryptoVerify(null, at(i).message, at(i).keyObject, at(i).sig),
    },
    {
      label: '@noble/ed25519 verify, zip215: false',
      op: (i) => ed.verify(at(i).sig, at(i).message, at(i).publicKey, { zip215: false }),
    },
  ];
  const rounds = race(contenders, { rounds: ROUNDS, roundMs: ROUND_MS, batch: BATCH });
  const metrics = contenders.map((c) => {
    const r = rounds.get(c.label) ?? [];
    return { label: c.label, value: median(r), unit: 'verify/s', rounds: r };
  });
  const [core, raw, noble] = metrics.map((m) => m.rounds) as [number[], number[], number[]];
  const sizes = all.map((s) => s.message.length);
  return {
    name: 'verify',
    title: 'ed25519 verifications per second',
    params: {
      messages: MESSAGES,
      'signing bytes (median)': median(sizes),
      'signing bytes (min-max)': `${Math.min(...sizes)}-${Math.max(...sizes)}`,
      signers: 3,
      rounds: ROUNDS,
      'ms per round': ROUND_MS,
    },
    metrics,
    ratios: [
      { label: 'core / raw crypto.verify', value: ratioOfRounds(core, raw) },
      { label: 'core / noble', value: ratioOfRounds(core, noble) },
      { label: 'raw crypto.verify / noble', value: ratioOfRounds(raw, noble) },
    ],
    notes: [
      'Figures: median of the rounds; contenders interleaved, order rotating each round. Ratios: median of the per-round ratios (each pairs two runs at most 1.4 s apart, so a slow spell of the VM mostly cancels out).',
      "noble's SHA-512 is node:crypto's (set in src/core/keys.ts), so noble's figure is its curve arithmetic in JS.",
      'The core path adds the alg check, the memoised small-order key check, base64url decoding and the S < L check to raw crypto.verify.',
    ],
  };
}
