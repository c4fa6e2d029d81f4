/**
 * SPEC §12 hostile schemas: a `pattern` (or a `patternProperties` key) becomes a JavaScript
 * RegExp, which backtracks. A repeated group whose body can match the same text in more than
 * one way (`(a+)+`, `(a|a)*`, `(.*a){20}`) takes time exponential in the input, and no
 * RegExp can be interrupted. Node 20's linear engine (`/l`) refuses the `u` flag JSON Schema
 * patterns need, so the registry refuses those shapes up front instead: a repeated group is
 * admitted when its body has no variable-length repetition and no alternation, or when each
 * repetition starts or ends with a mandatory character that none of its inner repetitions can
 * match (`(\.[a-z]+)*`, `([a-z0-9-]+\.)*`, the usual dotted and delimited lists).
 * Backreferences are refused too. Instance strings are ≤ 1,024 bytes (SPEC §2), which bounds
 * the polynomial cases (`\d+\d+x`) that remain. Attacker-controlled input.
 */

/** A set of code points: sorted, disjoint, inclusive ranges. */
type Ranges = ReadonlyArray<readonly [number, number]>;

const MAX_CP = 0x10ffff;
const ANY: Ranges = [[0, MAX_CP]];

type Node =
  | { readonly t: 'char'; readonly set: Ranges }
  | { readonly t: 'group'; readonly alts: readonly Seq[] }
  | { readonly t: 'empty' }
  | { readonly t: 'backref' };
interface Item {
  readonly node: Node;
  readonly min: number;
  readonly max: number;
}
type Seq = readonly Item[];

class Refused extends Error {}

function normalize(rs: Array<[number, number]>): Ranges {
  const sorted = rs.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function complement(rs: Ranges): Ranges {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [a, b] of rs) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function disjoint(x: Ranges, y: Ranges): boolean {
  for (const [a, b] of x) for (const [c, d] of y) if (a <= d && c <= b) return false;
  return true;
}

const cp = (s: string | undefined) => s?.codePointAt(0) ?? 0;
const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = normalize([
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
]);
const SPACE: Ranges = normalize([
  [9, 13],
  [32, 32],
  [160, 160],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);

class Parser {
  i = 0;
  groups = 0;
  constructor(readonly src: string) {}

  peek(): string | undefined {
    return this.src[this.i];
  }

  alternation(): Node {
    const alts: Seq[] = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return { t: 'group', alts };
  }

  sequence(): Seq {
    const items: Item[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const node = this.atom();
      const [min, max] = this.quantifier();
      items.push({ node, min, max });
    }
    return items;
  }

  quantifier(): [number, number] {
    const c = this.peek();
    let q: [number, number] = [1, 1];
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m === null) return q;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length;
      if (this.peek() === '?') this.i++;
      return [lo, hi];
    } else return q;
    this.i++;
    if (this.peek() === '?') this.i++;
    return q;
  }

  atom(): Node {
    const c = this.src[this.i++] as string;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { t: 'char', set: this.charClass() };
      case '.':
        return { t: 'char', set: ANY };
      case '^':
      case '$':
        return { t: 'empty' };
      case '\\':
        return this.escape(false);
      default: {
        const whole = String.fromCodePoint(cp(this.src.slice(this.i - 1)));
        this.i += whole.length - 1;
        return { t: 'char', set: [[cp(whole), cp(whole)]] };
      }
    }
  }

  group(): Node {
    let lookaround = false;
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (/^\?<?[=!]/.test(this.src.slice(this.i))) {
      lookaround = true;
      this.i += this.src[this.i + 1] === '<' ? 3 : 2;
    } else if (this.src.startsWith('?<', this.i)) {
      const end = this.src.indexOf('>', this.i);
      this.i = end < 0 ? this.src.length : end + 1;
      this.groups++;
    } else this.groups++;
    const inner = this.alternation();
    if (this.peek() === ')') this.i++;
    // A lookaround consumes nothing; what it matches inside still backtracks, so keep it.
    return lookaround ? { t: 'group', alts: [[{ node: inner, min: 1, max: 1 }], []] } : inner;
  }

  /** One escape; in a class, `\b` is a backspace and backreferences cannot occur. */
  escape(inClass: boolean): Node {
    const c = this.src[this.i++] ?? '';
    if (c === 'd') return { t: 'char', set: DIGIT };
    if (c === 'D') return { t: 'char', set: complement(DIGIT) };
    if (c === 'w') return { t: 'char', set: WORD };
    if (c === 'W') return { t: 'char', set: complement(WORD) };
    if (c === 's') return { t: 'char', set: SPACE };
    if (c === 'S') return { t: 'char', set: complement(SPACE) };
    if ((c === 'b' || c === 'B') && !inClass) return { t: 'empty' };
    if (c === 'p' || c === 'P') {
      const end = this.src.indexOf('}', this.i);
      this.i = end < 0 ? this.src.length : end + 1;
      return { t: 'char', set: ANY };
    }
    if (!inClass && (/[1-9]/.test(c) || c === 'k')) return { t: 'backref' };
    const hex = (n: number) => {
      const h = this.src.slice(this.i, this.i + n);
      this.i += n;
      return Number.parseInt(h, 16);
    };
    if (c === 'x') return single(hex(2));
    if (c === 'u' && this.peek() === '{') {
      const end = this.src.indexOf('}', this.i);
      const v = Number.parseInt(this.src.slice(this.i + 1, end), 16);
      this.i = end < 0 ? this.src.length : end + 1;
      return single(v);
    }
    if (c === 'u') return single(hex(4));
    if (c === 'c') return single(cp(this.src[this.i++] ?? '@') % 32);
    const named: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };
    if (inClass && c === 'b') return single(8);
    return single(named[c] ?? cp(c));
  }

  charClass(): Ranges {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const ranges: Array<[number, number]> = [];
    let prev: Ranges | undefined;
    while (this.i < this.src.length && this.peek() !== ']') {
      const c = this.src[this.i++] as string;
      let set: Ranges;
      if (c === '\\') {
        const n = this.escape(true);
        set = n.t === 'char' ? n.set : ANY;
      } else if (c === '-' && prev !== undefined && prev.length === 1 && this.peek() !== ']') {
        const lo = prev[0]?.[0] ?? 0;
        const next = this.src[this.i++] as string;
        const hiNode = next === '\\' ? this.escape(true) : single(cp(next));
        const hi = hiNode.t === 'char' ? (hiNode.set[0]?.[1] ?? lo) : lo;
        ranges.pop();
        ranges.push([lo, hi]);
        prev = undefined;
        continue;
      } else {
        const v = cp(this.src.slice(this.i - 1));
        this.i += String.fromCodePoint(v).length - 1;
        set = [[v, v]];
      }
      ranges.push(...set.map(([a, b]) => [a, b] as [number, number]));
      prev = set;
    }
    this.i++;
    const set = normalize(ranges);
    return negated ? complement(set) : set;
  }
}

