import type {
  GovernanceBody,
  Kind,
  NodeBody,
  RegionMapBody,
  SchemaBody,
  ServiceBody,
} from './descriptor.types.js';
import { badRequest } from './errors.js';
import {
  MAX_CAPABILITIES,
  MAX_ENDPOINTS,
  MAX_LABELS,
  MAX_REGION_SERVICES,
  MAX_REGIONS,
  MAX_SIGNERS,
} from './limits.js';
import { parseContracts, parseSchemaBody } from './schema-body.js';
import { addr, array, boolean, id, integer, object, string } from './shape.js';
import { keyProblem, parseSignerId } from './signer-id.js';

/** SPEC §2 body schemas, strict: an unknown field anywhere is a BadRequest. */
export function parseBody(
  kind: Kind,
  raw: unknown,
): ServiceBody | NodeBody | SchemaBody | RegionMapBody | GovernanceBody {
  switch (kind) {
    case 'service':
      return parseServiceBody(raw);
    case 'node':
      return parseNodeBody(raw);
    case 'schema':
      return parseSchemaBody(raw);
    case 'region_map':
      return parseRegionMapBody(raw);
    case 'governance':
      return parseGovernanceBody(raw);
    default: {
      const never: never = kind;
      throw badRequest('kind', `unknown kind ${String(never)}`);
    }
  }
}

function endpoint(raw: unknown, field: string): void {
  const e = object(raw, field, ['addr', 'tls', 'weight'], ['addr', 'tls', 'weight']);
  addr(e.addr, `${field}.addr`);
  boolean(e.tls, `${field}.tls`);
  integer(e.weight, `${field}.weight`, 0, 65535);
}

function labels(raw: unknown, field: string): void {
  const l = object(raw, field, Object.keys(raw ?? {}), []);
  const keys = Object.keys(l);
  if (keys.length > MAX_LABELS) throw badRequest(field, `at most ${MAX_LABELS} labels`);
  for (const k of keys) {
    string(k, `${field} key`);
    string(l[k], `${field}.${k}`, { min: 0 });
  }
}

export function parseServiceBody(raw: unknown): ServiceBody {
  const b = object(
    raw,
    'body',
    ['name', 'region', 'endpoints', 'labels', 'contracts'],
    ['name', 'region', 'endpoints'],
  );
  string(b.name, 'body.name');
  string(b.region, 'body.region');
  for (const [i, e] of array(b.endpoints, 'body.endpoints', 1, MAX_ENDPOINTS).entries()) {
    endpoint(e, `body.endpoints[${i}]`);
  }
  if (b.labels !== undefined) labels(b.labels, 'body.labels');
  if (b.contracts !== undefined) parseContracts(b.contracts, '/descriptor/body/contracts');
  return b as unknown as ServiceBody;
}

export function parseNodeBody(raw: unknown): NodeBody {
  const b = object(raw, 'body', ['region', 'addr', 'pubkey', 'capabilities', 'labels'], ['region', 'addr']);
  string(b.region, 'body.region');
  addr(b.addr, 'body.addr');
  if (b.pubkey !== undefined) string(b.pubkey, 'body.pubkey');
  if (b.capabilities !== undefined) {
    for (const [i, c] of array(b.capabilities, 'body.capabilities', 0, MAX_CAPABILITIES).entries()) {
      string(c, `body.capabilities[${i}]`);
    }
  }
  if (b.labels !== undefined) labels(b.labels, 'body.labels');
  return b as unknown as NodeBody;
}

export function parseRegionMapBody(raw: unknown): RegionMapBody {
  const b = object(raw, 'body', ['regions'], ['regions']);
  const regions = object(b.regions, 'body.regions', Object.keys(b.regions ?? {}), []);
  const names = Object.keys(regions);
  if (names.length > MAX_REGIONS) throw badRequest('body.regions', `at most ${MAX_REGIONS} regions`);
  for (const name of names) {
    const field = `body.regions.${name}`;
    id(name, `${field} (region id)`);
    const region = object(regions[name], field, ['services'], ['services']);
    array(region.services, `${field}.services`, 0, MAX_REGION_SERVICES).forEach((s, i) => {
      const f = `${field}.services[${i}]`;
      const svc = object(s, f, ['id', 'addr', 'tls', 'weight'], ['id', 'addr', 'tls', 'weight']);
      id(svc.id, `${f}.id`);
      endpoint({ addr: svc.addr, tls: svc.tls, weight: svc.weight }, f);
    });
  }
  return b as unknown as RegionMapBody;
}

export function parseGovernanceBody(raw: unknown): GovernanceBody {
  const b = object(raw, 'body', ['signers', 'threshold'], ['signers', 'threshold']);
  const signers = array(b.signers, 'body.signers', 1, MAX_SIGNERS).map((s, i) => {
    const signer = parseSignerId(s, `body.signers[${i}]`);
    // A governance set is a trust root: every member must be a usable key (SPEC §8 guardrail).
    const problem = keyProblem(signer);
    if (problem !== null) throw badRequest(`body.signers[${i}]`, `${signer} ${problem}`);
    return signer;
  });
  if (new Set(signers).size !== signers.length) throw badRequest('body.signers', 'signers must be distinct');
  integer(b.threshold, 'body.threshold', 1, signers.length);
  return b as unknown as GovernanceBody;
}
