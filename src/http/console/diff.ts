/** One row of a side-by-side diff: a line on the left, the right, or both. */
export interface DiffRow {
  readonly kind: 'same' | 'change' | 'del' | 'add';
  readonly left?: { readonly n: number; readonly text: string };
  readonly right?: { readonly n: number; readonly text: string };
}

// Descriptors are bounded by SPEC limits, but a region map can still pretty-print to
// thousands of lines: past this many LCS cells the diff pairs lines by position instead.
const MAX_CELLS = 4_000_000;

type Op = { readonly op: 'same' | 'del' | 'add'; readonly a?: number; readonly b?: number };

/** Line diff by longest common subsequence, then runs of deletes and adds paired side by side. */
export function sideBySide(left: readonly string[], right: readonly string[]): DiffRow[] {
  return pair(
    left.length * right.length > MAX_CELLS ? byPosition(left, right) : lcs(left, right),
    left,
    right,
  );
}

function lcs(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // Suffix lengths, row-major: len[i * (m + 1) + j] = LCS of a[i..] and b[j..].
  const len = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * (m + 1) + j] =
        a[i] === b[j]
          ? (len[(i + 1) * (m + 1) + j + 1] as number) + 1
          : Math.max(len[(i + 1) * (m + 1) + j] as number, len[i * (m + 1) + j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: 'same', a: i++, b: j++ });
    else if (
      j < m &&
      (i === n || (len[i * (m + 1) + j + 1] as number) >= (len[(i + 1) * (m + 1) + j] as number))
    )
      ops.push({ op: 'add', b: j++ });
    else ops.push({ op: 'del', a: i++ });
  }
  return ops;
}

function byPosition(a: readonly string[], b: readonly string[]): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length && i < b.length && a[i] === b[i]) ops.push({ op: 'same', a: i, b: i });
    else {
      if (i < a.length) ops.push({ op: 'del', a: i });
      if (i < b.length) ops.push({ op: 'add', b: i });
    }
  }
  return ops;
}

function pair(ops: readonly Op[], a: readonly string[], b: readonly string[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const line = (src: readonly string[], k: number) => ({ n: k + 1, text: src[k] as string });
  for (let k = 0; k < ops.length; ) {
    const op = ops[k] as Op;
    if (op.op === 'same') {
      rows.push({ kind: 'same', left: line(a, op.a as number), right: line(b, op.b as number) });
      k++;
      continue;
    }
    const dels: number[] = [];
    const adds: number[] = [];
    for (; k < ops.length && (ops[k] as Op).op !== 'same'; k++) {
      const o = ops[k] as Op;
      if (o.op === 'del') dels.push(o.a as number);
      else adds.push(o.b as number);
    }
    for (let x = 0; x < Math.max(dels.length, adds.length); x++) {
      const d = dels[x];
      const ad = adds[x];
      const kind = d !== undefined && ad !== undefined ? 'change' : d !== undefined ? 'del' : 'add';
      rows.push({
        kind,
        ...(d === undefined ? {} : { left: line(a, d) }),
        ...(ad === undefined ? {} : { right: line(b, ad) }),
      });
    }
  }
  return rows;
}
