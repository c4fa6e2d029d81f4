/**
 * Signed test vectors for the registry (SPEC §2, §3).
 *
 * !!! TEST ONLY !!! Every key below is derived from a PUBLIC, FIXED seed
 * (sha256("registry test-only signer N")); anyone can recompute the secret keys.
 * They must NEVER be put in a SIGNER_ALLOWLIST, a governance descriptor or any
 * trust root of a real registry.
 *
 * `npm run vectors` rewrites vectors/*.json; `generateVectors()` returns the same
 * files as text, so vectors.test.ts can check the committed files byte for byte.
 * Everything is fixed (seeds, timestamps, key order) and ed25519 signing is
 * deterministic (RFC 8032), so two runs give identical bytes.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Point } from '@noble/ed25519';
import {
  canonicalJson,
  digestOf,
  type ErrorCode,
  encodeBase64url,
  encodeSignerId,
  parsePayload,
  type Signature,
  type SigningKey,
  signBytes,
  signingBytes,
  signingKeyFromSeed,
  signPayload,
} from '../src/core/index.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface VectorGovernance {
  readonly version: number;
  readonly signers: readonly string[];
  readonly threshold: number;
}

export interface VectorHead {
  readonly version: number;
  readonly digest: string;
  readonly kind: string;
}

export type Expect = 'ok' | { readonly error: ErrorCode };

/** One vector; the field order here is the order in the JSON files. */
export interface Vector {
  readonly name: string;
  readonly description: string;
  /** `genesis`: the trust root, checked against the pinned allow-list, no quorum (SPEC §3). `verify`: full check. */
  readonly check: 'genesis' | 'verify';
  readonly descriptor: Json;
  readonly governance: VectorGovernance;
  readonly head: VectorHead | null;
  readonly now: number;
  /** RFC 8785 JCS text of the payload (the descriptor without `signatures`). */
  readonly jcs: string;
  readonly signing_bytes_hex: string;
  readonly digest: string;
  readonly expect: Expect;
}

export interface VectorFile {
  readonly _comment: string;
  readonly format: string;
  readonly vectors: readonly Vector[];
}

export const TEST_ONLY_COMMENT =
  'TEST ONLY. These vectors are signed with keys derived from public fixed seeds ' +
  '(sha256("registry test-only signer N")); anyone can recompute the secret keys. ' +
  'NEVER allow-list any of these signer_ids in a real registry. Regenerate with `npm run vectors`; see vectors/README.md.';

const FORMAT = 'registry-vectors/v1';

// Fixed clock: genesis at BASE_TS, every vector checked at NOW (Unix ms).
export const BASE_TS = 1_795_000_000_000;
export const NOW = BASE_TS + 86_400_000;
const MINUTE = 60_000;
/** SPEC §2: ts more than 5 minutes after `now` is refused. */
const MAX_SKEW = 5 * MINUTE;

/** The seed text of TEST-ONLY key `n`. */
export function testSeedText(n: number): string {
  return `registry test-only signer ${n}`;
}

/** TEST-ONLY signing key `n`: seed = sha256("registry test-only signer N"). */
export function testKey(n: number): SigningKey {
  return signingKeyFromSeed(new Uint8Array(createHash('sha256').update(testSeedText(n)).digest()));
}

// Keys 1-3: genesis signers; 4-5 join at the rotation (which keeps 2-3 and drops 1);
// 9: never allow-listed anywhere.
const K = [1, 2, 3, 4, 5, 9].map((n) => [n, testKey(n)] as const);
const key = (n: number): SigningKey => {
  const found = K.find(([m]) => m === n);
  if (found === undefined) throw new Error(`no test key ${n}`);
  return found[1];
};

const GENESIS_THRESHOLD = 2;
const ROTATED_SIGNERS = [2, 3, 4, 5];
const ROTATED_THRESHOLD = 3;

const SERVICE_ID = 'svc-storage@us-east-1';

// --- small helpers over plain JSON ---------------------------------------------------

function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

function obj(v: Json | undefined): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected an object');
  return v;
}

