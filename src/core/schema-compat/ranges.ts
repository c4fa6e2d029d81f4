import type { Node } from './doc.js';
import type { JsonObject } from './json-values.js';
import { num } from './keywords.js';

/** A bound: `x` when exclusive. */
export interface Bound {
  readonly v: number;
  readonly x: boolean;
}

export interface Range {
  readonly lo: Bound | undefined;
  readonly hi: Bound | undefined;
}

function tighter(a: Bound | undefined, b: Bound, lower: boolean): Bound {
  if (a === undefined) return b;
  if (a.v !== b.v) return lower === a.v > b.v ? a : b;
  return a.x ? a : b;
}

/** The numbers all `atoms` admit; integer bounds rounded inwards when `integer`. */
export function numberRange(atoms: readonly Node[], integer: boolean): Range {
  let lo: Bound | undefined;
  let hi: Bound | undefined;
  for (const a of atoms) {
    const o = a.schema as JsonObject;
    for (const [k, x] of [
      ['minimum', false],
      ['exclusiveMinimum', true],
    ] as const) {
      const v = num(o, k);
      if (v !== undefined) lo = tighter(lo, { v, x }, true);
    }
    for (const [k, x] of [
      ['maximum', false],
      ['exclusiveMaximum', true],
    ] as const) {
      const v = num(o, k);
      if (v !== undefined) hi = tighter(hi, { v, x }, false);
    }
  }
  if (integer) {
    if (lo !== undefined) lo = { v: lo.x ? Math.floor(lo.v) + 1 : Math.ceil(lo.v), x: false };
    if (hi !== undefined) hi = { v: hi.x ? Math.ceil(hi.v) - 1 : Math.floor(hi.v), x: false };
  }
  return { lo, hi };
}

/** A count range (lengths, item and property counts): max of the minimums, min of the maximums. */
export function countRange(atoms: readonly Node[], minKw: string, maxKw: string, floor = 0): Range {
  let lo = floor;
  let hi = Number.POSITIVE_INFINITY;
  for (const a of atoms) {
    const o = a.schema as JsonObject;
    lo = Math.max(lo, num(o, minKw) ?? 0);
    hi = Math.min(hi, num(o, maxKw) ?? Number.POSITIVE_INFINITY);
  }
  return { lo: { v: lo, x: false }, hi: hi === Number.POSITIVE_INFINITY ? undefined : { v: hi, x: false } };
}

export function isEmptyRange(r: Range): boolean {
  if (r.lo === undefined || r.hi === undefined) return false;
  return r.lo.v > r.hi.v || (r.lo.v === r.hi.v && (r.lo.x || r.hi.x));
}

/** No number lies in both. */
export function disjointRanges(a: Range, b: Range): boolean {
  const below = (h: Bound | undefined, l: Bound | undefined): boolean =>
    h !== undefined && l !== undefined && (h.v < l.v || (h.v === l.v && (h.x || l.x)));
  return below(a.hi, b.lo) || below(b.hi, a.lo);
}

/** Is `inner`'s lower bound at or above `outer`'s? */
export function lowerWithin(inner: Bound | undefined, outer: Bound): boolean {
  return inner !== undefined && (inner.v > outer.v || (inner.v === outer.v && (inner.x || !outer.x)));
}

export function upperWithin(inner: Bound | undefined, outer: Bound): boolean {
  return inner !== undefined && (inner.v < outer.v || (inner.v === outer.v && (inner.x || !outer.x)));
}
