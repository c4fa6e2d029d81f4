/**
 * The validate route against an implementation we did not write: Python's `jsonschema`
 * (Debian `python3-jsonschema`), on a corpus of schemas across the keywords of both dialects
 * and of values, hand-picked and generated. Formats are left out: Python's format checks
 * depend on optional packages. Patterns avoid `$`, which Python also matches before a final
 * newline, unlike ECMA-262.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, proposalBody } from './helpers/fixtures.js';
import { skipWithout } from './helpers/require-tool.js';
import { schemaPayload } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

const D7 = 'http://json-schema.org/draft-07/schema#';

const CORPUS: ReadonlyArray<{ schema: Record<string, unknown>; values: unknown[] }> = [
  {
    schema: {
      type: 'object',
      properties: { symbol: { type: 'string' }, price: { type: 'number' } },
      required: ['symbol'],
      additionalProperties: false,
    },
    values: [
      { symbol: 'A' },
      { symbol: 'A', price: 1.5 },
      { price: 1 },
      { symbol: 1 },
      { symbol: 'A', x: 1 },
      [],
    ],
  },
  {
    schema: { type: ['integer', 'string'], minimum: 0, maxLength: 3 },
    values: [0, -1, 1.0, 2.5, 'abc', 'abcd', 'é😀', null],
  },
  {
    schema: { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 3, uniqueItems: true },
    values: [[], [1], [1, 1], [1, 2, 3, 4], [1, '2'], [1, 1.5], {}],
  },
  {
    schema: { prefixItems: [{ type: 'string' }, { type: 'boolean' }], items: false },
    values: [[], ['a'], ['a', true], ['a', true, 1], [1]],
  },
  {
    schema: {
      anyOf: [
        { type: 'string', minLength: 2 },
        { type: 'number', multipleOf: 0.5 },
      ],
    },
    values: ['a', 'ab', 1, 1.5, 1.25, true],
  },
  {
    // ajv's own multipleOf reads 8.6e+65 as 8 (parseInt): schema-compile.ts replaces it.
    schema: { type: 'array', items: { anyOf: [{ multipleOf: 3 }, { multipleOf: 0.1 }] } },
    values: [[3, 9e300, 1e22, 0.3, 0.5, 0.7, 1e-7, -6, 7], [4], [1.7976931348623157e308], [2 ** 53 + 2]],
  },
  {
    schema: { oneOf: [{ type: 'integer' }, { type: 'number', minimum: 10 }] },
    values: [1, 10, 10.5, 9.5, 'x'],
  },
  {
    schema: { enum: [1, 'a', null, [1, 2], { k: true }] },
    values: [1, 1.0, 'a', null, [1, 2], [2, 1], { k: true }, { k: 1 }, true],
  },
  { schema: { const: { a: [1, 2] } }, values: [{ a: [1, 2] }, { a: [1, 2], b: 1 }, { a: [2, 1] }] },
  {
    schema: {
      type: 'object',
      patternProperties: { '^x-': { type: 'string' } },
      additionalProperties: { type: 'number' },
      propertyNames: { maxLength: 5 },
      minProperties: 1,
    },
    values: [{}, { 'x-a': 's' }, { 'x-a': 1 }, { n: 1 }, { n: 's' }, { toolong: 1 }],
  },
  {
    schema: {
      $defs: {
        node: {
          type: 'object',
          properties: { v: { type: 'integer' }, next: { $ref: '#/$defs/node' } },
          required: ['v'],
        },
      },
      $ref: '#/$defs/node',
    },
    values: [{ v: 1 }, { v: 1, next: { v: 2 } }, { v: 1, next: { w: 2 } }, { v: 'x' }],
  },
  {
    schema: {
      if: { properties: { kind: { const: 'a' } } },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword, never awaited
      then: { required: ['a'] },
      else: { required: ['b'] },
    },
    values: [{ kind: 'a', a: 1 }, { kind: 'a' }, { kind: 'b', b: 1 }, { kind: 'b', a: 1 }, 5],
  },
  {
    schema: { type: 'object', dependentRequired: { a: ['b'] }, dependentSchemas: { c: { required: ['d'] } } },
    values: [{}, { a: 1 }, { a: 1, b: 1 }, { c: 1 }, { c: 1, d: 1 }],
  },
  { schema: { not: { type: 'null' }, exclusiveMaximum: 5 }, values: [null, 5, 4.99, 'x', 6] },
  {
    schema: { type: 'array', contains: { type: 'integer' }, minContains: 2, maxContains: 3 },
    values: [[1], [1, 2], [1, 2, 3, 4], ['a', 1, 2], []],
  },
  {
    schema: {
      type: 'object',
      properties: { a: { type: 'integer' } },
      allOf: [{ properties: { b: { type: 'string' } } }],
      unevaluatedProperties: false,
    },
    values: [{ a: 1 }, { a: 1, b: 's' }, { c: 1 }, { b: 2 }],
  },
  {
    schema: { type: 'string', pattern: '^[a-z]{2}', minLength: 1 },
    values: ['ab', 'abc', 'a', 'AB', '', 'ab\n'],
  },
  {
    schema: { $schema: D7, items: [{ type: 'string' }], additionalItems: { type: 'integer' }, maxItems: 3 },
    values: [[], ['a'], ['a', 1], ['a', 'b'], [1], ['a', 1, 2, 3]],
  },
  {
    schema: {
      $schema: D7,
      type: 'object',
      dependencies: { a: ['b'], c: { required: ['d'] } },
      definitions: { x: { type: 'integer' } },
      properties: { n: { $ref: '#/definitions/x' } },
    },
    values: [{}, { a: 1 }, { a: 1, b: 2 }, { c: 1 }, { n: 1.5 }, { n: 2 }],
  },
];

/** Generated values on top of the hand-picked ones: any small JSON value, the same every run. */
const GENERATED = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 30, seed: 17 });

