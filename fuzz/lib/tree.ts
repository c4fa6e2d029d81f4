/**
 * A JSON document as the fuzzer edits it: objects are entry lists (so a key can repeat)
 * and leaves are raw token text (so `1e400`, `-0` or a hand-written `"\ud800"` escape
 * survive to the wire, which `JSON.stringify` would never produce).
 */
export type Tree =
  | { readonly t: 'raw'; readonly text: string }
  | { readonly t: 'arr'; readonly items: Tree[] }
  | { readonly t: 'obj'; readonly entries: Array<[string, Tree]> };

export function raw(text: string): Tree {
  return { t: 'raw', text };
}

export function str(s: string): Tree {
  return raw(JSON.stringify(s));
}

export function toTree(value: unknown): Tree {
  if (Array.isArray(value)) return { t: 'arr', items: value.map(toTree) };
  if (value !== null && typeof value === 'object') {
    return { t: 'obj', entries: Object.entries(value).map(([k, v]) => [JSON.stringify(k), toTree(v)]) };
  }
  return raw(JSON.stringify(value) ?? 'null');
}

/** Object keys are kept as raw (quoted) text too, so they can carry odd escapes. */
export function serialize(tree: Tree): string {
  switch (tree.t) {
    case 'raw':
      return tree.text;
    case 'arr':
      return `[${tree.items.map(serialize).join(',')}]`;
    case 'obj':
      return `{${tree.entries.map(([k, v]) => `${k}:${serialize(v)}`).join(',')}}`;
    default: {
      const never: never = tree;
      return never;
    }
  }
}

export function clone(tree: Tree): Tree {
  switch (tree.t) {
    case 'raw':
      return tree;
    case 'arr':
      return { t: 'arr', items: tree.items.map(clone) };
    case 'obj':
      return { t: 'obj', entries: tree.entries.map(([k, v]) => [k, clone(v)]) };
    default: {
      const never: never = tree;
      return never;
    }
  }
}

/** A slot that holds a node: an array item or an object entry's value. */
export interface Slot {
  readonly parent: Extract<Tree, { t: 'arr' | 'obj' }>;
  readonly index: number;
  readonly key: string | undefined;
  readonly node: Tree;
  readonly depth: number;
}

export function slots(tree: Tree, depth = 0, out: Slot[] = []): Slot[] {
  if (tree.t === 'arr') {
    tree.items.forEach((node, index) => {
      out.push({ parent: tree, index, key: undefined, node, depth });
      slots(node, depth + 1, out);
    });
  } else if (tree.t === 'obj') {
    tree.entries.forEach(([key, node], index) => {
      out.push({ parent: tree, index, key, node, depth });
      slots(node, depth + 1, out);
    });
  }
  return out;
}

export function setSlot(slot: Slot, node: Tree): void {
  if (slot.parent.t === 'arr') slot.parent.items[slot.index] = node;
  else {
    const entry = slot.parent.entries[slot.index];
    if (entry !== undefined) entry[1] = node;
  }
}

export function removeSlot(slot: Slot): void {
  if (slot.parent.t === 'arr') slot.parent.items.splice(slot.index, 1);
  else slot.parent.entries.splice(slot.index, 1);
}

/** The JS value of a raw string leaf, when it is one. */
export function leafString(node: Tree): string | undefined {
  if (node.t !== 'raw' || !node.text.startsWith('"')) return undefined;
  try {
    const v: unknown = JSON.parse(node.text);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