function arr(v: Json | undefined): Json[] {
  if (!Array.isArray(v)) throw new Error('expected an array');
  return v;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** When signer i signed: after the payload's ts, never after `now`, always a valid integer. */
function sigTs(payload: JsonObject, i: number): number {
  const ts = payload.ts;
  const base = typeof ts === 'number' && Number.isSafeInteger(ts) && ts < NOW ? ts : NOW - MINUTE;
  return base + 1_000 * (i + 1);
}

/** Signs a well-formed payload with the core (parsed first, so a typo here fails loudly). */
function signValid(payload: JsonObject, signers: readonly number[]): Signature[] {
  const parsed = parsePayload(payload, NOW);
  return signers.map((n, i) => signPayload(parsed, key(n), sigTs(payload, i)));
}

/** Signs any JSON payload, even one the parser refuses (negative vectors need valid signatures too). */
function signRaw(payload: JsonObject, signers: readonly number[]): Signature[] {
  const bytes = signingBytes(payload);
  return signers.map((n, i) => {
    const k = key(n);
    return {
      signer_id: k.signerId,
      alg: 'ed25519',
      sig: encodeBase64url(signBytes(bytes, k)),
      ts: sigTs(payload, i),
    };
  });
}

function sigJson(s: Signature): JsonObject {
  return { signer_id: s.signer_id, alg: s.alg, sig: s.sig, ts: s.ts };
}

function withSignatures(payload: JsonObject, sigs: readonly (Signature | JsonObject)[]): JsonObject {
  return { ...clone(payload), signatures: sigs.map((s) => ({ ...s }) as JsonObject) };
}

function payloadOfJson(d: Json): JsonObject {
  const { signatures: _, ...payload } = obj(d);
  return payload;
}

function headOf(v: Vector): VectorHead {
  const p = payloadOfJson(v.descriptor);
  return { version: p.version as number, digest: v.digest, kind: p.kind as string };
}

function governance(
  version: number,
  signers: readonly (number | string)[],
  threshold: number,
): VectorGovernance {
  return {
    version,
    signers: signers.map((s) => (typeof s === 'string' ? s : key(s).signerId)),
    threshold,
  };
}

interface VectorInput {
  readonly name: string;
  readonly description: string;
  readonly check?: 'genesis' | 'verify';
  readonly descriptor: JsonObject;
  readonly governance: VectorGovernance;
  readonly head: VectorHead | null;
  readonly now?: number;
  readonly expect: Expect;
}

function vector(v: VectorInput): Vector {
  const payload = payloadOfJson(v.descriptor);
  const bytes = signingBytes(payload);
  return {
    name: v.name,
    description: v.description,
    check: v.check ?? 'verify',
    descriptor: v.descriptor,
    governance: v.governance,
    head: v.head,
    now: v.now ?? NOW,
    jcs: canonicalJson(payload),
    signing_bytes_hex: hex(bytes),
    digest: digestOf(bytes),
    expect: v.expect,
  };
}

// --- payload builders ------------------------------------------------------------------

function serviceBody(version: number): JsonObject {
  const endpoints: Json[] = [{ addr: '10.0.0.7:443', tls: true, weight: 100 }];
  if (version >= 2) endpoints.push({ addr: '10.0.0.8:443', tls: true, weight: 100 });
  if (version >= 3)
    endpoints.push({ addr: 'https://storage-3.us-east-1.example.net:8443', tls: true, weight: 50 });
  if (version >= 4) obj(endpoints[0]).weight = 0; // drained
  const body: JsonObject = { name: 'svc-storage', region: 'us-east-1', endpoints };
  if (version >= 5) body.labels = { tier: 'gold', owner: 'storage-team' };
  return body;
}

function servicePayload(version: number, prev: string | null, extra: JsonObject = {}): JsonObject {
  return {
    id: SERVICE_ID,
    version,
    kind: 'service',
    body: serviceBody(version),
    prev,
    ts: BASE_TS + version * 10 * MINUTE,
    ...extra,
  };
}

function regionsPayload(version: number, prev: string | null): JsonObject {
  const services: Json[] = [{ id: SERVICE_ID, addr: '10.0.0.7:443', tls: true, weight: 100 }];
  const regions: JsonObject = { 'us-east-1': { services } };
  if (version >= 2) {
    regions['eu-west-1'] = {
      services: [{ id: 'svc-storage@eu-west-1', addr: '10.1.0.7:443', tls: true, weight: 100 }],
    };
  }
  return {
    id: 'regions',
    version,
    kind: 'region_map',
    body: { regions },
    prev,
    ts: BASE_TS + (70 + version) * MINUTE,
  };
}

function governancePayload(
  version: number,
  prev: string | null,
  signers: readonly number[],
  threshold: number,
): JsonObject {
  return {
    id: 'governance',
    version,
    kind: 'governance',
    body: { signers: signers.map((n) => key(n).signerId), threshold },
    prev,
    ts: BASE_TS + (version - 1) * 100 * MINUTE,
  };
}

// --- the valid history -------------------------------------------------------------------

interface Chain {
  readonly vectors: readonly Vector[];
  readonly genesisGov: VectorGovernance;
  readonly rotatedGov: VectorGovernance;
  readonly genesis: Vector;
  readonly services: readonly Vector[];
}

function buildChain(): Chain {
  const genesisGov = governance(1, [1, 2, 3], GENESIS_THRESHOLD);
  const out: Vector[] = [];

  const genesisPayload = governancePayload(1, null, [1, 2, 3], GENESIS_THRESHOLD);
  const genesis = vector({
    name: 'governance-v1-genesis',
    description:
      'Genesis: governance v1 from keys 1-3, threshold 2, prev null, no signatures. The only descriptor applied ' +
      'without a quorum (SPEC §3): check it against the pinned allow-list in `governance` instead of verifying signatures.',
    check: 'genesis',
    descriptor: withSignatures(genesisPayload, []),
    governance: genesisGov,
    head: null,
    expect: 'ok',
  });
  out.push(genesis);

  // Service chain v1..v5: each version's prev is the digest of the one before; signer subsets vary.
  const subsets = [
    [1, 2],
    [2, 3],
    [3, 1],
    [1, 2, 3],
    [3, 2],
  ];
  const services: Vector[] = [];
  let head: Vector | undefined;
  for (let version = 1; version <= 5; version++) {
    const payload = servicePayload(version, head === undefined ? null : head.digest);
    const signers = subsets[version - 1] ?? [1, 2];
    const v = vector({
      name: `service-v${version}`,
      description: `${SERVICE_ID} version ${version}, signed by keys ${signers.join(',')} (threshold 2 of keys 1-3).`,
      descriptor: withSignatures(payload, signValid(payload, signers)),
      governance: genesisGov,
      head: head === undefined ? null : headOf(head),
      expect: 'ok',
    });
    services.push(v);
    out.push(v);
    head = v;
  }

  let regionsHead: Vector | undefined;
  for (let version = 1; version <= 2; version++) {
    const payload = regionsPayload(version, regionsHead === undefined ? null : regionsHead.digest);
    const signers = version === 1 ? [1, 3] : [2, 1];
    const v = vector({
      name: `regions-v${version}`,
      description: `The region map (id "regions", kind region_map) version ${version}, signed by keys ${signers.join(',')}.`,
      descriptor: withSignatures(payload, signValid(payload, signers)),
      governance: genesisGov,
      head: regionsHead === undefined ? null : headOf(regionsHead),
      expect: 'ok',
    });
    out.push(v);
    regionsHead = v;
  }

  const rotatedGov = governance(2, ROTATED_SIGNERS, ROTATED_THRESHOLD);
  const rotation = governancePayload(2, genesis.digest, ROTATED_SIGNERS, ROTATED_THRESHOLD);
  const rotationVector = vector({
    name: 'governance-v2-rotation',
    description:
      'Rotation from {1,2,3}/2 to {2,3,4,5}/3, signed by keys 2,3,4: the current set has 2 (needs 2) AND the new set ' +
      'has 3 (needs 3); the allow-list is the union of both sets (SPEC §3).',
    descriptor: withSignatures(rotation, signValid(rotation, [2, 3, 4])),
    governance: genesisGov,
    head: headOf(genesis),
    expect: 'ok',
  });
  out.push(rotationVector);

  // Deprecation is just another version (SPEC §1), checked under the rotated governance.
  if (head === undefined) throw new Error('no service head');
  const deprecation = servicePayload(6, head.digest, { deprecated: true });
  const deprecationVector = vector({
    name: 'service-v6-deprecated',
    description: `${SERVICE_ID} version 6 with "deprecated": true, after the rotation: signed by keys 3,4,5 (threshold 3 of keys 2-5).`,
    descriptor: withSignatures(deprecation, signValid(deprecation, [3, 4, 5])),
    governance: rotatedGov,
    head: headOf(head),
    expect: 'ok',
  });
  services.push(deprecationVector);
  out.push(deprecationVector);

  const node: JsonObject = {
    id: 'node-a.us-east-1',
    version: 1,
    kind: 'node',
    body: {
      region: 'us-east-1',
      addr: '10.0.1.1:9000',
      pubkey: key(9).signerId,
      capabilities: ['storage', 'gateway'],
      labels: { rack: 'r12' },
    },
    prev: null,
    ts: BASE_TS + 200 * MINUTE,
  };
  out.push(
    vector({
      name: 'node-v1-after-rotation',
      description: 'A node descriptor (new id, version 1) signed by keys 2,4,5 under the rotated governance.',
      descriptor: withSignatures(node, signValid(node, [2, 4, 5])),
      governance: rotatedGov,
      head: null,
      expect: 'ok',
    }),
  );

  return { vectors: out, genesisGov, rotatedGov, genesis, services };
}

// --- valid edge cases -----------------------------------------------------------------

function buildValid(chain: Chain): Vector[] {
  const gov = chain.genesisGov;
  const out: Vector[] = [];
  const fresh = (id: string, extra: JsonObject, body?: JsonObject): JsonObject => ({
    id,
    version: 1,
    kind: 'service',
    body: body ?? {
      name: id,
      region: 'us-east-1',
      endpoints: [{ addr: '10.0.0.9:443', tls: false, weight: 1 }],
    },
    prev: null,
    ts: BASE_TS + 90 * MINUTE,
    ...extra,
  });
  const ok = (name: string, description: string, payload: JsonObject, signers = [1, 2]): void => {
    out.push(
      vector({
        name,
        description,
        descriptor: withSignatures(payload, signValid(payload, signers)),
        governance: gov,
        head: null,
        expect: 'ok',
      }),
    );
  };

  ok(
    'ts-exactly-5-minutes-ahead',
    'ts = now + 300000 ms: exactly at the bound, accepted (SPEC §2: more than 5 minutes → BadRequest).',
    fresh('svc-edge-ts', { ts: NOW + MAX_SKEW }),
  );
  ok(
    'deprecated-false-kept',
    'An explicit "deprecated": false is part of the payload and of the signing bytes (SPEC §2: stored as submitted).',
    fresh('svc-edge-deprecated-false', { deprecated: false }),
  );
  ok(
    'unicode-and-escapes',
    'Non-ASCII, astral and control characters: JCS escapes only what RFC 8785 requires and signs UTF-8.',
    fresh(
      'svc-edge-unicode',
      {},
      {
        name: 'stockage-équipe ☃ 𝄞',
        region: 'us-east-1',
        endpoints: [{ addr: '[2001:db8::1]:443', tls: true, weight: 65535 }],
        labels: {
          'note\ttab': 'line\nbreak "quoted" \\ back\u0001slash',
          ключ: '値',
          z: '',
          a: 'first after sort',
        },
      },
    ),
  );
  ok(
    'string-1024-bytes',
    'body.name of 512 × "é" = exactly 1,024 UTF-8 bytes: the maximum (SPEC §2).',
    fresh(
      'svc-edge-long',
      {},
      {
        name: 'é'.repeat(512),
        region: 'us-east-1',
        endpoints: [{ addr: '10.0.0.9:443', tls: false, weight: 0 }],
      },
    ),
  );
  ok(
    'all-signers',
    'Three of three signatures where two are needed: extra valid signatures are fine.',
    fresh('svc-edge-all', {}),
    [3, 2, 1],
  );
  ok(
    'id-max-length',
    'An id of 128 characters using every allowed punctuation: the longest id.',
    fresh(`a${'._@:-'.repeat(25)}bc`, {}),
  );
  return out;
}

// --- invalid vectors ----------------------------------------------------------------------

/** S + L (little-endian), a non-canonical S that an RFC 8032 strict verifier refuses. */
function addL(sig: Uint8Array): Uint8Array {
  const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
  const out = Uint8Array.from(sig);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = (out[32 + i] as number) + (L[i] as number) + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  if (carry !== 0) throw new Error('S + L overflowed 32 bytes');
  return out;
}

function decodeSig(s: Signature): Uint8Array {
  return new Uint8Array(Buffer.from(s.sig, 'base64url'));
}

function replaceSig(s: Signature, sig: Uint8Array): Signature {
  return { ...s, sig: encodeBase64url(sig) };
}

/** The identity point (0, 1): small order (1), encoded as y = 1 with the sign bit clear. */
const IDENTITY_KEY = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/** The first y = 2, 3, ... whose encoding is not a point on the curve: a key that cannot be decoded. */
const OFF_CURVE_KEY = (() => {
  for (let y = 2; y < 256; y++) {
    const b = new Uint8Array(32);
    b[0] = y;
    try {
      Point.fromBytes(b, false);
    } catch {
      return b;
    }
  }
  throw new Error('no off-curve encoding found');
})();

function buildInvalid(chain: Chain): Vector[] {
  const gov = chain.genesisGov;
  const out: Vector[] = [];
  const [s1, s2, s3] = chain.services;
  if (s1 === undefined || s2 === undefined || s3 === undefined) throw new Error('short service chain');
  // Most vectors are an alternative version 3 of the service: head = service v2.
  const head2 = headOf(s2);
  const head3 = headOf(s3);
  const base = payloadOfJson(s3.descriptor);

  interface Bad {
    readonly name: string;
    readonly description: string;
    readonly error: ErrorCode;
    readonly payload?: JsonObject;
    readonly signers?: readonly number[];
    readonly signatures?: readonly (Signature | JsonObject)[];
    readonly governance?: VectorGovernance;
    readonly head?: VectorHead | null;
  }
  const bad = (b: Bad): void => {
    const payload = b.payload ?? clone(base);
    const sigs = b.signatures ?? signRaw(payload, b.signers ?? [1, 2]);
    out.push(
      vector({
        name: b.name,
        description: b.description,
        descriptor: withSignatures(payload, sigs),
        governance: b.governance ?? gov,
        head: b.head === undefined ? head2 : b.head,
        expect: { error: b.error },
      }),
    );
  };
  const mutate = (f: (p: JsonObject) => void, from: JsonObject = base): JsonObject => {
    const p = clone(from);
    f(p);
    return p;
  };
  const body = (p: JsonObject): JsonObject => obj(p.body);
  const endpoint0 = (p: JsonObject): JsonObject => obj(arr(body(p).endpoints)[0]);
  const fresh = (extra: JsonObject): JsonObject => ({ ...payloadOfJson(s1.descriptor), ...extra });

  // Signatures: keys 1 and 2 always meet the threshold, so the only reason to refuse is the bad one
  // (SPEC §3: any one invalid signature rejects the whole request, it is not just skipped).
  const valid12 = signRaw(base, [1, 2]);
  const [v1, v2] = valid12;
  if (v1 === undefined || v2 === undefined) throw new Error('unreachable');
  const [v3] = signRaw(base, [3]);
  if (v3 === undefined) throw new Error('unreachable');

  const corrupted = decodeSig(v3);
  corrupted[0] = (corrupted[0] as number) ^ 0x01;
  bad({
    name: 'bad-signature',
    description:
      'Keys 1,2 valid; key 3 signature with one bit of R flipped: it does not verify → BadSignature for the whole request.',
    error: 'BadSignature',
    signatures: [v1, v2, replaceSig(v3, corrupted)],
  });
  bad({
    name: 'flipped-payload-byte',
    description:
      'Signed by keys 1,2, then one payload bit flipped ("10.0.0.7" → "10.0.0.6"): no signature verifies.',
    error: 'BadSignature',
    payload: mutate((p) => {
      endpoint0(p).addr = '10.0.0.6:443';
    }),
    signatures: valid12,
  });
  const [replayed] = signRaw(payloadOfJson(s2.descriptor), [3]);
  if (replayed === undefined) throw new Error('unreachable');
  bad({
    name: 'signature-from-other-version',
    description:
      "Keys 1,2 valid; key 3's signature is its real signature of version 2, copied onto version 3.",
    error: 'BadSignature',
    signatures: [v1, v2, replayed],
  });
  bad({
    name: 'unknown-signer',
    description: 'Keys 1,2 valid; key 9 (not allow-listed) adds a valid signature → BadSignature naming it.',
    error: 'BadSignature',
    signers: [1, 2, 9],
  });
  bad({
    name: 'wrong-alg',
    description: 'Keys 1,2 valid; key 3 signature is a valid ed25519 signature but says "alg": "EdDSA".',
    error: 'BadSignature',
    signatures: [v1, v2, { ...v3, alg: 'EdDSA' }],
  });
  bad({
    name: 'non-canonical-s',
    description:
      'Keys 1,2 valid; key 3 signature with S replaced by S + L (same value mod L): strict RFC 8032 refuses S ≥ L.',
    error: 'BadSignature',
    signatures: [v1, v2, replaceSig(v3, addL(decodeSig(v3)))],
  });
  const smallOrder = encodeSignerId(IDENTITY_KEY);
  const trivial = new Uint8Array(64);
  trivial.set(IDENTITY_KEY, 0); // R = identity, S = 0: "verifies" under a small-order key with cofactored checks
  bad({
    name: 'small-order-public-key',
    description:
      'The governance allow-list deliberately contains the identity point (0x01 then 31 zero bytes; a registry refuses ' +
      'such a set when parsing it) so that the check that fires is the small-order one: keys 1,2 valid, plus a trivial ' +
      'signature (R = identity, S = 0) under the small-order key.',
    error: 'BadSignature',
    governance: governance(1, [smallOrder, 1, 2], 2),
    signatures: [
      v1,
      v2,
      { signer_id: smallOrder, alg: 'ed25519', sig: encodeBase64url(trivial), ts: v2.ts + 1_000 },
    ],
  });
  const offCurve = encodeSignerId(OFF_CURVE_KEY);
  bad({
    name: 'off-curve-public-key',
    description:
      `The allow-list deliberately contains ${hex(OFF_CURVE_KEY)}, which decodes to no curve point; keys 1,2 valid, ` +
      'plus a signature under that key (copied from key 3).',
    error: 'BadSignature',
    governance: governance(1, [offCurve, 1, 2], 2),
    signatures: [v1, v2, { ...v3, signer_id: offCurve }],
  });
  const node = payloadOfJson(
    chain.vectors.find((v) => v.name === 'node-v1-after-rotation')?.descriptor ?? null,
  );
  bad({
    name: 'signer-removed-by-rotation',
    description:
      'After the rotation key 1 is no longer allow-listed: keys 2,4,5 valid (threshold 3) plus key 1 → BadSignature.',
    error: 'BadSignature',
    payload: node,
    signers: [2, 4, 5, 1],
    governance: chain.rotatedGov,
    head: null,
  });

  bad({
    name: 'duplicate-signer',
    description:
      'Key 1 twice (both valid, different ts) and key 2: duplicate signer_ids in one request → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, v2, { ...v1, ts: v1.ts + 5_000 }],
  });
  bad({
    name: 'below-threshold',
    description: 'Only key 1 signs; the threshold is 2 → NoQuorum.',
    error: 'NoQuorum',
    signers: [1],
  });
  bad({
    name: 'no-signatures',
    description: 'An empty signatures array → NoQuorum.',
    error: 'NoQuorum',
    signatures: [],
  });

  const rotation = governancePayload(2, chain.genesis.digest, ROTATED_SIGNERS, ROTATED_THRESHOLD);
  bad({
    name: 'rotation-new-set-not-met',
    description:
      'Rotation to {2,3,4,5}/3 signed by keys 1,2,3: the current set is met (3 of 2) but the new set has only 2 of 3 → NoQuorum.',
    error: 'NoQuorum',
    payload: rotation,
    signers: [1, 2, 3],
    head: headOf(chain.genesis),
  });
  bad({
    name: 'rotation-current-set-not-met',
    description:
      'Rotation to {2,3,4,5}/3 signed by keys 3,4,5: the new set is met (3 of 3) but the current set has only 1 of 2 → NoQuorum.',
    error: 'NoQuorum',
    payload: rotation,
    signers: [3, 4, 5],
    head: headOf(chain.genesis),
  });

  bad({
    name: 'stale-version',
    description: 'Version 3 again when the head is already version 3 → StaleVersion.',
    error: 'StaleVersion',
    head: head3,
  });
  bad({
    name: 'version-gap',
    description: 'Version 5 with prev = digest of head version 3 (skips 4) → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.version = 5;
      p.prev = head3.digest;
    }),
    head: head3,
  });
  bad({
    name: 'wrong-prev',
    description:
      'Version 3 whose prev is the digest of version 1, not of the head (version 2) → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.prev = s1.digest;
    }),
  });
  bad({
    name: 'new-id-not-version-1',
    description: 'An id with no head, proposed at version 2 with a well-formed prev → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.id = 'svc-unknown@us-east-1';
      p.version = 2;
      p.prev = s1.digest;
    }),
    head: null,
  });

  const badRequest = (
    name: string,
    description: string,
    payload: JsonObject,
    head: VectorHead | null = head2,
  ): void => bad({ name, description, error: 'BadRequest', payload, head });

  badRequest(
    'unknown-field-descriptor',
    'An extra top-level field "owner" → BadRequest.',
    mutate((p) => {
      p.owner = 'ops';
    }),
  );
  badRequest(
    'unknown-field-body',
    'An extra body field "port" → BadRequest.',
    mutate((p) => {
      body(p).port = 443;
    }),
  );
  badRequest(
    'unknown-field-endpoint',
    'An extra endpoint field "zone" → BadRequest.',
    mutate((p) => {
      endpoint0(p).zone = 'a';
    }),
  );
  bad({
    name: 'unknown-field-signature',
    description: 'A signature object with an extra field "comment" → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), comment: 'lgtm' }],
  });
  badRequest(
    'missing-field',
    'No "ts" field → BadRequest.',
    mutate((p) => {
      delete p.ts;
    }),
  );
  badRequest(
    'future-ts',
    'ts = now + 5 minutes + 1 ms → BadRequest.',
    mutate((p) => {
      p.ts = NOW + MAX_SKEW + 1;
    }),
  );
  badRequest(
    'ts-not-integer',
    'ts = 1795000000000.5 → BadRequest.',
    mutate((p) => {
      p.ts = BASE_TS + 0.5;
    }),
  );
  badRequest('version-zero', 'version 0 → BadRequest.', fresh({ version: 0 }), null);
  badRequest(
    'unknown-kind',
    'kind "database" → BadRequest.',
    mutate((p) => {
      p.kind = 'database';
    }),
  );
  badRequest(
    'reserved-id-regions-wrong-kind',
    'id "regions" with kind service → BadRequest.',
    fresh({ id: 'regions' }),
    null,
  );
  badRequest(
    'reserved-id-governance-wrong-kind',
    'id "governance" with kind service → BadRequest.',
    fresh({ id: 'governance' }),
    null,
  );
  badRequest(
    'region-map-wrong-id',
    'kind region_map under id "regions-2" (region_map must use id "regions") → BadRequest.',
    { ...regionsPayload(1, null), id: 'regions-2' },
    null,
  );
  badRequest(
    'bad-id-slash',
    'id "svc/storage" (no "/" allowed) → BadRequest.',
    fresh({ id: 'svc/storage' }),
    null,
  );
  badRequest(
    'bad-id-leading-dot',
    'id ".svc" (must start with a letter or digit) → BadRequest.',
    fresh({ id: '.svc' }),
    null,
  );
  badRequest('bad-id-too-long', 'id of 129 characters → BadRequest.', fresh({ id: 'a'.repeat(129) }), null);
  badRequest(
    'oversize-string',
    'body.name of 1,025 ASCII bytes → BadRequest.',
    mutate((p) => {
      body(p).name = 'a'.repeat(1025);
    }),
  );
  badRequest(
    'oversize-string-multibyte',
    'body.name of 513 × "é": 513 characters but 1,026 UTF-8 bytes → BadRequest (the limit is in bytes).',
    mutate((p) => {
      body(p).name = 'é'.repeat(513);
    }),
  );
  let deep: Json = 'x';
  for (let i = 0; i < 14; i++) deep = [deep];
  badRequest(
    'nesting-too-deep',
    'body.labels.k is 14 nested arrays: with the payload, body and labels objects that is 17 levels of containers (limit 16) → BadRequest.',
    mutate((p) => {
      body(p).labels = { k: deep };
    }),
  );
  badRequest(
    'bad-weight-too-large',
    'weight 65536 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = 65536;
    }),
  );
  badRequest(
    'bad-weight-negative',
    'weight -1 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = -1;
    }),
  );
  badRequest(
    'bad-weight-fraction',
    'weight 1.5 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = 1.5;
    }),
  );
  badRequest(
    'bad-addr',
    'addr "10.0.0.7" (no port, not a URL) → BadRequest.',
    mutate((p) => {
      endpoint0(p).addr = '10.0.0.7';
    }),
  );
  badRequest(
    'endpoints-empty',
    'endpoints [] (1..64 required) → BadRequest.',
    mutate((p) => {
      body(p).endpoints = [];
    }),
  );
  badRequest(
    'tls-not-boolean',
    'tls "yes" → BadRequest.',
    mutate((p) => {
      endpoint0(p).tls = 'yes';
    }),
  );
  badRequest(
    'deprecated-not-boolean',
    'deprecated "true" (a string) → BadRequest.',
    mutate((p) => {
      p.deprecated = 'true';
    }),
  );
  badRequest(
    'prev-non-null-at-version-1',
    'version 1 with a well-formed prev → BadRequest.',
    fresh({ prev: s2.digest }),
    null,
  );
  badRequest(
    'prev-null-at-version-3',
    'version 3 with prev null → BadRequest.',
    mutate((p) => {
      p.prev = null;
    }),
  );
  badRequest(
    'prev-uppercase-hex',
    'prev is the right digest in UPPERCASE hex → BadRequest (not 64 lowercase hex).',
    mutate((p) => {
      p.prev = s2.digest.toUpperCase();
    }),
  );
  badRequest(
    'prev-short',
    'prev of 63 hex digits → BadRequest.',
    mutate((p) => {
      p.prev = s2.digest.slice(1);
    }),
  );
  badRequest(
    'kind-change',
    'Version 3 of the service id with kind node (an id keeps its kind for its whole history; project decision) → BadRequest.',
    mutate((p) => {
      p.kind = 'node';
      p.body = { region: 'us-east-1', addr: '10.0.0.7:443' };
    }),
  );
  badRequest(
    'governance-threshold-too-high',
    'Rotation to {2,3,4,5} with threshold 5 (more than the set size) → BadRequest.',
    governancePayload(2, chain.genesis.digest, ROTATED_SIGNERS, 5),
    headOf(chain.genesis),
  );
  badRequest(
    'governance-duplicate-signers',
    'Rotation whose new signer list names key 2 twice → BadRequest.',
    governancePayload(2, chain.genesis.digest, [2, 2, 3], 2),
    headOf(chain.genesis),
  );

  const k2 = key(2).signerId;
  const k2b64 = k2.slice('ed25519:'.length);
  const padded = `ed25519:${Buffer.from(key(2).publicKey).toString('base64')}`;
  bad({
    name: 'bad-signer-id-padded-base64',
    description: 'signer_id of key 2 in standard base64 with "=" padding → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: padded }],
  });
  // The last of 43 base64url characters carries 4 key bits and 2 bits that must be zero.
  const last = k2b64.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const tweaked = alphabet[alphabet.indexOf(last) ^ 1] ?? 'B';
  bad({
    name: 'bad-signer-id-non-canonical-base64url',
    description:
      'signer_id of key 2 with the unused low bits of the last character set: decodes to the same bytes but is not canonical → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: `ed25519:${k2b64.slice(0, -1)}${tweaked}` }],
  });
  bad({
    name: 'bad-signer-id-prefix',
    description: 'signer_id "ed448:<key 2>" → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), signer_id: `ed448:${k2b64}` }],
  });
  bad({
    name: 'bad-signer-id-short',
    description: 'signer_id of 31 bytes → BadRequest.',
    error: 'BadRequest',
    signatures: [
      v1,
      {
        ...sigJson(v2),
        signer_id: `ed25519:${Buffer.from(key(2).publicKey.subarray(1)).toString('base64url')}`,
      },
    ],
  });
  bad({
    name: 'bad-sig-length',
    description: 'sig of 63 bytes → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), sig: encodeBase64url(decodeSig(v2).subarray(0, 63)) }],
  });
  return out;
}

