import type { RegistryClient } from '../../client/index.js';
import {
  isRegistryError,
  type Payload,
  RegistryError,
  type SigningKey,
  signPayload,
} from '../../core/index.js';

type Body<K extends Payload['kind']> = Extract<Payload, { kind: K }>['body'];

const SERVICES: ReadonlyArray<{ id: string; body: Body<'service'> }> = [
  {
    id: 'svc-storage@us-east-1',
    body: {
      name: 'svc-storage',
      region: 'us-east-1',
      endpoints: [
        { addr: '10.0.0.7:443', tls: true, weight: 100 },
        { addr: '10.0.0.8:443', tls: true, weight: 50 },
      ],
      labels: { tier: 'storage' },
    },
  },
  {
    id: 'svc-storage@eu-west-1',
    body: {
      name: 'svc-storage',
      region: 'eu-west-1',
      endpoints: [{ addr: '10.1.0.7:443', tls: true, weight: 100 }],
      labels: { tier: 'storage' },
    },
  },
  {
    id: 'svc-gateway@us-east-1',
    body: {
      name: 'svc-gateway',
      region: 'us-east-1',
      endpoints: [{ addr: 'https://gw.us-east-1.example.internal:8443', tls: true, weight: 100 }],
    },
  },
];

const REGIONS: Body<'region_map'> = {
  regions: {
    'us-east-1': {
      services: [
        { id: 'svc-storage@us-east-1', addr: '10.0.0.7:443', tls: true, weight: 100 },
        {
          id: 'svc-gateway@us-east-1',
          addr: 'https://gw.us-east-1.example.internal:8443',
          tls: true,
          weight: 100,
        },
      ],
    },
    'eu-west-1': {
      services: [{ id: 'svc-storage@eu-west-1', addr: '10.1.0.7:443', tls: true, weight: 100 }],
    },
  },
};

/** The sample data: three services and a region map. */
export function samplePayloads(now: number): Payload[] {
  return [
    ...SERVICES.map(
      (s): Payload => ({ id: s.id, version: 1, kind: 'service', body: s.body, prev: null, ts: now }),
    ),
    { id: 'regions', version: 1, kind: 'region_map', body: REGIONS, prev: null, ts: now },
  ];
}

async function hasHead(client: RegistryClient, id: string): Promise<boolean> {
  try {
    await client.get(id);
    return true;
  } catch (err) {
    if (isRegistryError(err, 'NotFound')) return false;
    throw err;
  }
}

/**
 * Seeds the sample data through the real path, over HTTP: propose with the first signer,
 * co-sign with the second, apply. An id that already has a head is left alone, so a second
 * run (or a run after an interrupted first one) seeds nothing twice.
 */
export async function seedSamples(
  client: RegistryClient,
  keys: readonly SigningKey[],
  now: number,
): Promise<{ seeded: string[]; kept: string[] }> {
  const seeded: string[] = [];
  const kept: string[] = [];
  const [first, second] = keys;
  if (first === undefined || second === undefined)
    throw new RegistryError('BadRequest', 'seeding needs two dev signers');
  for (const payload of samplePayloads(now)) {
    if (await hasHead(client, payload.id)) {
      kept.push(payload.id);
      continue;
    }
    const p = await client.propose(payload, [signPayload(payload, first, now)]);
    await client.cosign(p.proposal_id, [signPayload(payload, second, now)]);
    await client.apply(p.proposal_id);
    seeded.push(payload.id);
  }
  return { seeded, kept };
}
