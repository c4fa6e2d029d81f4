import type { Governance, Kind } from '../core/index.js';
import type { Entry } from './entry.js';

export interface ListQuery {
  readonly kind?: Kind;
  readonly prefix?: string;
  readonly limit: number;
  /** Exclusive: ids strictly after this one. */
  readonly after?: string;
}

export interface RegionMapView {
  readonly bytes: Buffer;
  readonly etag: string;
}

/**
 * Every head in memory with its exact response bytes (SPEC §1). The engine mutates it only
 * synchronously, after a batch is on disk, so a reader (always on the same event loop)
 * sees a whole batch or none of it and never waits for a writer.
 */
export class Snapshot {
  readonly heads = new Map<string, Entry>();
  version = 0;
  governance: Governance = { signers: new Set(), threshold: 1, version: 0 };
  regions: RegionMapView | undefined;
  #sorted: string[] = [];
  #unsorted: string[] = [];

  get(id: string): Entry | undefined {
    return this.heads.get(id);
  }

  /** Installs a new head; ids new to the snapshot are merged into the sorted index lazily. */
  put(entry: Entry): void {
    if (!this.heads.has(entry.id)) this.#unsorted.push(entry.id);
    this.heads.set(entry.id, entry);
  }

  /** Paged listing by id (SPEC §5 GET /descriptors). */
  list(q: ListQuery): { items: Entry[]; more: boolean } {
    const ids = this.#ids();
    let i = q.after === undefined ? 0 : upperBound(ids, q.after);
    if (q.prefix !== undefined && q.prefix !== '') {
      const start = lowerBound(ids, q.prefix);
      if (start > i) i = start;
    }
    const items: Entry[] = [];
    for (; i < ids.length; i++) {
      const id = ids[i] as string;
      if (q.prefix !== undefined && !id.startsWith(q.prefix)) break;
      const e = this.heads.get(id);
      if (e === undefined || (q.kind !== undefined && e.kind !== q.kind)) continue;
      if (items.length === q.limit) return { items, more: true };
      items.push(e);
    }
    return { items, more: false };
  }

  counts(): { published: number; deprecated: number } {
    let deprecated = 0;
    for (const e of this.heads.values()) if (e.deprecated) deprecated++;
    return { published: this.heads.size - deprecated, deprecated };
  }

  #ids(): string[] {
    if (this.#unsorted.length > 0) {
      // Merge, not re-sort: listing after a burst of new ids costs O(n + k log k).
      const add = this.#unsorted.sort(compare);
      const out: string[] = new Array(this.#sorted.length + add.length);
      let a = 0;
      let b = 0;
      let o = 0;
      while (a < this.#sorted.length || b < add.length) {
        const x = this.#sorted[a];
        const y = add[b];
        if (y === undefined || (x !== undefined && x < y)) {
          out[o++] = x as string;
          a++;
        } else {
          out[o++] = y;
          b++;
        }
      }
      this.#sorted = out;
      this.#unsorted = [];
    }
    return this.#sorted;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function lowerBound(a: readonly string[], x: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as string) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: readonly string[], x: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as string) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
