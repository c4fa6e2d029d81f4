import type { Kind } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';

type Snapshot = Registry['snapshot'];

export type KindCounts = Readonly<Record<Kind, { published: number; deprecated: number }>>;

// One tally per snapshot version: the overview is polled, the heads change only on apply.
const cache = new WeakMap<Snapshot, { version: number; counts: KindCounts }>();

/** Heads by kind and state, counted over the in-memory snapshot (never the store). */
export function countsByKind(s: Snapshot): KindCounts {
  const hit = cache.get(s);
  if (hit !== undefined && hit.version === s.version) return hit.counts;
  const counts = {
    service: { published: 0, deprecated: 0 },
    node: { published: 0, deprecated: 0 },
    schema: { published: 0, deprecated: 0 },
    region_map: { published: 0, deprecated: 0 },
    governance: { published: 0, deprecated: 0 },
  };
  for (const e of s.heads.values()) counts[e.kind][e.deprecated ? 'deprecated' : 'published']++;
  cache.set(s, { version: s.version, counts });
  return counts;
}
