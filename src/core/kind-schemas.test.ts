import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYS } from '../../test/helpers/core-fixtures.js';
import { parseBody } from './body.js';
import type { Kind } from './descriptor.types.js';
import { isRegistryError } from './errors.js';
import { KIND_SCHEMAS, publishedKindSchemas } from './kind-schemas.js';
import { compileSchema } from './schema-compile.js';

type Json = Record<string, unknown>;
type Mutation = (b: Json) => void;

const ADDRS = [
  '10.0.0.7:443',
  'host:1',
  'h.example:65535',
  'https://api.example',
  'host:0',
  'host:65536',
  'no-port',
  '',
  7,
];
const STRINGS = ['x', '', 'a'.repeat(1024), 'a'.repeat(1025), 5, null, 'é'];
const NUMBERS = [0, 1, 100, 65535, 65536, -1, 1.5, '1', true];
const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

function get(b: Json, path: readonly string[]): Json | undefined {
  let cur: unknown = b;
  for (const k of path) cur = (cur as Json | undefined)?.[k];
  return typeof cur === 'object' && cur !== null ? (cur as Json) : undefined;
}

/** Sets (or with `undefined` deletes) `key` under `path`, when that container exists. */
function set(path: readonly string[], key: string, value: unknown): Mutation {
  return (b) => {
    const o = get(b, path);
    if (o === undefined) return;
    if (value === undefined) delete o[key];
    else o[key] = value;
  };
}

const BASES: Record<Kind, () => Json> = {
  service: () => ({
    name: 'svc',
    region: 'us-east-1',
    endpoints: [{ addr: '10.0.0.7:443', tls: true, weight: 100 }],
    labels: { tier: 'gold' },
    contracts: [{ id: 'ticks', version: 1 }],
  }),
  node: () => ({ region: 'eu-west-1', addr: 'node-1:9000', pubkey: 'k', capabilities: ['gpu'], labels: {} }),
  schema: () => ({
    format: 'json-schema',
    schema: { type: 'object' },
    compatibility: 'FULL',
    policy: 'lenient',
    description: 'd',
    references: [{ ref: 'https://schemas.example/m', id: 'm', version: 2 }],
  }),
  region_map: () => ({
    regions: { 'us-east-1': { services: [{ id: 'svc-a', addr: '10.0.0.1:443', tls: false, weight: 5 }] } },
  }),
  governance: () => ({ signers: KEYS.slice(0, 3).map((k) => k.signerId), threshold: 2 }),
};

/** Mutations that keep to what both a JSON Schema and the parser can say (ASCII, ports, real keys). */
function mutations(kind: Kind, i: number): Mutation[] {
  const common: Mutation[] = [
    set([], 'unknown', 1),
    (b) => set([], Object.keys(b)[i % Object.keys(b).length] ?? 'x', undefined)(b),
  ];
  switch (kind) {
    case 'service':
      return [
        ...common,
        set([], 'name', at(STRINGS, i)),
        set(['endpoints', '0'], 'addr', at(ADDRS, i)),
        set(['endpoints', '0'], 'weight', at(NUMBERS, i)),
        set(['endpoints', '0'], 'tls', at([true, 'yes', 1], i)),
        set(['endpoints', '0'], 'extra', true),
        set(
          [],
          'endpoints',
          at([[], 'x', Array.from({ length: 65 }, () => ({ addr: 'h:1', tls: true, weight: 1 }))], i),
        ),
        set(['labels'], at(['k', ''], i), at(['v', '', 3], i)),
        set(
          [],
          'contracts',
          at(
            [
              [],
              [{ id: 'a', version: 0 }],
              [{ id: '/bad', version: 1 }],
              [{ id: 'a' }],
              Array.from({ length: 17 }, (_, n) => ({ id: 'a', version: n + 1 })),
            ],
            i,
          ),
        ),
      ];
    case 'node':
      return [
        ...common,
        set([], 'addr', at(ADDRS, i)),
        set([], 'pubkey', at(STRINGS, i)),
        set([], 'capabilities', at([[], ['a', ''], 'gpu', Array.from({ length: 65 }, () => 'c')], i)),
      ];
    case 'schema':
      return [
        ...common,
        set([], 'format', at(['json-schema', 'avro', 1], i)),
        set([], 'schema', at([{}, [], 'x', null], i)),
        set([], 'compatibility', at(['NONE', 'FULL_TRANSITIVE', 'full', 3], i)),
        set([], 'policy', at(['strict', 'loose'], i)),
        set([], 'description', at(STRINGS, i)),
        set(['references', '0'], 'version', at(NUMBERS, i)),
        set(['references', '0'], 'id', at(['ok', '/no', ''], i)),
        set(['references', '0'], 'ref', at(['not a uri', 'https://a.example/x#frag', 'urn:x:y'], i)),
      ];
    case 'region_map':
      return [
        ...common,
        set(['regions'], at(['eu-west-1', '/bad', ''], i), { services: [] }),
        set(['regions', 'us-east-1', 'services', '0'], 'addr', at(ADDRS, i)),
        set(['regions', 'us-east-1', 'services', '0'], 'id', at(['svc-b', 'bad id'], i)),
        set(['regions', 'us-east-1'], 'services', at([[], 'x'], i)),
      ];
    case 'governance':
      return [
        ...common,
        set([], 'threshold', at([0, 1, 3, 1.5, '1', 65, null], i)),
        set([], 'signers', at([[], ['ed25519:short'], [KEYS[1]?.signerId, KEYS[1]?.signerId], 'x'], i)),
      ];
  }
}

const KINDS = Object.keys(KIND_SCHEMAS) as Kind[];
const VALIDATORS = Object.fromEntries(
  KINDS.map((k) => [k, compileSchema(KIND_SCHEMAS[k], [], '')]),
) as Record<Kind, ReturnType<typeof compileSchema>>;

function parserAccepts(kind: Kind, b: Json): boolean {
  try {
    parseBody(kind, b);
    return true;
  } catch (err) {
    if (isRegistryError(err, 'BadRequest')) return false;
    throw err;
  }
}

describe('KIND_SCHEMAS', () => {
  it('compile in strict mode and are published with $schema', () => {
    for (const [kind, s] of Object.entries(publishedKindSchemas())) {
      expect(s.$schema, kind).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => compileSchema(s, [], '')).not.toThrow();
    }
  });

  it('accept the valid body of every kind', () => {
    for (const kind of KINDS) {
      expect(VALIDATORS[kind].validate(BASES[kind]()).valid, kind).toBe(true);
      expect(parserAccepts(kind, BASES[kind]()), kind).toBe(true);
    }
  });

  it('agree with the hand-written parsers on valid and invalid bodies', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.array(fc.tuple(fc.nat(20), fc.nat(20)), { maxLength: 3 }),
        (kind, picks) => {
          const b = BASES[kind]();
          for (const [m, i] of picks) {
            const list = mutations(kind, i);
            list[m % list.length]?.(b);
          }
          expect(VALIDATORS[kind].validate(b).valid).toBe(parserAccepts(kind, b));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
