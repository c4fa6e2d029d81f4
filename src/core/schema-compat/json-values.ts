import type { Budget } from './budget.js';

export type JsonObject = { readonly [k: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type of a value; `integer` for numbers with no fractional part (as ajv). */
export function jsonType(
  v: unknown,
): 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/**
 * A key equal for JSON-equal values (object key order ignored, as ajv's deep equality), so
 * enum membership is a Set lookup even for a 100k-element enum.
 */
export function canonKey(v: unknown, budget: Budget): string {
  budget.step();
  if (Array.isArray(v)) return `[${v.map((x) => canonKey(x, budget)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonKey(v[k], budget)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** Unicode code points, as ajv counts string lengths. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
