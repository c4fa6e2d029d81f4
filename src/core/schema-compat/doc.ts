import type { Dialect } from './compat.types.js';
import { isObject } from './json-values.js';

/** One schema document: the checked one or an external `references` entry (SPEC §12). */
export interface Doc {
  readonly id: number;
  readonly root: unknown;
  readonly dialect: Dialect;
  /** The root's `$id`, against which relative `$ref`s resolve. */
  readonly base: string | undefined;
  /** A `$id` below the root changes the base of the `$ref`s under it: those are not followed. */
  readonly nestedIds: boolean;
  readonly registry: DocRegistry;
}

/** A schema (object or boolean) at a location: `ptr` is its JSON Pointer in `doc`. */
export interface Node {
  readonly schema: unknown;
  readonly doc: Doc;
  readonly ptr: string;
}

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/** Interns documents and schema objects so that a check can memoize on identity. */
export class DocRegistry {
  readonly #refs: ReadonlyMap<string, unknown>;
  readonly #byUri = new Map<string, Doc>();
  readonly #ids = new WeakMap<object, number>();
  #next = 0;

  constructor(refs: ReadonlyMap<string, unknown> | undefined) {
    this.#refs = refs ?? new Map();
  }

  open(root: unknown, dialect: Dialect): Doc {
    const base = isObject(root) && typeof root.$id === 'string' ? stripHash(root.$id) : undefined;
    const doc: Doc = { id: this.#next++, root, dialect, base, nestedIds: hasNestedId(root), registry: this };
    if (base !== undefined && !this.#byUri.has(base)) this.#byUri.set(base, doc);
    return doc;
  }

  /** The external document named `uri`, opened once; its own `$schema` picks its dialect. */
  external(uri: string, from: Doc): Doc | undefined {
    const known = this.#byUri.get(uri);
    if (known !== undefined) return known;
    if (!this.#refs.has(uri)) return undefined;
    const root = this.#refs.get(uri);
    const dialect =
      isObject(root) && typeof root.$schema === 'string' ? dialectOf(root.$schema) : from.dialect;
    const doc: Doc = {
      id: this.#next++,
      root,
      dialect: dialect ?? from.dialect,
      base: uri,
      nestedIds: hasNestedId(root),
      registry: this,
    };
    this.#byUri.set(uri, doc);
    return doc;
  }

  /** A memo key for a node: booleans by value, objects by identity within their document. */
  key(n: Node): string {
    if (typeof n.schema !== 'object' || n.schema === null) return String(n.schema);
    let id = this.#ids.get(n.schema);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(n.schema, id);
    }
    return `${n.doc.id}:${id}`;
  }
}

export function dialectOf(uri: string): Dialect | undefined {
  if (DRAFT_07.test(uri)) return 'draft-07';
  if (/^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/.test(uri)) return '2020-12';
  return undefined;
}

export function rootNode(doc: Doc): Node {
  return { schema: doc.root, doc, ptr: '' };
}

export function child(n: Node, ...tokens: (string | number)[]): Node {
  let schema: unknown = n.schema;
  let ptr = n.ptr;
  for (const t of tokens) {
    schema =
      (isObject(schema) || Array.isArray(schema)) && Object.hasOwn(schema, t)
        ? (schema as Record<string, unknown>)[t]
        : undefined;
    ptr += `/${String(t).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  }
  return { schema, doc: n.doc, ptr };
}

/**
 * Resolves a `$ref` inside the document (`#`, `#/$defs/…`, `#/definitions/…`) or to a
 * `references` URI, optionally with a pointer fragment. Nothing is fetched (SPEC §12).
 * Undefined when it does not resolve (anchors and nested `$id` bases are not followed).
 */
export function resolveRef(from: Node, ref: string): Node | undefined {
  const hash = ref.indexOf('#');
  const uri = hash < 0 ? ref : ref.slice(0, hash);
  const frag = hash < 0 ? '' : ref.slice(hash + 1);
  if (from.doc.nestedIds) return undefined;
  let doc: Doc | undefined = from.doc;
  if (uri !== '') {
    doc = from.doc.registry.external(uri, from.doc) ?? resolveRelative(uri, from.doc);
    if (doc === undefined) return undefined;
  }
  if (frag !== '' && !frag.startsWith('/')) return undefined;
  let tokens: string[];
  try {
    tokens =
      frag === ''
        ? []
        : frag
            .slice(1)
            .split('/')
            .map((t) => decodeURIComponent(t));
  } catch {
    return undefined;
  }
  const target = child(rootNode(doc), ...tokens.map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~')));
  return target.schema === undefined ? undefined : target;
}

function resolveRelative(uri: string, doc: Doc): Doc | undefined {
  if (doc.base === undefined) return undefined;
  let abs: string;
  try {
    abs = new URL(uri, doc.base).href;
  } catch {
    return undefined;
  }
  return doc.registry.external(abs, doc);
}

/** Keywords whose values are data, not schemas (a 100k-value enum needs no scan). */
const DATA = new Set(['enum', 'const', 'default', 'examples']);

/** Past this many containers a document counts as having one (a bounded scan of attacker input). */
const SCAN_LIMIT = 100_000;

/** Is there an `$id` string anywhere below the root? Conservative: any object key counts. */
function hasNestedId(root: unknown): boolean {
  const stack: unknown[] = [root];
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > SCAN_LIMIT) return true;
    const v = stack.pop();
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    if (!isObject(v)) continue;
    if (seen > 0 && typeof v.$id === 'string') return true;
    for (const [k, x] of Object.entries(v)) if (!DATA.has(k)) stack.push(x);
  }
  return false;
}

function stripHash(s: string): string {
  return s.endsWith('#') ? s.slice(0, -1) : s;
}
