import type { Values } from './command.types.js';
import { UsageError } from './usage-error.js';

/** The last value of a string flag, or undefined. */
export function optString(values: Values, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

export function reqString(values: Values, name: string): string {
  const v = optString(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Every value of a repeatable string flag, in order. */
export function strings(values: Values, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A non-negative integer flag. */
export function optInt(values: Values, name: string, min = 0): number | undefined {
  const raw = optString(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} ${JSON.stringify(raw)} must be an integer ≥ ${min}`);
  }
  return n;
}
