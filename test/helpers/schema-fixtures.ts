import type { Payload } from '../../src/core/index.js';
import type { CompatChecker } from '../../src/registry/index.js';
import { NOW } from './fixtures.js';

/** A `schema` payload (SPEC §12) with `body` as given. */
export function schemaPayload(
  id: string,
  body: Record<string, unknown>,
  version = 1,
  prev: string | null = null,
): Payload {
  return { id, version, kind: 'schema', prev, ts: NOW, body } as unknown as Payload;
}

/** The SPEC §12 example: level-1 tick data. */
export const TICKS_V1 = {
  format: 'json-schema',
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { symbol: { type: 'string' }, price: { type: 'number' } },
    required: ['symbol'],
    additionalProperties: false,
  },
  compatibility: 'BACKWARD',
  description: 'Level-1 tick data',
};

/** A 20-property object schema (the SPEC §10 validation bar) and a ~1 KB value valid under it. */
export function twentyProperties(): { schema: Record<string, unknown>; value: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  const value: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) {
    const kind = i % 4;
    if (kind === 0) {
      properties[`s${i}`] = { type: 'string', minLength: 1, maxLength: 128 };
      value[`s${i}`] = `value-${i}-${'x'.repeat(100)}`;
    } else if (kind === 1) {
      properties[`n${i}`] = { type: 'number', minimum: 0 };
      value[`n${i}`] = i * 1.5;
    } else if (kind === 2) {
      properties[`e${i}`] = { enum: ['red', 'green', 'blue'] };
      value[`e${i}`] = 'green';
    } else {
      properties[`a${i}`] = { type: 'array', items: { type: 'integer' }, maxItems: 32 };
      value[`a${i}`] = Array.from({ length: 16 }, (_, n) => n * 7);
    }
  }
  return {
    schema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
    value,
  };
}

/**
 * A stand-in compatibility checker with one exact rule, so the engine, routes and console are
 * tested apart from the real checker: under BACKWARD or FULL a newly `required` name breaks
 * old data.
 */
export const requiredAdded: CompatChecker = (older, newer, mode) => {
  if (mode === 'FORWARD' || mode === 'NONE') return [];
  const was = new Set((older.schema as { required?: string[] }).required ?? []);
  const now = (newer.schema as { required?: string[] }).required ?? [];
  return now
    .filter((n) => !was.has(n))
    .map((n) => ({ path: '/required', change: 'required-added', message: `${n} is now required` }));
};
