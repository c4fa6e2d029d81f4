/**
 * Mutators for JSON request bodies, at two levels: the document tree (field removal,
 * duplication, swaps, type confusion, huge numbers, deep nesting, Unicode edge cases,
 * signature and signer_id tweaks) and the serialized text (byte flips, splices, truncation).
 */

import type { Rng } from './rng.js';
import { FUZZ_KEYS } from './seeds.js';
import {
  clone,
  leafString,
  raw,
  removeSlot,
  type Slot,
  serialize,
  setSlot,
  slots,
  str,
  type Tree,
  toTree,
} from './tree.js';

/** Number tokens JSON.stringify never writes, and the boundaries the schema cares about. */
export const NUMBER_TOKENS = [
  '1e400',
  '-1e400',
  '1e-400',
  '9007199254740993',
  '9007199254740992',
  '9007199254740991',
  '-9007199254740993',
  '-0',
  '-0.0',
  '0',
  '-1',
  '1',
  '2',
  '1.5',
  '1.0',
  '1E2',
  '0.1e1',
  '65535',
  '65536',
  '4294967296',
  '1e21',
  '100000000000000000000000000000',
  '1795086700000',
  '1795086700001',
  '1795086400000',
] as const;

const MB2 = 'é';
const MB3 = '€';
const MB4 = '😀';

/** Strings as raw JSON literals: escapes are written by hand where they matter. */
export const STRING_TOKENS: readonly string[] = [
  '"\\ud800"',
  '"\\udfff"',
  '"a\\udc00b"',
  '"\\ud83d"',
  '"\\u0000"',
  '"nul\\u0000in"',
  '"\\u202eevil\\u202c"',
  '"\\u200f\\u200e"',
  '"e\\u0301\\u0301\\u0301"',
  '"\\ufeff"',
  '"\\u2028\\u2029"',
  '"\\uffff"',
  '""',
  '" "',
  '"__proto__"',
  '"constructor"',
  '"toString"',
  '"regions"',
  '"governance"',
  '"a/b"',
  '"../../etc/passwd"',
  '"%2e%2e%2f"',
  '"10.0.0.7:443"',
  '"https://example.org:8443/x"',
  '"host:99999"',
  '"ed25519"',
  '"ed448"',
  '"service"',
  '"node"',
  '"region_map"',
  JSON.stringify(MB4),
  JSON.stringify(`${MB4}x`),
  JSON.stringify('a'.repeat(1023)),
  JSON.stringify('a'.repeat(1024)),
  JSON.stringify('a'.repeat(1025)),
  JSON.stringify(MB2.repeat(512)),
  JSON.stringify(MB2.repeat(513)),
  JSON.stringify(`${MB3.repeat(341)}a`),
  JSON.stringify(`${MB3.repeat(341)}ab`),
  JSON.stringify(MB4.repeat(256)),
  JSON.stringify(MB4.repeat(257)),
  JSON.stringify(`${'a'.repeat(1022)}${MB2}`),
  JSON.stringify(`${'a'.repeat(1023)}${MB2}`),
  `"${'\\u0041'.repeat(1025)}"`,
  JSON.stringify('x'.repeat(100_000)),
];

/** Raw literal text for odd values of every JSON type. */
function randomLeaf(rng: Rng): Tree {
  return rng.weighted<() => Tree>([
    [5, () => raw(rng.pick(NUMBER_TOKENS))],
    [6, () => raw(rng.pick(STRING_TOKENS))],
    [1, () => raw('null')],
    [1, () => raw(rng.chance(0.5) ? 'true' : 'false')],
    [1, () => ({ t: 'arr', items: [] })],
    [1, () => ({ t: 'obj', entries: [] })],
    [1, () => str(FUZZ_KEYS[rng.int(FUZZ_KEYS.length)]?.key.signerId ?? '')],
  ])();
}

/** The same value in another JSON type. */
function confuse(node: Tree, rng: Rng): Tree {
  const text = serialize(node);
  const s = leafString(node);
  return rng.weighted<() => Tree>([
    [2, () => str(s ?? text)],
    [2, () => raw(s !== undefined && /^-?\d+(\.\d+)?$/.test(s) ? s : String(s?.length ?? text.length))],
    [2, () => ({ t: 'arr', items: [node] })],
    [2, () => ({ t: 'obj', entries: [['"value"', node]] })],
    [1, () => raw('null')],
    [1, () => raw('true')],
    [1, () => (node.t === 'arr' ? { t: 'obj', entries: node.items.map((v, i) => [`"${i}"`, v]) } : node)],
    [1, () => (node.t === 'obj' ? { t: 'arr', items: node.entries.map(([, v]) => v) } : node)],
  ])();
}

