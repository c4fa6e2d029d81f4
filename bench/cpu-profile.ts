/** Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the sampled time went. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Functions by self time, descending. */
  readonly self: ReadonlyArray<readonly [string, number]>;
  /** Functions by inclusive time (self plus callees), descending. */
  readonly inclusive: ReadonlyArray<readonly [string, number]>;
}

function label(n: ProfileNode): string {
  const file = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1').replace(/^file:\/\//, '');
  const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
  return file === '' ? name : `${name} (${file})`;
}

export function summarizeProfile(path: string, top = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perNode = new Map<number, number>();
  p.samples.forEach((id, i) => {
    perNode.set(id, (perNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of perNode) {
    totalMs += ms;
    const node = byId.get(id);
    if (node === undefined) continue;
    self.set(label(node), (self.get(label(node)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs, self: sorted(self), inclusive: sorted(inclusive) };
}
