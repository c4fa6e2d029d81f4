import type { Governance } from '../core/index.js';
import type { LogEntry, Store } from '../store/index.js';
import type { BusEvent, Subscription } from './bus.js';
import type { Entry } from './entry.js';
import type { ListQuery, RegionMapView } from './snapshot.js';

/**
 * What the layers above the engine (http/, cli/, mirror/, the console) may see of it:
 * read-only views. Every write goes through `Registry`'s methods, never around them.
 */

/** The in-memory snapshot every read is served from, read-only. */
export interface SnapshotView {
  readonly version: number;
  readonly governance: Governance;
  readonly regions: RegionMapView | undefined;
  readonly heads: ReadonlyMap<string, Entry>;
  get(id: string): Entry | undefined;
  list(q: ListQuery): { items: Entry[]; more: boolean };
  counts(): { published: number; deprecated: number };
}

/** The store's read methods (SPEC §4 keyspace), none that writes. */
export type StoreReader = Pick<
  Store,
  | 'persistent'
  | 'version'
  | 'streamSeq'
  | 'heads'
  | 'descriptor'
  | 'descriptors'
  | 'versions'
  | 'log'
  | 'regions'
  | 'proposals'
  | 'applied'
>;

/** The event bus as observers see it: gauges, listeners and subscriptions, no publish. */
export interface BusView {
  readonly version: number;
  readonly subscribers: number;
  readonly lagged: number;
  on(listener: (e: BusEvent) => void): () => void;
  subscribe(since: number): Subscription;
  /** Log entries after `after`, from the in-memory tail, else the store. */
  read(after: number, limit: number): Promise<LogEntry[]>;
}