function single(v: number): Node {
  return { t: 'char', set: [[v, v]] };
}

/**
 * Adds to `acc` every character that an item of `seq` consumes a variable number of times
 * (directly, or inside a group that is itself repeated a variable number of times); true
 * when there is any such item or an alternation, i.e. when `seq` may match a text in more
 * than one way.
 */
function repeatedChars(seq: Seq, acc: Array<[number, number]>, under: boolean): boolean {
  let ambiguous = false;
  for (const it of seq) {
    const variable = under || it.min !== it.max;
    if (it.node.t === 'char' && variable) {
      acc.push(...it.node.set.map(([a, b]) => [a, b] as [number, number]));
      ambiguous = true;
    } else if (it.node.t === 'group') {
      if (it.node.alts.length > 1) ambiguous = true;
      for (const s of it.node.alts) if (repeatedChars(s, acc, variable)) ambiguous = true;
    }
  }
  return ambiguous;
}

/** The literal text of `seq` when it is one (`GET`), else undefined. */
function literal(seq: Seq): string | undefined {
  let out = '';
  for (const it of seq) {
    const r = it.node.t === 'char' ? it.node.set : undefined;
    if (r === undefined || r.length !== 1 || r[0]?.[0] !== r[0]?.[1] || it.min !== 1 || it.max !== 1) {
      return undefined;
    }
    out += String.fromCodePoint(r[0]?.[0] ?? 0);
  }
  return out;
}

/** Literal alternatives none of which is a prefix of another decode one way only (a prefix code). */
function prefixCode(alts: readonly Seq[]): boolean {
  const words = alts.map(literal);
  if (words.some((w) => w === undefined || w === '')) return false;
  return words.every((w, i) => words.every((v, j) => i === j || !(v as string).startsWith(w as string)));
}

/** The mandatory single character at one end of `seq`, if it starts (or ends) with one. */
function edge(seq: Seq, fromEnd: boolean): Ranges | undefined {
  const items = fromEnd ? [...seq].reverse() : seq;
  for (const it of items) {
    if (it.node.t === 'empty') continue;
    if (it.node.t === 'char' && it.min >= 1) return it.node.set;
    return undefined;
  }
  return undefined;
}

function safeRepetition(alts: readonly Seq[]): boolean {
  const inner: Array<[number, number]> = [];
  let ambiguous = alts.length > 1;
  for (const s of alts) if (repeatedChars(s, inner, false)) ambiguous = true;
  if (!ambiguous) return true;
  const repeated = normalize(inner);
  if (alts.length > 1 && prefixCode(alts)) return true;
  if (alts.length > 1) {
    // Alternatives are told apart by their first character, or the group is ambiguous.
    const firsts = alts.map((s) => edge(s, false));
    if (firsts.some((f) => f === undefined)) return false;
    for (let i = 0; i < firsts.length; i++) {
      for (let j = i + 1; j < firsts.length; j++) {
        if (!disjoint(firsts[i] as Ranges, firsts[j] as Ranges)) return false;
      }
    }
    if (inner.length === 0) return true;
  }
  return alts.every((s) =>
    [edge(s, false), edge(s, true)].some((e) => e !== undefined && disjoint(e, repeated)),
  );
}

function check(seq: Seq): void {
  for (const it of seq) {
    if (it.node.t === 'backref') throw new Refused('backreferences are not supported in patterns');
    if (it.node.t !== 'group') continue;
    if (it.max > 1 && !safeRepetition(it.node.alts)) {
      throw new Refused(
        'a repeated group can match the same text in more than one way (exponential backtracking); ' +
          'make each repetition start or end with a character its inner repetitions cannot match',
      );
    }
    for (const s of it.node.alts) check(s);
  }
}

/**
 * Why `pattern` is refused, or null when it is admitted. Syntax errors are left to the
 * RegExp constructor (ajv reports them).
 */
export function patternRisk(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return null;
  }
  try {
    const p = new Parser(pattern);
    const root = p.alternation();
    if (root.t === 'group') for (const s of root.alts) check(s);
    return null;
  } catch (err) {
    if (err instanceof Refused) return err.message;
    /* v8 ignore next -- a bug of this parser, not a verdict on the pattern: let it surface */
    throw err;
  }
}
