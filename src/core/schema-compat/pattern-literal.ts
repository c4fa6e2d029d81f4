const SYNTAX = '^$\\.*+?()[]{}|/';

/**
 * Does `pattern` (ECMA-262, `u` flag, as ajv) match `s`? Decided only for literal patterns
 * with optional anchors (`^x-`, `^id$`, `_at$`); undefined otherwise. Patterns are
 * attacker-controlled: they are never compiled or executed here (SPEC §12, no ReDoS).
 */
export function matchLiteralPattern(pattern: string, s: string): boolean | undefined {
  const lit = literalOf(pattern);
  if (lit === undefined) return undefined;
  if (lit.start && lit.end) return s === lit.text;
  if (lit.start) return s.startsWith(lit.text);
  if (lit.end) return s.endsWith(lit.text);
  return s.includes(lit.text);
}

interface Literal {
  readonly start: boolean;
  readonly end: boolean;
  readonly text: string;
}

function literalOf(p: string): Literal | undefined {
  let i = 0;
  let j = p.length;
  const start = p.startsWith('^');
  if (start) i = 1;
  // A trailing `$` is an anchor unless escaped (an odd run of backslashes before it).
  let end = false;
  if (j > i && p[j - 1] === '$') {
    let k = j - 2;
    while (k >= i && p[k] === '\\') k--;
    if ((j - 2 - k) % 2 === 0) {
      end = true;
      j--;
    }
  }
  let text = '';
  for (let k = i; k < j; k++) {
    const c = p[k] as string;
    if (c === '\\') {
      const next = p[k + 1];
      if (next === undefined || k + 1 >= j || !SYNTAX.includes(next)) return undefined;
      text += next;
      k++;
    } else if (SYNTAX.includes(c)) {
      return undefined;
    } else {
      text += c;
    }
  }
  return { start, end, text };
}

/** Does every string `p` matches also match `q`? Decided for equal or literal patterns only. */
export function patternImplies(p: string, q: string): boolean {
  if (p === q) return true;
  const a = literalOf(p);
  const b = literalOf(q);
  if (a === undefined || b === undefined) return false;
  if (b.start && b.end) return a.start && a.end && a.text === b.text;
  if (b.start) return a.start && a.text.startsWith(b.text);
  if (b.end) return a.end && a.text.endsWith(b.text);
  return a.text.includes(b.text);
}

/** Can no string match both? Decided for literal patterns anchored at the same end. */
export function patternsDisjoint(p: string, q: string): boolean {
  const a = literalOf(p);
  const b = literalOf(q);
  if (a === undefined || b === undefined) return false;
  if (a.start && b.start) {
    if (a.end && b.end) return a.text !== b.text;
    if (a.end) return !a.text.startsWith(b.text);
    if (b.end) return !b.text.startsWith(a.text);
    return !a.text.startsWith(b.text) && !b.text.startsWith(a.text);
  }
  if (a.end && b.end) return !a.text.endsWith(b.text) && !b.text.endsWith(a.text);
  return false;
}
