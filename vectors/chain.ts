/** The valid history (chain.json) and the standalone valid edge cases (valid.json). */
import {
  governance,
  governancePayload,
  headOf,
  regionsPayload,
  servicePayload,
  signValid,
  vector,
  withSignatures,
} from './build.js';
import {
  BASE_TS,
  GENESIS_THRESHOLD,
  key,
  MAX_SKEW,
  MINUTE,
  NOW,
  ROTATED_SIGNERS,
  ROTATED_THRESHOLD,
  SERVICE_ID,
} from './test-keys.js';
import type { JsonObject, Vector, VectorGovernance } from './vector.types.js';

// --- the valid history -------------------------------------------------------------------

export interface Chain {
  readonly vectors: readonly Vector[];
  readonly genesisGov: VectorGovernance;
  readonly rotatedGov: VectorGovernance;
  readonly genesis: Vector;
  readonly services: readonly Vector[];
}

export function buildChain(): Chain {
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

export function buildValid(chain: Chain): Vector[] {
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
