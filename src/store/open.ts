import { Level } from 'level';
import { MemoryLevel } from 'memory-level';
import { type Db, Store } from './store.js';

/** The on-disk store (`level`), opened and schema-checked. */
export async function openLevelStore(path: string): Promise<Store> {
  const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  const store = new Store(db as unknown as Db, true);
  await store.open();
  return store;
}

/** The amnesia store (`memory-level`): nothing touches the disk. */
export async function openMemoryStore(): Promise<Store> {
  const db = new MemoryLevel<string, Uint8Array>({
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    storeEncoding: 'view',
  });
  const store = new Store(db as unknown as Db, false);
  await store.open();
  return store;
}
