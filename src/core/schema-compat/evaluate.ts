import type { Budget } from './budget.js';
import { child, type Node, resolveRef } from './doc.js';
import { canonKey, codePointLength, isObject, type JsonObject, jsonType } from './json-values.js';
import {
  allows,
  dependentRequired,
  dependentSchemas,
  itemAt,
  num,
  objectOf,
  opaqueKeywords,
  stringList,
  typesOf,
} from './keywords.js';
import { matchLiteralPattern } from './pattern-literal.js';

/** A value's verdict under a schema: valid, or why not (`no`) or why it is not known. */
export type Verdict = true | Fail;
export interface Fail {
  readonly verdict: 'no' | 'unknown';
  readonly ptr: string;
  readonly keyword: string;
}

const enumSets = new WeakMap<readonly unknown[], ReadonlySet<string>>();

/**
 * Three-valued validation of one concrete value (an `enum`/`const` value of the other
 * schema, itself attacker-controlled) with ajv's semantics for the keywords it models;
 * `unknown` for `pattern`s that are not literals, `format`, and unmodelled keywords.
 */
export function evaluate(n: Node, v: unknown, budget: Budget): Verdict {
  return evalNode(n, v, budget, new Set());
}

function evalNode(n: Node, v: unknown, budget: Budget, seen: Set<string>): Verdict {
  return budget.deeper(() => evalIn(n, v, budget, seen));
}

function evalIn(n: Node, v: unknown, budget: Budget, seen: Set<string>): Verdict {
  budget.step();
  if (n.schema === true) return true;
  if (!isObject(n.schema))
    return { verdict: n.schema === false ? 'no' : 'unknown', ptr: n.ptr, keyword: 'false' };
  const o = n.schema;
  const acc = new Acc();
  acc.add(evalOwn(n, o, v, budget));
  if (typeof o.$ref === 'string') {
    const target = resolveRef(n, o.$ref);
    const key = target === undefined ? '' : n.doc.registry.key(target);
    if (target === undefined || seen.has(key)) acc.add(unknown(n, '$ref'));
    else acc.add(evalNode(target, v, budget, new Set(seen).add(key)));
  }
  const list = (k: string): Node[] => (Array.isArray(o[k]) ? o[k].map((_, i) => child(n, k, i)) : []);
  for (const m of list('allOf')) acc.add(evalNode(m, v, budget, seen));
  if ('anyOf' in o) acc.add(anyOf(n, list('anyOf'), v, budget, seen));
  if ('oneOf' in o) acc.add(oneOf(n, list('oneOf'), v, budget, seen));
  if ('not' in o) {
    const r = evalNode(child(n, 'not'), v, budget, seen);
    acc.add(r === true ? fail(n, 'not') : r.verdict === 'no' ? true : r);
  }
  if ('if' in o) {
    const c = evalNode(child(n, 'if'), v, budget, seen);
    const branch = (k: string): Verdict => (k in o ? evalNode(child(n, k), v, budget, seen) : true);
    if (c === true) acc.add(branch('then'));
    else if (c.verdict === 'no') acc.add(branch('else'));
    else acc.add(branch('then') === true && branch('else') === true ? true : c);
  }
  return acc.result;
}

function anyOf(n: Node, ms: Node[], v: unknown, budget: Budget, seen: Set<string>): Verdict {
  let undecided = false;
  for (const m of ms) {
    const r = evalNode(m, v, budget, seen);
    if (r === true) return true;
    if (r.verdict === 'unknown') undecided = true;
  }
  return undecided ? unknown(n, 'anyOf') : fail(n, 'anyOf');
}

function oneOf(n: Node, ms: Node[], v: unknown, budget: Budget, seen: Set<string>): Verdict {
  let yes = 0;
  let undecided = false;
  for (const m of ms) {
    const r = evalNode(m, v, budget, seen);
    if (r === true) yes++;
    else if (r.verdict === 'unknown') undecided = true;
  }
  if (yes > 1 || (yes === 0 && !undecided)) return fail(n, 'oneOf');
  return undecided ? unknown(n, 'oneOf') : true;
}

function evalOwn(n: Node, o: JsonObject, v: unknown, budget: Budget): Verdict {
  const acc = new Acc();
  const opaque = opaqueKeywords(o, n.doc.dialect)[0];
  if (opaque !== undefined) acc.add(unknown(n, opaque));
  const types = typesOf(o);
  if ('type' in o)
    acc.add(types === undefined ? unknown(n, 'type') : allows(types, jsonType(v)) ? true : fail(n, 'type'));
  if (Array.isArray(o.enum)) {
    let set = enumSets.get(o.enum);
    if (set === undefined) {
      set = new Set(o.enum.map((e) => canonKey(e, budget)));
      enumSets.set(o.enum, set);
    }
    if (!set.has(canonKey(v, budget))) acc.add(fail(n, 'enum'));
  }
  if ('const' in o && canonKey(o.const, budget) !== canonKey(v, budget)) acc.add(fail(n, 'const'));
  if (typeof v === 'number') acc.add(evalNumber(n, o, v));
  if (typeof v === 'string') acc.add(evalString(n, o, v));
  if (Array.isArray(v)) acc.add(evalArray(n, o, v, budget));
  if (isObject(v)) acc.add(evalObject(n, o, v, budget));
  return acc.result;
}

function evalNumber(n: Node, o: JsonObject, v: number): Verdict {
  const [min, max, xmin, xmax, m] = [
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'multipleOf',
  ].map((k) => num(o, k));
  if (min !== undefined && v < min) return fail(n, 'minimum');
  if (max !== undefined && v > max) return fail(n, 'maximum');
  if (xmin !== undefined && v <= xmin) return fail(n, 'exclusiveMinimum');
  if (xmax !== undefined && v >= xmax) return fail(n, 'exclusiveMaximum');
  // ajv's own test: the quotient must survive parseInt (so 0.3 is no multiple of 0.1).
  if (m !== undefined && (m === 0 || Number.parseInt(String(v / m), 10) !== v / m))
    return fail(n, 'multipleOf');
  return true;
}

