/**
 * SPEC §10 bar: a compatibility check of two 200-property schemas takes ≤ 2 × the time ajv
 * takes to compile both (with SPEC §12's options: strictSchema, allowUnionTypes,
 * ajv-formats). Median over several rounds of each, same run, same process; prints the ratio.
 * Run: npx tsx bench/schema-compat.ts
 */
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { type CompatMode, checkCompatibility, type SchemaDoc } from '../src/core/schema-compat/index.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ROUNDS = 15;
const PROPERTIES = 200;

/** A realistic event schema: typed, bounded properties, some enums, nested objects and arrays. */
function property(i: number, widened: boolean): unknown {
  switch (i % 6) {
    case 0:
      return { type: 'string', minLength: 1, maxLength: widened ? 128 : 64, description: `field ${i}` };
    case 1:
      return { type: widened ? 'number' : 'integer', minimum: 0, maximum: 1_000_000 };
    case 2:
      return { enum: ['new', 'active', 'closed', ...(widened ? ['archived'] : [])] };
    case 3:
      return {
        type: 'object',
        properties: { amount: { type: 'number' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
        required: ['amount', 'currency'],
        additionalProperties: false,
      };
    case 4:
      return { type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: 32, uniqueItems: true };
    default:
      return { type: ['string', 'null'], format: 'date-time' };
  }
}

function schema(widened: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < PROPERTIES; i++) properties[`p${i}`] = property(i, widened && i % 10 === 0);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties,
    required: ['p0', 'p1', 'p2'],
    additionalProperties: false,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const older: SchemaDoc = { schema: schema(false), dialect: '2020-12' };
const newer: SchemaDoc = { schema: schema(true), dialect: '2020-12' };

const compileBoth = (): void => {
  // A fresh instance each round: ajv caches compiled schemas.
  const ajv = new Ajv2020({
    strictSchema: true,
    allowUnionTypes: true,
    strictTypes: false,
    strictTuples: false,
  });
  addFormats(ajv);
  ajv.compile(structuredClone(older.schema) as object);
  ajv.compile(structuredClone(newer.schema) as object);
};

const modes: CompatMode[] = ['BACKWARD', 'FULL'];
const violations = checkCompatibility(older, newer, 'FULL', 'strict');
if (checkCompatibility(older, newer, 'BACKWARD', 'strict').length !== 0)
  throw new Error('expected BACKWARD-compatible');
for (let i = 0; i < 3; i++) {
  compileBoth();
  for (const m of modes) checkCompatibility(older, newer, m, 'strict');
}

const compileMs: number[] = [];
const checkMs: Record<string, number[]> = { BACKWARD: [], FULL: [] };
for (let r = 0; r < ROUNDS; r++) {
  compileMs.push(time(compileBoth));
  for (const m of modes) checkMs[m]?.push(time(() => checkCompatibility(older, newer, m, 'strict')));
}
const c = median(compileMs);
console.log(`ajv compile of both 200-property schemas: median ${c.toFixed(2)} ms over ${ROUNDS} rounds`);
for (const m of modes) {
  const k = median(checkMs[m] ?? []);
  console.log(
    `checkCompatibility ${m.padEnd(8)}: median ${k.toFixed(2)} ms, ratio ${(k / c).toFixed(3)} × (bar ≤ 2)`,
  );
}
console.log(`FULL finds ${violations.length} violations (the widened properties, read FORWARD)`);