function nest(node: Tree, depth: number, rng: Rng): Tree {
  let out = node;
  const asArray = rng.chance(0.5);
  for (let i = 0; i < depth; i++)
    out = asArray ? { t: 'arr', items: [out] } : { t: 'obj', entries: [['"n"', out]] };
  return out;
}

const B64_SIG = /^[A-Za-z0-9_-]{86}$/;
const SIGNER = /^ed25519:[A-Za-z0-9_-]{43}$/;

/** Flips one bit of a base64url-encoded value (signature or key) and re-encodes it. */
function flipB64(s: string, rng: Rng, prefix = ''): string {
  const bytes = Buffer.from(s.slice(prefix.length), 'base64url');
  if (bytes.length === 0) return s;
  const i = rng.int(bytes.length);
  bytes[i] = (bytes[i] ?? 0) ^ (1 << rng.int(8));
  return prefix + bytes.toString('base64url');
}

function tweakSignerId(s: string, rng: Rng): string {
  const other = FUZZ_KEYS[rng.int(FUZZ_KEYS.length)]?.key.signerId ?? s;
  return rng.pick<() => string>([
    () => other,
    () => flipB64(s, rng, 'ed25519:'),
    () => `${s}=`,
    () => `${s.slice(0, -1)}`,
    () => `${s}A`,
    () => s.replace('ed25519:', 'Ed25519:'),
    () => s.replace('ed25519:', 'ed448:'),
    () => s.replace('ed25519:', ''),
    () => ` ${s}`,
    () => s.replace(/-/g, '+').replace(/_/g, '/'),
    // The identity point (small order) and an all-zero key.
    () => `ed25519:${Buffer.from('01'.padEnd(64, '0'), 'hex').toString('base64url')}`,
    () => `ed25519:${Buffer.alloc(32).toString('base64url')}`,
    () => `ed25519:${Buffer.alloc(32, 0xff).toString('base64url')}`,
  ])();
}

function tweakSig(s: string, rng: Rng): string {
  return rng.pick<() => string>([
    () => flipB64(s, rng),
    () => `${s}==`,
    () => s.slice(0, -2),
    () => Buffer.alloc(64).toString('base64url'),
    // S = L (non-canonical): R of the original, S replaced by the group order.
    () =>
      Buffer.concat([
        Buffer.from(s, 'base64url').subarray(0, 32),
        Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'),
      ]).toString('base64url'),
    () => s.replace(/-/g, '+'),
  ])();
}

type TreeOp = (tree: Tree, rng: Rng, donors: readonly Tree[]) => Tree;