function evalString(n: Node, o: JsonObject, v: string): Verdict {
  const len = codePointLength(v);
  const min = num(o, 'minLength');
  const max = num(o, 'maxLength');
  if (min !== undefined && len < min) return fail(n, 'minLength');
  if (max !== undefined && len > max) return fail(n, 'maxLength');
  if (typeof o.pattern === 'string') {
    const m = matchLiteralPattern(o.pattern, v);
    if (m !== true) return m === false ? fail(n, 'pattern') : unknown(n, 'pattern');
  }
  return 'format' in o ? unknown(n, 'format') : true;
}

function evalArray(n: Node, o: JsonObject, v: readonly unknown[], budget: Budget): Verdict {
  const acc = new Acc();
  const min = num(o, 'minItems');
  const max = num(o, 'maxItems');
  if (min !== undefined && v.length < min) acc.add(fail(n, 'minItems'));
  if (max !== undefined && v.length > max) acc.add(fail(n, 'maxItems'));
  if (o.uniqueItems === true && new Set(v.map((x) => canonKey(x, budget))).size !== v.length) {
    acc.add(fail(n, 'uniqueItems'));
  }
  for (let i = 0; i < v.length && acc.result === true; i++) {
    const it = itemAt(n, i);
    if (it !== undefined) acc.add(evaluate(it, v[i], budget));
  }
  if ('contains' in o) {
    let yes = 0;
    let undecided = false;
    for (const x of v) {
      const r = evaluate(child(n, 'contains'), x, budget);
      if (r === true) yes++;
      else if (r.verdict === 'unknown') undecided = true;
    }
    const lo = n.doc.dialect === '2020-12' ? (num(o, 'minContains') ?? 1) : 1;
    const hi = n.doc.dialect === '2020-12' ? (num(o, 'maxContains') ?? Number.POSITIVE_INFINITY) : Infinity;
    if (undecided) acc.add(unknown(n, 'contains'));
    else if (yes < lo || yes > hi) acc.add(fail(n, 'contains'));
  }
  return acc.result;
}

function evalObject(n: Node, o: JsonObject, v: JsonObject, budget: Budget): Verdict {
  const acc = new Acc();
  const keys = Object.keys(v);
  const min = num(o, 'minProperties');
  const max = num(o, 'maxProperties');
  if (min !== undefined && keys.length < min) acc.add(fail(n, 'minProperties'));
  if (max !== undefined && keys.length > max) acc.add(fail(n, 'maxProperties'));
  // ajv (without ownProperties) reads inherited members: `{}` has a `constructor`.
  if (namesInherited(n, o, budget)) return unknown(n, 'properties');
  const required = stringList(o, 'required');
  budget.step(required.length);
  for (const r of required) if (!Object.hasOwn(v, r)) acc.add(fail(n, 'required'));
  for (const [k, deps] of dependentRequired(n)) {
    if (Object.hasOwn(v, k) && deps.some((d) => !Object.hasOwn(v, d))) acc.add(fail(n, 'dependentRequired'));
  }
  for (const [k, s] of dependentSchemas(n)) if (Object.hasOwn(v, k)) acc.add(evaluate(s, v, budget));
  const props = objectOf(o, 'properties') ?? {};
  const patterns = Object.keys(objectOf(o, 'patternProperties') ?? {});
  for (const k of keys) {
    if (acc.result !== true) break;
    budget.step();
    if ('propertyNames' in o) acc.add(evaluate(child(n, 'propertyNames'), k, budget));
    if (Object.hasOwn(props, k)) acc.add(evaluate(child(n, 'properties', k), v[k], budget));
    let matched = false;
    for (const p of patterns) {
      budget.step();
      const m = matchLiteralPattern(p, k);
      if (m === undefined) return unknown(n, 'patternProperties');
      if (m) {
        matched = true;
        acc.add(evaluate(child(n, 'patternProperties', p), v[k], budget));
      }
    }
    if (!matched && !Object.hasOwn(props, k) && 'additionalProperties' in o) {
      acc.add(evaluate(child(n, 'additionalProperties'), v[k], budget));
    }
  }
  return acc.result;
}

const inheritedNames = new WeakMap<object, boolean>();

/** Does the schema name an Object.prototype member? Once per schema: values are many. */
function namesInherited(n: Node, o: JsonObject, budget: Budget): boolean {
  let r = inheritedNames.get(o);
  if (r === undefined) {
    const named = [
      ...stringList(o, 'required'),
      ...Object.keys(objectOf(o, 'properties') ?? {}),
      ...[...dependentRequired(n)].flat(2),
      ...dependentSchemas(n).keys(),
    ];
    budget.step(named.length);
    r = named.some(inherited);
    inheritedNames.set(o, r);
  }
  return r;
}

/** A name every object seems to have under ajv's default (Object.prototype members). */
export function inherited(name: string): boolean {
  return name in Object.prototype;
}

/** Keeps the first `no`, else the first `unknown`. */
class Acc {
  result: Verdict = true;
  add(r: Verdict): void {
    if (r === true || this.result === true) {
      if (r !== true) this.result = r;
      return;
    }
    if (this.result.verdict === 'unknown' && r.verdict === 'no') this.result = r;
  }
}

function fail(n: Node, keyword: string): Fail {
  return { verdict: 'no', ptr: n.ptr, keyword };
}
function unknown(n: Node, keyword: string): Fail {
  return { verdict: 'unknown', ptr: n.ptr, keyword };
}
