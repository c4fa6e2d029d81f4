import type { Payload } from '../../src/core/index.js';
import type { Registry } from '../../src/registry/index.js';
import { KEYS, proposalBody, publish, servicePayload } from './fixtures.js';

/** Hostile label values: the console must show them as text, never as markup. */
export const XSS_SCRIPT = '<script>window.__pwned = 1</script>';
export const XSS_ATTR = '"><img src=x onerror="window.__pwned=2">';

/**
 * A small registry with something on every console page: two versions of svc-a, a
 * deprecated svc-b, hostile labels on svc-xss, a region map and one pending proposal.
 */
export async function seedConsole(r: Registry): Promise<{ pendingId: string }> {
  const a1 = await publish(r, servicePayload('svc-a'));
  await publish(
    r,
    servicePayload('svc-a', 2, a1.digest, {
      body: {
        name: 'svc-a',
        region: 'us-east-1',
        endpoints: [{ addr: '10.0.0.8:443', tls: true, weight: 50 }],
        labels: { tier: 'gold' },
      },
    } as Partial<Payload>),
  );
  const b1 = await publish(r, servicePayload('svc-b'));
  await publish(r, servicePayload('svc-b', 2, b1.digest, { deprecated: true }));
  await publish(
    r,
    servicePayload('svc-xss', 1, null, {
      body: {
        name: 'svc-xss',
        region: 'eu-west-1',
        endpoints: [{ addr: '10.0.1.1:80', tls: false, weight: 1 }],
        labels: { script: XSS_SCRIPT, attr: XSS_ATTR },
      },
    } as Partial<Payload>),
  );
  await publish(r, {
    id: 'regions',
    version: 1,
    kind: 'region_map',
    prev: null,
    ts: servicePayload('x').ts,
    body: {
      regions: {
        'us-east-1': { services: [{ id: 'svc-a', addr: '10.0.0.8:443', tls: true, weight: 50 }] },
        'eu-west-1': { services: [{ id: 'svc-xss', addr: '10.0.1.1:80', tls: false, weight: 1 }] },
      },
    },
  } as Payload);
  const pending = await r.propose(proposalBody(servicePayload('svc-new'), [KEYS[0]]));
  return { pendingId: pending.proposal_id };
}