const TREE_OPS: ReadonlyArray<readonly [number, TreeOp]> = [
  // remove a field or item
  [
    4,
    (tree, rng) => {
      const all = slots(tree);
      if (all.length > 0) removeSlot(rng.pick(all));
      return tree;
    },
  ],
  // duplicate a field (same key, maybe another value) or an item
  [
    4,
    (tree, rng) => {
      const all = slots(tree);
      if (all.length === 0) return tree;
      const s = rng.pick(all);
      const value = rng.chance(0.5) ? clone(s.node) : randomLeaf(rng);
      if (s.parent.t === 'arr') s.parent.items.splice(s.index, 0, value);
      else s.parent.entries.splice(rng.int(s.parent.entries.length + 1), 0, [s.key ?? '"x"', value]);
      return tree;
    },
  ],
  // swap two values, or two keys
  [
    3,
    (tree, rng) => {
      const all = slots(tree);
      if (all.length < 2) return tree;
      const a = rng.pick(all);
      const b = rng.pick(all);
      if (a.node === b.node || contains(a.node, b.node) || contains(b.node, a.node)) return tree;
      setSlot(a, b.node);
      setSlot(b, a.node);
      return tree;
    },
  ],
  // rename or add an unknown field
  [
    3,
    (tree, rng) => {
      const objs = slots(tree)
        .map((s) => s.node)
        .filter((n): n is Extract<Tree, { t: 'obj' }> => n.t === 'obj');
      if (tree.t === 'obj') objs.push(tree);
      if (objs.length === 0) return tree;
      const o = rng.pick(objs);
      const key = rng.pick([
        '"extra"',
        '"Signatures"',
        '"signer_id "',
        '"__proto__"',
        '"constructor"',
        '"\\u0000"',
        '"\\ud800"',
        '""',
        '"deprecated"',
        '"signatures"',
        '"labels"',
      ]);
      const entry = rng.int(o.entries.length + 1);
      if (rng.chance(0.5) && o.entries[entry] !== undefined) {
        const e = o.entries[entry];
        if (e !== undefined) e[0] = key;
      } else o.entries.splice(entry, 0, [key, randomLeaf(rng)]);
      return tree;
    },
  ],
  // type confusion
  [6, (tree, rng) => replaceRandom(tree, rng, (s) => confuse(s.node, rng))],
  // an odd leaf (huge numbers, Unicode edge cases, strings near 1,024 bytes)
  [8, (tree, rng) => replaceRandom(tree, rng, () => randomLeaf(rng))],
  // numbers off by one
  [
    3,
    (tree, rng) =>
      replaceRandom(tree, rng, (s) => {
        const n = s.node.t === 'raw' ? Number(s.node.text) : Number.NaN;
        return Number.isFinite(n) ? raw(String(n + rng.pick([-1, 1, 2, -2, 300_001]))) : s.node;
      }),
  ],
  // deep nesting, around and beyond the limit of 16
  [
    2,
    (tree, rng) =>
      replaceRandom(tree, rng, (s) => nest(s.node, rng.pick([13, 14, 15, 16, 17, 40, 2000]), rng)),
  ],
  // signature byte flips and signer_id tweaks
  [
    6,
    (tree, rng) => {
      const cands = slots(tree).filter((s) => {
        const v = leafString(s.node);
        return v !== undefined && (B64_SIG.test(v) || SIGNER.test(v));
      });
      if (cands.length === 0) return tree;
      const s = rng.pick(cands);
      const v = leafString(s.node) ?? '';
      setSlot(s, str(SIGNER.test(v) ? tweakSignerId(v, rng) : tweakSig(v, rng)));
      return tree;
    },
  ],
  // graft a subtree from another seed
  [
    3,
    (tree, rng, donors) => {
      if (donors.length === 0) return tree;
      const donorSlots = slots(rng.pick(donors));
      if (donorSlots.length === 0) return tree;
      const graft = clone(rng.pick(donorSlots).node);
      return replaceRandom(tree, rng, () => graft);
    },
  ],
];

function contains(haystack: Tree, needle: Tree): boolean {
  if (haystack === needle) return true;
  if (haystack.t === 'arr') return haystack.items.some((n) => contains(n, needle));
  if (haystack.t === 'obj') return haystack.entries.some(([, n]) => contains(n, needle));
  return false;
}

function replaceRandom(tree: Tree, rng: Rng, make: (s: Slot) => Tree): Tree {
  const all = slots(tree);
  if (all.length === 0)
    return make({ parent: { t: 'arr', items: [tree] }, index: 0, key: undefined, node: tree, depth: 0 });
  const s = rng.pick(all);
  setSlot(s, make(s));
  return tree;
}

/** 1 to `max` tree mutations of a copy of `tree`. */
export function mutateTree(tree: Tree, rng: Rng, donors: readonly Tree[], max = 3): Tree {
  let out = clone(tree);
  const n = rng.range(1, max);
  for (let i = 0; i < n; i++) out = rng.weighted(TREE_OPS)(out, rng, donors);
  return out;
}

const INSERTS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ',',
  ':',
  '0',
  '-',
  'e',
  '.',
  ' ',
  '\u0000',
  '\ud800',
  '\u202e',
  'null',
  '\\u',
];

/** Byte-level damage to serialized text. */
export function mutateText(text: string, rng: Rng): string {
  if (text.length === 0) return rng.pick(INSERTS);
  const at = rng.int(text.length);
  return rng.weighted<() => string>([
    [
      4,
      () =>
        text.slice(0, at) +
        String.fromCharCode((text.charCodeAt(at) ^ (1 << rng.int(8))) & 0xffff) +
        text.slice(at + 1),
    ],
    [2, () => text.slice(0, at) + text.slice(at + rng.range(1, 16))],
    [2, () => text.slice(0, at) + rng.pick(INSERTS) + text.slice(at)],
    [1, () => text.slice(0, at)],
    [1, () => text.slice(0, at) + text.slice(at, at + rng.range(1, 64)) + text.slice(at)],
    [1, () => `${text} ${rng.pick(INSERTS)}`],
    [1, () => `\ufeff${text}`],
  ])();
}

export { serialize, toTree };