const PYTHON = `
import json, sys
from jsonschema import Draft202012Validator, Draft7Validator
out = []
for case in json.load(sys.stdin):
    s = case["schema"]
    cls = Draft7Validator if s.get("$schema", "").startswith("http://json-schema.org/draft-07") else Draft202012Validator
    v = cls(s)
    out.append([v.is_valid(x) for x in case["values"]])
json.dump(out, sys.stdout)
`;

// test/system-packages: npm test installs python3-jsonschema; a plain vitest run skips without it.
const skip = skipWithout('/usr/lib/python3/dist-packages/jsonschema');

describe.skipIf(skip)('the validate route and Python jsonschema', () => {
  let srv: TestServer;
  let token: string;
  beforeAll(async () => {
    srv = await startTestServer({ WRITE_RATE: '1000' });
    token = srv.token(ALL_SCOPES);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('agree on every value of the corpus', async () => {
    const cases = CORPUS.map((c) => ({ schema: c.schema, values: [...c.values, ...GENERATED] }));
    const py = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const peer = JSON.parse(py.stdout) as boolean[][];
    const base = `${srv.url}/v1/registry`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const disagreements: string[] = [];
    let checked = 0;
    for (const [i, c] of cases.entries()) {
      const payload = schemaPayload(`peer-${i}`, { format: 'json-schema', schema: c.schema });
      const p = await fetch(`${base}/proposals`, {
        method: 'POST',
        headers,
        body: JSON.stringify(proposalBody(payload, [KEYS[0], KEYS[1]])),
      });
      expect(p.status, await p.clone().text()).toBe(202);
      const { proposal_id } = (await p.json()) as { proposal_id: string };
      expect((await fetch(`${base}/apply/${proposal_id}`, { method: 'POST', headers })).status).toBe(200);
      for (const [j, value] of c.values.entries()) {
        const r = await fetch(`${base}/schemas/peer-${i}/validate`, {
          method: 'POST',
          headers,
          body: JSON.stringify(value),
        });
        const { valid } = (await r.json()) as { valid: boolean };
        checked++;
        if (valid !== peer[i]?.[j]) {
          disagreements.push(
            `${JSON.stringify(c.schema)} on ${JSON.stringify(value)}: route ${valid}, python ${peer[i]?.[j]}`,
          );
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(600);
  });
});