// --- files ----------------------------------------------------------------------------------

function file(vectors: readonly Vector[]): string {
  const f: VectorFile = { _comment: TEST_ONLY_COMMENT, format: FORMAT, vectors };
  return `${JSON.stringify(f, null, 2)}\n`;
}

function keysFile(): string {
  const keys = K.map(([n, k]) => ({
    n,
    seed_text: testSeedText(n),
    seed_hex: hex(k.secretKey),
    public_key_hex: hex(k.publicKey),
    signer_id: k.signerId,
  }));
  const f = {
    _comment: TEST_ONLY_COMMENT,
    format: FORMAT,
    roles: {
      genesis: 'keys 1, 2, 3; threshold 2',
      rotation: 'governance v2: keys 2, 3, 4, 5; threshold 3 (key 1 removed)',
      outsider: 'key 9 is never allow-listed',
    },
    keys,
  };
  return `${JSON.stringify(f, null, 2)}\n`;
}

/** Every vector file as text, keyed by file name (relative to vectors/). */
export function generateVectors(): Record<string, string> {
  const chain = buildChain();
  return {
    'keys.json': keysFile(),
    'chain.json': file(chain.vectors),
    'valid.json': file(buildValid(chain)),
    'invalid.json': file(buildInvalid(chain)),
  };
}

function main(): void {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  for (const [name, text] of Object.entries(generateVectors())) {
    writeFileSync(`${dir}${name}`, text);
    console.log(`wrote vectors/${name}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
