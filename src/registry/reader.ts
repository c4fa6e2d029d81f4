import { RegistryError } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { EventBus, Subscription } from './bus.js';
import { type Entry, entryFromBytes } from './entry.js';
import { Lru } from './lru.js';
import type { ListQuery, Snapshot } from './snapshot.js';
import type { BusView, SnapshotView, StoreReader } from './views.types.js';

/**
 * The read side of the engine (SPEC §5 reads): all from the snapshot, then the LRU of
 * older versions, then the store. The layers above see the snapshot, the store and the bus
 * only through read-only views; `Registry` adds the writes.
 */
export class RegistryReader {
  protected readonly mutableStore: Store;
  protected readonly mutableSnapshot: Snapshot;
  protected readonly mutableBus: EventBus;
  /** Versions older than the head, recently read or replaced. */
  protected readonly old: Lru<string, Entry>;

  protected constructor(store: Store, snapshot: Snapshot, bus: EventBus, readCacheCap: number) {
    this.mutableStore = store;
    this.mutableSnapshot = snapshot;
    this.mutableBus = bus;
    this.old = new Lru(readCacheCap);
  }

  get store(): StoreReader {
    return this.mutableStore;
  }

  get snapshot(): SnapshotView {
    return this.mutableSnapshot;
  }

  get bus(): BusView {
    return this.mutableBus;
  }

  get version(): number {
    return this.mutableSnapshot.version;
  }

  head(id: string): Entry {
    const e = this.mutableSnapshot.get(id);
    if (e === undefined) throw new RegistryError('NotFound', `no descriptor ${id}`);
    return e;
  }

  async at(id: string, version: number): Promise<Entry> {
    const head = this.head(id);
    if (version === head.version) return head;
    const key = `${id}\n${version}`;
    const cached = this.old.get(key);
    if (cached !== undefined) return cached;
    const raw =
      version >= 1 && version < head.version ? await this.mutableStore.descriptor(id, version) : undefined;
    if (raw === undefined) throw new RegistryError('NotFound', `${id} has no version ${version}`);
    const { entry } = entryFromBytes(raw);
    this.old.set(key, entry);
    return entry;
  }

  async history(
    id: string,
  ): Promise<Array<{ version: number; digest: string; ts: number; deprecated: boolean }>> {
    this.head(id);
    const versions = await this.mutableStore.versions(id);
    return versions.map(([, raw]) => {
      const { entry } = entryFromBytes(raw);
      return { version: entry.version, digest: entry.digest, ts: entry.ts, deprecated: entry.deprecated };
    });
  }

  list(q: ListQuery): { items: Entry[]; more: boolean } {
    return this.mutableSnapshot.list(q);
  }

  regionMap(): Buffer {
    const r = this.mutableSnapshot.regions;
    if (r === undefined) throw new RegistryError('NotFound', 'no region map has been applied yet');
    return r.bytes;
  }

  subscribe(since: number): Subscription {
    return this.mutableBus.subscribe(since);
  }

  /** SPEC §8 amnesia: zeroes every descriptor byte the reads hold, then forgets them. */
  protected zeroFillReads(): void {
    for (const e of this.mutableSnapshot.heads.values()) e.bytes.fill(0);
    for (const e of this.old.values()) e.bytes.fill(0);
    this.mutableSnapshot.regions?.bytes.fill(0);
    this.mutableSnapshot.heads.clear();
    this.old.clear();
  }
}
