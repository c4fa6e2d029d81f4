import type { Kind } from './descriptor.types.js';
import { MAX_CONTRACTS, MAX_REFERENCES } from './limits.js';
import { COMPATIBILITY_MODES, COMPATIBILITY_POLICIES } from './schema-body.js';

/**
 * SPEC §2 body schemas of the built-in kinds as JSON Schema 2020-12, published by `GET /kinds`
 * and in the OpenAPI components. The parsers in body.ts and schema-body.ts are what the
 * server enforces; kind-schemas.test.ts checks both agree on a generated corpus. What JSON
 * Schema cannot say is written as `x-registry-rule` and enforced by the parsers only: string
 * bounds in UTF-8 bytes (`maxLength` counts code points), a port in 1..65535, a governance
 * threshold ≤ the number of signers, small-order keys refused.
 */

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$';
const STRING = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  'x-registry-rule': 'at most 1,024 UTF-8 bytes',
};
const ADDR = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  anyOf: [
    {
      // A port of 1..65535 in at most five digits (leading zeros allowed, as the parser reads it).
      pattern:
        '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(?=[0-9]{1,5}$)0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$',
    },
    { pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s]' },
  ],
  'x-registry-rule': 'host:port (an IPv6 literal in brackets), or an absolute URL the WHATWG parser accepts',
};
const WEIGHT = { type: 'integer', minimum: 0, maximum: 65535 };
const ENDPOINT = {
  type: 'object',
  properties: { addr: ADDR, tls: { type: 'boolean' }, weight: WEIGHT },
  required: ['addr', 'tls', 'weight'],
  additionalProperties: false,
};
const LABELS = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { minLength: 1, maxLength: 1024 },
  additionalProperties: { type: 'string', maxLength: 1024 },
};
const VERSION = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const PINNED = {
  type: 'object',
  properties: { id: { type: 'string', pattern: ID_PATTERN }, version: VERSION },
  required: ['id', 'version'],
  additionalProperties: false,
};

const SERVICE = {
  type: 'object',
  properties: {
    name: STRING,
    region: STRING,
    endpoints: { type: 'array', minItems: 1, maxItems: 64, items: ENDPOINT },
    labels: LABELS,
    contracts: {
      type: 'array',
      maxItems: MAX_CONTRACTS,
      uniqueItems: true,
      items: PINNED,
      'x-registry-rule': 'each an existing schema version, when proposed and when applied (SPEC §12)',
    },
  },
  required: ['name', 'region', 'endpoints'],
  additionalProperties: false,
};

const NODE = {
  type: 'object',
  properties: {
    region: STRING,
    addr: ADDR,
    pubkey: STRING,
    capabilities: { type: 'array', maxItems: 64, items: STRING },
    labels: LABELS,
  },
  required: ['region', 'addr'],
  additionalProperties: false,
};

const SCHEMA = {
  type: 'object',
  properties: {
    format: { const: 'json-schema' },
    schema: {
      type: 'object',
      'x-registry-rule':
        'a JSON Schema (2020-12, or draft-07 by $schema) that compiles with ajv strictSchema (SPEC §12)',
    },
    compatibility: { enum: [...COMPATIBILITY_MODES] },
    policy: { enum: [...COMPATIBILITY_POLICIES] },
    description: STRING,
    references: {
      type: 'array',
      maxItems: MAX_REFERENCES,
      items: {
        type: 'object',
        properties: {
          ref: { type: 'string', format: 'uri', pattern: '^[^#]*$', maxLength: 1024 },
          id: { type: 'string', pattern: ID_PATTERN },
          version: VERSION,
        },
        required: ['ref', 'id', 'version'],
        additionalProperties: false,
      },
      'x-registry-rule': 'distinct ref URIs, each naming an existing schema version',
    },
  },
  required: ['format', 'schema'],
  additionalProperties: false,
};

const REGION_MAP = {
  type: 'object',
  properties: {
    regions: {
      type: 'object',
      maxProperties: 1024,
      propertyNames: { pattern: ID_PATTERN },
      additionalProperties: {
        type: 'object',
        properties: {
          services: {
            type: 'array',
            maxItems: 1024,
            items: {
              type: 'object',
              properties: {
                id: { type: 'string', pattern: ID_PATTERN },
                addr: ADDR,
                tls: { type: 'boolean' },
                weight: WEIGHT,
              },
              required: ['id', 'addr', 'tls', 'weight'],
              additionalProperties: false,
            },
          },
        },
        required: ['services'],
        additionalProperties: false,
      },
    },
  },
  required: ['regions'],
  additionalProperties: false,
};

const GOVERNANCE = {
  type: 'object',
  properties: {
    signers: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: '^ed25519:[A-Za-z0-9_-]{43}$',
        'x-registry-rule': 'a 32-byte ed25519 public key that is not of small order',
      },
    },
    threshold: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      'x-registry-rule': 'at most the number of signers',
    },
  },
  required: ['signers', 'threshold'],
  additionalProperties: false,
};

/** `GET /kinds`: the JSON Schema of each kind's body. */
export const KIND_SCHEMAS: Readonly<Record<Kind, Readonly<Record<string, unknown>>>> = {
  service: SERVICE,
  node: NODE,
  schema: SCHEMA,
  region_map: REGION_MAP,
  governance: GOVERNANCE,
};

/** The same documents with `$schema` and a title, as published. */
export function publishedKindSchemas(): Record<Kind, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(KIND_SCHEMAS).map(([kind, s]) => [
      kind,
      { $schema: 'https://json-schema.org/draft/2020-12/schema', title: `${kind} body (SPEC §2)`, ...s },
    ]),
  ) as unknown as Record<Kind, Record<string, unknown>>;
}
